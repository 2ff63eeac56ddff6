// PerceptualDecisionMaking-v0 (see perceptual_decision_making.h).
#include "tasks/perceptual_decision_making.h"

#include <cmath>

#include "graph/error.h"

namespace mnemo {

PerceptualDecisionMaking::PerceptualDecisionMaking(const TaskConfig& config,
                                                   std::vector<double> cohs)
    : Task(Spec{kName,
                {{"fixation", 100}, {"stimulus", 2000}, {"delay", 0}, {"decision", 100}},
                {"fixation", "stimulus left", "stimulus right"},
                {"fixate", "choose left", "choose right"},
                {"coh", "choice"}},
           config),
      cohs_(std::move(cohs)) {
  if (cohs_.empty()) MNEMO_FAIL(kName << ": the list of coherences is empty");
}

void PerceptualDecisionMaking::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int choice = static_cast<int>(rng.below(2));
  const double coh = cohs_[rng.below(cohs_.size())];

  b.layoutPeriods();
  const StepRange fixation = b.period("fixation"), stimulus = b.period("stimulus"),
                  delay = b.period("delay");
  b.addOb(fixation, 0, 1.0);
  b.addOb(stimulus, 0, 1.0);
  b.addOb(delay, 0, 1.0);
  const double pi = std::acos(-1.0);
  for (int k = 0; k < 2; ++k) {
    const double theta = k * pi, thetaChoice = choice * pi;
    b.addOb(stimulus, 1 + k, std::cos(theta - thetaChoice) * (coh / 200.0) + 0.5);
  }
  b.addNoise(stimulus, noiseStd(), 1, 2);
  b.setGroundTruth(b.period("decision"), choice + 1);

  b.setParam("coh", coh);
  b.setParam("choice", choice);
}

}  // namespace mnemo
