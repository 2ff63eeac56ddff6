// PerceptualDecisionMakingDelayResponse-v0 (Inagaki et al. 2019), ported from neurogym bit for
// bit (with the numpy generator).
//
// Which of two noisy channels is larger on average, answered after a variable delay. Periods:
// fixation 0 ms, stimulus 1150, delay one of {300, 500, 700, 900, 1200, 2000, 3200, 4000},
// decision 1500. Channels (unnamed in neurogym): fixation, stimulus 1, stimulus 2. Draw order:
// ground truth g in {1, 2}, coh from {0, 6.4, 12.8, 25.6, 51.2} x stimScale, durations, then
// noise N(0, (sigma/sqrt(dt))²) on both stimulus channels over the stimulus. Fixation is 1 in
// fixation, stimulus and delay; stimulus channel g holds (1 + coh/100)/2, the other (1 -
// coh/100)/2 (each rounded to float32 before the noise is added). Label g in decision.
//
// Metadata params: gt, coh, sigma.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// PerceptualDecisionMakingDelayResponse-v0.
class PerceptualDecisionMakingDelayResponse : public Task {
 public:
  static constexpr const char* kName = "PerceptualDecisionMakingDelayResponse-v0";
  explicit PerceptualDecisionMakingDelayResponse(const TaskConfig& config = {}, double stimScale = 1.0);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  double stimScale_;
};

}  // namespace mnemo
