// Helpers shared by the neurogym ports (see neurogym_util.h).
#include "tasks/neurogym_util.h"

#include <cmath>

#include "support/error.h"

namespace mnemo {

std::vector<double> ringAngles(int n) {
  if (n < 1) MNEMO_FAIL("a ring needs at least one direction, got " << n);
  const double step = 2 * M_PI / n;
  std::vector<double> theta(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) theta[static_cast<size_t>(k)] = k * step;
  return theta;
}

std::vector<double> ringCosines(const std::vector<double>& theta, const std::vector<double>& locations) {
  std::vector<double> table;
  table.reserve(theta.size() * locations.size());
  for (double location : locations)
    for (double t : theta) table.push_back(std::cos(t - location));
  return table;
}

RingTuning::RingTuning(int n) : theta_(ringAngles(n)) {
  for (double t : theta_) {
    cos_.push_back(std::cos(t));
    sin_.push_back(std::sin(t));
  }
}

void RingTuning::fill(double direction, double scale, bool exact, double* row) const {
  const size_t n = theta_.size();
  if (exact) {
    for (size_t k = 0; k < n; ++k) row[k] = std::cos(theta_[k] - direction) * scale;
    return;
  }
  const double c = std::cos(direction), s = std::sin(direction);
  for (size_t k = 0; k < n; ++k) row[k] = (cos_[k] * c + sin_[k] * s) * scale;
}

std::vector<std::string> ringNames(const std::string& first, const std::string& ring, int n) {
  if (n < 1) MNEMO_FAIL("a ring needs at least one unit, got " << n);
  std::vector<std::string> names{first};
  for (int k = 1; k <= n; ++k) names.push_back(ring + std::to_string(k));
  return names;
}

TimingSpec derivedTiming(const std::string& description) {
  return TimingSpec::function(
      [description](Rng&) -> double {
        MNEMO_FAIL("internal: the derived period (" << description << ") cannot be sampled");
      },
      description);
}

}  // namespace mnemo
