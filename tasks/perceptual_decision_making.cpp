// PerceptualDecisionMaking-v0 (see perceptual_decision_making.h).
#include "tasks/perceptual_decision_making.h"

#include <cmath>

#include "support/error.h"
#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
enum Param : size_t { kGroundTruth, kCoh };  // the order of the Spec's parameter names
}

PerceptualDecisionMaking::PerceptualDecisionMaking(const TaskConfig& config, int dimRing,
                                                   std::vector<double> cohs)
    : Task(Spec{kName,
                {{"fixation", 100}, {"stimulus", 2000}, {"delay", 0}, {"decision", 100}},
                ringNames("fixation", "stimulus", dimRing),
                ringNames("fixate", "choice", dimRing),
                {"gt", "coh"}},
           config),
      dimRing_(dimRing),
      cohs_(std::move(cohs)),
      theta_(ringAngles(dimRing)),
      cosines_(ringCosines(theta_, theta_)) {
  if (cohs_.empty()) MNEMO_FAIL(kName << ": the list of coherences is empty");
  fixation_ = periodIndex("fixation");
  stimulus_ = periodIndex("stimulus");
  decision_ = periodIndex("decision");
}

void PerceptualDecisionMaking::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const size_t gt = rng.below(static_cast<uint64_t>(dimRing_));
  const double coh = cohs_[rng.below(cohs_.size())];

  b.layoutPeriods();
  const StepRange stimulus = b.period(stimulus_);
  b.addOb(b.period(fixation_), 0, 1.0);
  const double* cosines = &cosines_[gt * theta_.size()];
  double* row = b.scratchRow(dimRing_);
  for (int k = 0; k < dimRing_; ++k) row[k] = cosines[k] * (coh / 200) + 0.5;
  b.addObRow(stimulus, 1, row, dimRing_);
  b.addNoise(stimulus, noiseStd(), 1, dimRing_);
  b.setGroundTruth(b.period(decision_), static_cast<int64_t>(gt) + 1);

  b.setParam(kGroundTruth, static_cast<double>(gt));
  b.setParam(kCoh, coh);
}

}  // namespace mnemo
