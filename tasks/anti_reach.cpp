// AntiReach-v0 (see anti_reach.h).
#include "tasks/anti_reach.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
enum Period : size_t { kFixation, kStimulus, kDelay, kDecision };
}

AntiReach::AntiReach(const TaskConfig& config, bool anti, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 500}, {"stimulus", 500}, {"delay", 0}, {"decision", 500}},
                ringNames("fixation", "stimulus", dimRing),
                ringNames("fixate", "choice", dimRing),
                {"gt", "anti"}},
           config),
      anti_(anti),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)) {
  std::vector<double> shown;
  for (double t : theta_) shown.push_back(anti_ ? std::fmod(t + M_PI, 2 * M_PI) : t);
  cosines_ = ringCosines(theta_, shown);
}

void AntiReach::build(TrialBuilder& b) const {
  const size_t gt = b.rng().below(static_cast<uint64_t>(dimRing_));
  b.layoutPeriods();
  for (size_t p : {kFixation, kStimulus, kDelay}) b.addOb(b.period(p), 0, 1.0);
  b.addObRow(b.period(kStimulus), 1, &cosines_[gt * theta_.size()], dimRing_);
  b.setGroundTruth(b.period(kDecision), static_cast<int64_t>(gt) + 1);

  b.setParam(size_t{0}, static_cast<double>(gt));
  b.setParam(size_t{1}, anti_ ? 1.0 : 0.0);
}

}  // namespace mnemo
