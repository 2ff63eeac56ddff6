// AntiReach-v0 (Munoz & Everling 2004), ported from neurogym bit for bit (with the numpy
// generator).
//
// A target on a ring of n = dimRing units (default 32); the answer is the target itself (pro)
// or the opposite direction (anti, the default). Periods: fixation 500 ms, stimulus 500, delay 0,
// decision 500. Channels: fixation (1 until the decision), stimulus 1..n (cos(theta_k -
// shown) in stimulus, shown = (theta_g + pi) mod 2pi for anti, theta_g for pro). Draw: ground
// truth g (0..n-1) only; no noise. Label 1 + g in decision.
//
// Metadata params: gt, anti (0 / 1).
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// AntiReach-v0.
class AntiReach : public Task {
 public:
  static constexpr const char* kName = "AntiReach-v0";
  explicit AntiReach(const TaskConfig& config = {}, bool anti = true, int dimRing = 32);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  bool anti_;
  int dimRing_;
  std::vector<double> theta_;
  std::vector<double> cosines_;  // row g: the stimulus ring for ground truth g
};

}  // namespace mnemo
