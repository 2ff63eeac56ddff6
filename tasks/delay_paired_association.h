// DelayPairedAssociation-v0 (Yu et al. 2019 style), ported from neurogym bit for bit (with the
// numpy generator).
//
// Two stimuli out of four, one after the other; respond (go) when the pair is associated.
// Periods: fixation 0 ms, stim1 1000, delay_btw_stim 1000, stim2 1000, delay_aft_stim 1000,
// decision 500. Channels: fixation (1 until the decision), stimulus units 1..4. Draw: the pair
// from (1,3), (1,4), (2,3), (2,4) only; the pair is associated (ground truth 1) when its two
// units differ by an even number. stim1 lights unit pair[0], stim2 unit pair[1]; all channels
// are 0 in the decision; the label there is the ground truth (0 = no-go, 1 = go).
//
// Metadata params: pair_0, pair_1, gt.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// DelayPairedAssociation-v0.
class DelayPairedAssociation : public Task {
 public:
  static constexpr const char* kName = "DelayPairedAssociation-v0";
  explicit DelayPairedAssociation(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;
};

}  // namespace mnemo
