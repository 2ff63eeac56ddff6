// PerceptualDecisionMaking-v0: two-alternative (or n-alternative) random-dot-motion-like
// discrimination (Britten et al. 1992), ported from neurogym so that with the numpy generator its
// trials equal neurogym's bit for bit.
//
// Periods: fixation 100 ms, stimulus 2000, delay 0, decision 100 (defaults; overridable).
// Channels: 0 "fixation", 1..n "stimulus" (a ring of n = dimRing directions theta_k = k*2pi/n).
// Per trial, in draw order: ground truth g = choice(n), coherence = choice(cohs), the period
// durations, then N(0, (sigma/sqrt(dt))²) noise on the stimulus channels over the stimulus
// period (step-major). Fixation is 1 during the fixation period only (its end is the go cue);
// stimulus channel k holds cos(theta_k - theta_g) * (coh/200) + 0.5 during the stimulus. The
// label is 1 + g in the decision period, 0 elsewhere. There are no rewards or online step():
// mnemo trains supervised only.
//
// Metadata params (neurogym's trial dict): gt (its ground_truth: g, 0-based), coh.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// PerceptualDecisionMaking-v0.
class PerceptualDecisionMaking : public Task {
 public:
  /// Registry name.
  static constexpr const char* kName = "PerceptualDecisionMaking-v0";

  explicit PerceptualDecisionMaking(const TaskConfig& config = {}, int dimRing = 2,
                                    std::vector<double> cohs = {0, 6.4, 12.8, 25.6, 51.2});

  const std::vector<double>& coherences() const { return cohs_; }
  int dimRing() const { return dimRing_; }

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  std::vector<double> cohs_;
  std::vector<double> theta_;
  std::vector<double> cosines_;  // row g: cos(theta_k - theta_g)
  size_t fixation_, stimulus_, decision_;
};

}  // namespace mnemo
