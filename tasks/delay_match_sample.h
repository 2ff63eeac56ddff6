// DelayMatchSample-v0: delayed match-to-sample on a ring (Miller et al. 1996), ported from
// neurogym bit for bit (with the numpy generator).
//
// Periods: fixation 300 ms, sample 500, delay 1000, test 500, decision 900. Channels: fixation,
// stimulus 1..n (n = dimRing, theta_k = k*2pi/n). Draw order: ground truth (1 = match,
// 2 = non-match), the sample direction (one of the theta_k), period durations, noise over the
// stimulus channels in sample then in test. The test direction is the sample's (match) or the
// opposite one, (sample + pi) mod 2pi. Unit k shows cos(theta_k - direction) * 0.5 + 0.5 in its
// period; fixation is 1 except in decision; the label is the ground truth in decision.
//
// Metadata params: gt, sample_theta, test_theta.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// DelayMatchSample-v0.
class DelayMatchSample : public Task {
 public:
  static constexpr const char* kName = "DelayMatchSample-v0";

  explicit DelayMatchSample(const TaskConfig& config = {}, int dimRing = 2);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  std::vector<double> theta_;
  size_t sample_, test_, decision_;
};

}  // namespace mnemo
