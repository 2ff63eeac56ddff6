// PerceptualDecisionMakingDelayResponse-v0 (see pdm_delay_response.h).
#include "tasks/pdm_delay_response.h"

namespace mnemo {

namespace {
enum Period : size_t { kFixation, kStimulus, kDelay, kDecision };
const double kCohs[] = {0, 6.4, 12.8, 25.6, 51.2};
}  // namespace

PerceptualDecisionMakingDelayResponse::PerceptualDecisionMakingDelayResponse(const TaskConfig& config,
                                                                             double stimScale)
    : Task(Spec{kName,
                {{"fixation", 0},
                 {"stimulus", 1150},
                 {"delay", {300, 500, 700, 900, 1200, 2000, 3200, 4000}},
                 {"decision", 1500}},
                {"fixation", "stimulus1", "stimulus2"},
                {"fixate", "choice1", "choice2"},
                {"gt", "coh", "sigma"}},
           config),
      stimScale_(stimScale) {}

void PerceptualDecisionMakingDelayResponse::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int64_t gt = 1 + static_cast<int64_t>(rng.below(2));
  const double coh = kCohs[rng.below(5)] * stimScale_;

  b.layoutPeriods();
  const StepRange stimulus = b.period(kStimulus);
  for (size_t p : {kFixation, kStimulus, kDelay}) b.setOb(b.period(p), 0, 1.0);
  b.setOb(stimulus, 1, (1 - coh / 100) / 2);
  b.setOb(stimulus, 2, (1 - coh / 100) / 2);
  b.setOb(stimulus, static_cast<int>(gt), (1 + coh / 100) / 2);
  b.addNoise(stimulus, noiseStd(), 1, 2);
  b.setGroundTruth(b.period(kDecision), gt);

  b.setParam(size_t{0}, static_cast<double>(gt));
  b.setParam(size_t{1}, coh);
  b.setParam(size_t{2}, noiseStd());
}

}  // namespace mnemo
