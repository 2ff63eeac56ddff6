// DualDelayMatchSample-v0 (Panichello & Buschman 2019 style), ported from neurogym bit for bit
// (with the numpy generator).
//
// Two samples are held at once; a cue says which one the next test probes. Periods (500 ms
// each): fixation, sample, delay1, cue1, test1, delay2, cue2, test2. Channels: fixation (always
// 1), stimulus1 (2 units), stimulus2 (2 units), cue1, cue2. Draw order: ground truths g1, g2
// (1 = match, 2 = non-match), samples s1, s2 from {0, 0.5}, test order o from {0, 1}, period
// durations, then noise on every channel over sample, test1, test2 (in that order). A value x
// shows as (cos(x pi), sin(x pi)); test i shows s_i (match) or 0.5 - s_i. Order 0 probes
// sample 1 in (cue1, test1) and sample 2 in (cue2, test2); order 1 swaps the periods. The label
// of each test period is its probe's ground truth.
//
// Metadata params: ground_truth1, ground_truth2, sample1, sample2, test_order, test1, test2.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// DualDelayMatchSample-v0.
class DualDelayMatchSample : public Task {
 public:
  static constexpr const char* kName = "DualDelayMatchSample-v0";
  explicit DualDelayMatchSample(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;
};

}  // namespace mnemo
