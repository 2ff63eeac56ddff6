// SpatialSuppressMotion-v0 (Tadin et al. 2003), ported from neurogym bit for bit (with the numpy
// generator): a continuous-target task whose targets are human choice probabilities.
//
// A motion stimulus moves in one of four directions (1 left, 2 right, 3 up, 4 down), either small
// and faint (contrast 0.05, diameter 1) or large and strong (contrast 0.99, diameter 8). One
// period, stimulus 300 ms; at the default dt of 8.3 ms (a 120 Hz frame) that floors to
// (300 // 8.3) * 8.3 = 298.8 ms = 36 steps. Draw order: direction (choice of 4), contrast (choice
// of 2). No noise.
//
// Inputs: 32 channels, four pools of 8 (pool d = direction d); unit k < diameter of pool d holds
// (cos(theta_d - theta_dir) + 1) * contrast / 2 with theta = (-pi/2, pi/2, 0, pi); the rest 0.
// Targets (4 per step, float32): the probability of reporting each direction at frame t: the
// true direction, the opposite one and the two orthogonal ones ((1 - true - opposite) / 2 each),
// interpolated piecewise-linearly over time from measured values (scipy's interp1d(kind=
// 'slinear', fill_value='extrapolate'), reproduced in slinearInterpolate). Labels stay 0: train
// with `mse(pred, target, mask)`.
//
// Metadata params: diameter, contrast, direction.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// SpatialSuppressMotion-v0.
class SpatialSuppressMotion : public Task {
 public:
  static constexpr const char* kName = "SpatialSuppressMotion-v0";
  explicit SpatialSuppressMotion(const TaskConfig& config = {});

  /// The float64 targets of the first \p steps steps, [steps, 4] row-major, for \p direction
  /// 1 .. 4 and the strong (contrast 0.99) or faint (0.05) stimulus: neurogym's getgroundtruth.
  static std::vector<double> targetProbabilities(int direction, bool strong, int steps);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  /// targetProbabilities as one row per step.
  static std::vector<std::vector<double>> targetRows(int direction, bool strong, int steps);
  /// Input level of pool d by direction - 1 and strength: (cos(theta_d - theta_dir) + 1) * contrast / 2.
  double levels_[4][2][4];
  int cachedLength_ = -1;  ///< the stimulus steps of every trial when its duration is constant
  std::vector<std::vector<double>> cachedRows_[4][2];  ///< targetRows by direction - 1 and strength
};

/// scipy's interp1d(xs, ys, kind='slinear', fill_value='extrapolate')(at), bit for bit: a degree-1
/// B-spline through (xs, ys) with knots (xs[0], xs..., xs[n-1]), evaluated by de Boor's
/// recursion in its arithmetic order (outside [xs[0], xs[n-1]] the end pieces extend). \p xs must
/// be strictly increasing, at least two points; throws mnemo::Error otherwise.
std::vector<double> slinearInterpolate(const std::vector<double>& xs, const std::vector<double>& ys,
                                       const std::vector<double>& at);

}  // namespace mnemo
