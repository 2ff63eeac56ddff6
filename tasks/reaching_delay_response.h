// ReachingDelayResponse-v0, ported from neurogym bit for bit (with the numpy generator): mnemo's
// first task with a continuous target (neurogym's Box action space).
//
// A reach direction g = uniform(lowbound, highbound) (default 0 .. 1) is shown, then remembered
// over a delay and reported. Periods: stimulus 500 ms, delay choice(0, 1000, 2000), decision 500.
// Channels: go, stimulus. Stimulus rows: [0, g]; delay rows [0, -0.5]; decision rows [1, -0.5].
// Targets (2 values per step, float32): [-1, -0.5] in stimulus and delay ("do not go"), [1, g] in
// decision (go, to g). Draw order: g, then the delay. No noise. Labels stay 0: train it with
// `mse(pred, target, mask)` (docs/DSL.md), not cross-entropy.
//
// Metadata params: gt (the direction g).
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// ReachingDelayResponse-v0.
class ReachingDelayResponse : public Task {
 public:
  static constexpr const char* kName = "ReachingDelayResponse-v0";
  explicit ReachingDelayResponse(const TaskConfig& config = {}, double lowbound = 0.0, double highbound = 1.0);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  double low_, high_;
};

}  // namespace mnemo
