// MultiSensoryIntegration-v0 (see multisensory_integration.h).
#include "tasks/multisensory_integration.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {

enum Period : size_t { kFixation, kStimulus, kDecision };
enum Param : size_t { kGt, kCoh, kCohProp };
const double kCohs[] = {5, 15, 50};

std::vector<std::string> channelNames(int n) {
  std::vector<std::string> names{"fixation"};
  for (int mod = 1; mod <= 2; ++mod)
    for (int k = 1; k <= n; ++k) names.push_back("stimulus_mod" + std::to_string(mod) + "_" + std::to_string(k));
  return names;
}

}  // namespace

MultiSensoryIntegration::MultiSensoryIntegration(const TaskConfig& config, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 300}, {"stimulus", 750}, {"decision", 100}},
                channelNames(dimRing),
                ringNames("fixate", "choice", dimRing),
                {"gt", "coh", "coh_prop"}},
           config),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)),
      cosines_(ringCosines(theta_, theta_)) {}

void MultiSensoryIntegration::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const size_t gt = rng.below(static_cast<uint64_t>(dimRing_));
  const double coh = kCohs[rng.below(3)];
  const double prop = rng.uniform();
  const double coh0 = coh * prop, coh1 = coh * (1 - prop);

  b.layoutPeriods();
  const StepRange stimulus = b.period(kStimulus), decision = b.period(kDecision);
  b.addOb(b.all(), 0, 1.0);
  const double* cosines = &cosines_[gt * theta_.size()];
  double* row = b.scratchRow(2 * dimRing_);
  for (int k = 0; k < dimRing_; ++k) {
    row[k] = cosines[k] * (coh0 / 200) + 0.5;
    row[dimRing_ + k] = cosines[k] * (coh1 / 200) + 0.5;
  }
  b.addObRow(stimulus, 1, row, 2 * dimRing_);
  b.addNoise(stimulus, noiseStd());
  b.setOb(decision, 0.0);
  b.setGroundTruth(decision, static_cast<int64_t>(gt) + 1);

  b.setParam(kGt, static_cast<double>(gt));
  b.setParam(kCoh, coh);
  b.setParam(kCohProp, prop);
}

}  // namespace mnemo
