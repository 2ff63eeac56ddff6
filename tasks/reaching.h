// Reaching1D-v0 and Reaching1DWithSelfDistraction-v0, ported from neurogym bit for bit (with the
// numpy generator), including neurogym's label quirk.
//
// A target angle g = uniform(0, 2pi) is shown during reach (500 ms, after fixation 500 ms).
// Reaching1D: 32 channels, target ring units 0..15 hold cos(theta_k - g) (theta_k = k*2pi/16)
// during reach, the "self" units 16..31 stay 0 (neurogym fills them only in its online step()).
// WithSelfDistraction: 32 units hold 0.3 cos(theta_k - g), theta_k = k*2pi/32.
// Labels: neurogym writes the ANGLES into its int64 target array, so the fixation label is
// trunc(pi) = 3 and the reach label trunc(g) in 0..6, although the action space has only 3
// actions (fixate, left, right). These tasks are for reinforcement learning in neurogym; their
// supervised targets are not class labels (kept as they are for equality with neurogym).
//
// Metadata params: gt (the angle g).
#pragma once

#include <vector>

#include "tasks/neurogym_util.h"
#include "tasks/task.h"

namespace mnemo {

/// Reaching1D-v0.
class Reaching1D : public Task {
 public:
  static constexpr const char* kName = "Reaching1D-v0";
  explicit Reaching1D(const TaskConfig& config = {}, int dimRing = 16);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  RingTuning ring_;
};

/// Reaching1DWithSelfDistraction-v0.
class Reaching1DWithSelfDistraction : public Task {
 public:
  static constexpr const char* kName = "Reaching1DWithSelfDistraction-v0";
  explicit Reaching1DWithSelfDistraction(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;

 private:
  RingTuning ring_;
};

}  // namespace mnemo
