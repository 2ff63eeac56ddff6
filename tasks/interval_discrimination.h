// IntervalDiscrimination-v0 (Genovesio et al. 2009), ported from neurogym bit for bit (with the
// numpy generator). Default dt 80 ms.
//
// Which of two stimuli lasted longer? Periods: fixation 300 ms, stim1 uniform(300, 600), delay1
// uniform(800, 1500), stim2 uniform(300, 600), delay2 500, decision 300 (each floored to dt).
// The two stimulus durations are drawn FIRST (stim1, then stim2), then the other periods in
// order (so delay1's draw comes after both). Channels: fixation (1 until the decision), stim1,
// stim2 (1 during their periods); all 0 in the decision. Label: 1 if stim1 was longer, else 2.
//
// Metadata params: duration1, duration2, gt.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// IntervalDiscrimination-v0.
class IntervalDiscrimination : public Task {
 public:
  static constexpr const char* kName = "IntervalDiscrimination-v0";
  explicit IntervalDiscrimination(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;
};

}  // namespace mnemo
