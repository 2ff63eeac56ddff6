// Small pieces shared by the neurogym task ports (see tasks/NEUROGYM_PORTING.md for the traps
// a port must reproduce).
#pragma once

#include <string>
#include <vector>

#include "tasks/timing.h"

namespace mnemo {

/// neurogym's ring of n directions, theta_k = k * (2 pi / n) in float64: the value of
/// np.linspace(0, 2pi, n, endpoint=False), np.linspace(0, 2pi, n+1)[:-1] and
/// np.arange(0, 2pi, 2pi/n) alike.
std::vector<double> ringAngles(int n);

/// cos(theta[k] - locations[g]) for every location g and direction k, row g at g * theta.size():
/// what a ring shows for a stimulus at a location the task draws from a fixed list, computed once
/// per task instead of once per trial (the same std::cos values).
std::vector<double> ringCosines(const std::vector<double>& theta, const std::vector<double>& locations);

/// A ring of n directions (ringAngles) with their cosines and sines, for the row
/// cos(theta_k - direction) of a direction drawn per trial.
class RingTuning {
 public:
  explicit RingTuning(int n);
  int size() const { return static_cast<int>(theta_.size()); }
  const std::vector<double>& theta() const { return theta_; }
  /// row[k] = cos(theta_k - direction) * scale. exact (numpy's generator): std::cos of each
  /// difference, neurogym's values bit for bit. Otherwise cos theta_k cos d + sin theta_k sin d,
  /// two libm calls per trial instead of n, equal to a few units in the last place.
  void fill(double direction, double scale, bool exact, double* row) const;

 private:
  std::vector<double> theta_, cos_, sin_;
};

/// Channel (or action) names for a leading unit and a ring of n: {first, "<ring>1", ...,
/// "<ring>n"}; throws mnemo::Error if n < 1.
std::vector<std::string> ringNames(const std::string& first, const std::string& ring, int n);

/// The timing of a period whose duration the task computes itself (e.g. "2 x production"): it
/// is listed among the task's periods but never sampled (sampling it is an internal error).
TimingSpec derivedTiming(const std::string& description);

}  // namespace mnemo
