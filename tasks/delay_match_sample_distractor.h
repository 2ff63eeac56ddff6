// DelayMatchSampleDistractor1D-v0, ported from neurogym bit for bit (with the numpy generator).
//
// A sample direction, then three tests separated by delays; exactly one test repeats the sample
// and the answer is "match" (label 1) during that test. Periods: fixation 300 ms, sample 500,
// delay1 1000, test1 500, delay2 1000, test2 500, delay3 1000, test3 500. Channels: fixation (1
// in fixation only), stimulus 1..32 (cos(theta_k - direction), theta_k = k*2pi/32, in sample
// and in each test; no noise). Draw order: which test matches (1..3), the sample direction
// uniform(0, 2pi), then for tests 1..3 in order a fresh uniform(0, 2pi) for each non-matching
// one.
//
// Metadata params: gt, sample, test1, test2, test3.
#pragma once

#include <vector>

#include "tasks/neurogym_util.h"
#include "tasks/task.h"

namespace mnemo {

/// DelayMatchSampleDistractor1D-v0.
class DelayMatchSampleDistractor1D : public Task {
 public:
  static constexpr const char* kName = "DelayMatchSampleDistractor1D-v0";
  explicit DelayMatchSampleDistractor1D(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;

 private:
  RingTuning ring_;
};

}  // namespace mnemo
