// DelayMatchCategory-v0: delayed match-to-category (Freedman & Assad 2006), ported from neurogym
// bit for bit (with the numpy generator).
//
// Periods: fixation 500 ms, sample 650, first_delay 1000, test 650 (the answer is given during
// test). Channels: fixation, stimulus 1..n (n = dimRing, theta_k = k*2pi/n). Draw order:
// ground truth ('match' / 'non-match'), the sample category (0 or 1), a uniform u1 for the sample
// direction (category + u1) * pi, a uniform u2 for the test direction (test category + u2) * pi
// (same category on match trials, the other on non-match), period durations, noise over the
// stimulus channels in sample then in test. Unit k shows cos(theta_k - direction) * 0.5 + 0.5;
// fixation is 1 except in test; the label over test is 1 (match) or 2 (non-match).
//
// Metadata params: gt (text 'match' / 'non-match', value its label 1 / 2), sample_category.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// DelayMatchCategory-v0.
class DelayMatchCategory : public Task {
 public:
  static constexpr const char* kName = "DelayMatchCategory-v0";

  explicit DelayMatchCategory(const TaskConfig& config = {}, int dimRing = 2);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  std::vector<double> theta_;
  size_t sample_, test_;
};

}  // namespace mnemo
