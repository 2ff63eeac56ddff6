// GoNogo-v0: go / no-go with a delayed response (Zhou et al. 2019 style), ported from neurogym
// bit for bit (with the numpy generator).
//
// Periods: fixation 0 ms, stimulus 500, delay 500, decision 500. Channels: fixation, nogo, go.
// Draw: ground truth (0 = no-go, 1 = go), then period durations; no noise. Fixation is 1 except
// in decision; the stimulus period lights channel 1 + ground truth; the label is the ground
// truth in decision (0 = keep fixating, 1 = go).
//
// Metadata params: gt.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// GoNogo-v0.
class GoNogo : public Task {
 public:
  static constexpr const char* kName = "GoNogo-v0";

  explicit GoNogo(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;

 private:
  size_t stimulus_, decision_;
};

}  // namespace mnemo
