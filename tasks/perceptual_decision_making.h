// PerceptualDecisionMaking-v0: two-alternative random-dot-motion-like discrimination
// (Britten et al. 1992), a simplified port of neurogym's task.
//
// Periods: fixation 100 ms, stimulus 2000, delay 0, decision 100 (defaults; overridable).
// Per trial: choice c uniform in {0, 1} (label c + 1), coherence uniform among
// {0, 6.4, 12.8, 25.6, 51.2}. Channel 0 "fixation" is 1 in fixation, stimulus and delay and 0 in
// the decision period (the go cue). Channels 1, 2 ("stimulus left/right") hold
// 0.5 + cos(theta_k - theta_c) * coh/200 with theta = (0, pi) during the stimulus period — so the
// chosen side gets 0.5 + coh/200 and the other 0.5 - coh/200 — plus N(0, (sigma/sqrt(dt))²)
// noise on the two stimulus channels only. Label c + 1 at the decision step(s), 0 elsewhere.
// Draw order per trial: choice, coherence, period durations, stimulus noise.
//
// Simplified relative to neurogym: the ring has exactly two directions (no dim_ring option);
// the fixation cue stays on through stimulus and delay as in neurogym's 2020-21 releases (later
// releases show it only in the fixation period); there are no rewards or online step() (mnemo
// trains supervised only). Metadata params: coh, choice (0 or 1).
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// PerceptualDecisionMaking-v0.
class PerceptualDecisionMaking : public Task {
 public:
  /// Registry name.
  static constexpr const char* kName = "PerceptualDecisionMaking-v0";

  explicit PerceptualDecisionMaking(const TaskConfig& config = {},
                                    std::vector<double> cohs = {0, 6.4, 12.8, 25.6, 51.2});

  const std::vector<double>& coherences() const { return cohs_; }

 protected:
  void build(TrialBuilder& b) const override;

 private:
  std::vector<double> cohs_;
};

}  // namespace mnemo
