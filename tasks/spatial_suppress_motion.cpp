// SpatialSuppressMotion-v0 (see spatial_suppress_motion.h).
#include "tasks/spatial_suppress_motion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "support/error.h"

namespace mnemo {

namespace {

enum Param : size_t { kDiameter, kContrast, kDirection };
const char* const kDirections[] = {"left", "right", "up", "down"};
const double kPi = 3.141592653589793;
const double kTheta[] = {-kPi / 2, kPi / 2, 0, kPi};  // the directions' angles
const int kOpposite[] = {1, 0, 3, 2};                 // 0-based: left <-> right, up <-> down
const int kPoolSize = 8;

std::vector<std::string> channelNames() {
  std::vector<std::string> names;
  for (const char* d : kDirections)
    for (int k = 1; k <= kPoolSize; ++k) names.push_back(std::string(d) + std::to_string(k));
  return names;
}

/// The measured curves, at frames 0 .. 6 (chance) and 7, 8, 9, 12, 14, 17, 20, 27, 35, 36, 37, 38.
const std::vector<double>& frames() {
  static const std::vector<double> f{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 17, 20, 27, 35, 36, 37, 38};
  return f;
}

std::vector<double> curve(std::vector<double> measured) {
  std::vector<double> y(7, 0.249);
  y.insert(y.end(), measured.begin(), measured.end());
  return y;
}

}  // namespace

std::vector<double> slinearInterpolate(const std::vector<double>& xs, const std::vector<double>& ys,
                                       const std::vector<double>& at) {
  const int n = static_cast<int>(xs.size());
  if (n < 2 || ys.size() != xs.size()) MNEMO_FAIL("slinear interpolation needs at least two points, as many x as y");
  for (int i = 1; i < n; ++i)
    if (!(xs[static_cast<size_t>(i)] > xs[static_cast<size_t>(i) - 1]))
      MNEMO_FAIL("slinear interpolation needs strictly increasing x");
  // Knots of the degree-1 B-spline: the first and last x doubled; coefficients are the ys.
  std::vector<double> t{xs.front()};
  t.insert(t.end(), xs.begin(), xs.end());
  t.push_back(xs.back());
  std::vector<double> out;
  out.reserve(at.size());
  int l = 1;  // interval: t[l] <= x < t[l + 1], searched from the previous one, within [1, n - 1]
  for (double x : at) {
    if (std::isnan(x)) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    if (!(1 < l && l < n)) l = 1;
    while (x < t[static_cast<size_t>(l)] && l != 1) --l;
    ++l;
    while (x >= t[static_cast<size_t>(l)] && l != n) ++l;
    --l;
    // de Boor, degree 1: the two basis values, then the coefficients summed from 0.
    const double xa = t[static_cast<size_t>(l)], xb = t[static_cast<size_t>(l) + 1];
    double left = 0, right = 0;
    if (xb != xa) {
      const double w = 1.0 / (xb - xa);
      left = 0.0 + w * (xb - x);
      right = w * (x - xa);
    }
    double v = 0.0 + ys[static_cast<size_t>(l) - 1] * left;
    v = v + ys[static_cast<size_t>(l)] * right;
    out.push_back(v);
  }
  return out;
}

SpatialSuppressMotion::SpatialSuppressMotion(const TaskConfig& config)
    : Task(Spec{kName,
                {{"stimulus", 300}},
                channelNames(),
                {kDirections[0], kDirections[1], kDirections[2], kDirections[3]},
                {"diameter", "contrast", "direction"},
                8.3,
                4},
           config) {
  for (int direction = 0; direction < 4; ++direction)
    for (bool strong : {false, true})
      for (int d = 0; d < 4; ++d)
        levels_[direction][strong][d] = (std::cos(kTheta[d] - kTheta[direction]) + 1) * (strong ? 0.99 : 0.05) / 2;
  // With a constant stimulus duration every trial is one of eight: its target rows are computed
  // once here (neurogym recomputes them per trial; the values are the same).
  const TimingSpec& timing = periodTimings()[0];
  if (timing.kind() != TimingSpec::Kind::Constant) return;
  cachedLength_ = static_cast<int>(floorToDt(timing.values().at(0), dt()) / dt());
  for (int direction = 1; direction <= 4; ++direction)
    for (bool strong : {false, true}) cachedRows_[direction - 1][strong] = targetRows(direction, strong, cachedLength_);
}

std::vector<std::vector<double>> SpatialSuppressMotion::targetRows(int direction, bool strong, int steps) {
  const std::vector<double> p = targetProbabilities(direction, strong, steps);
  std::vector<std::vector<double>> rows;
  for (int t = 0; t < steps; ++t) rows.emplace_back(p.begin() + 4 * t, p.begin() + 4 * (t + 1));
  return rows;
}

std::vector<double> SpatialSuppressMotion::targetProbabilities(int direction, bool strong, int steps) {
  if (direction < 1 || direction > 4) MNEMO_FAIL(kName << ": direction " << direction << " is not 1..4");
  std::vector<double> frameIndex;
  for (int t = 0; t < steps; ++t) frameIndex.push_back(t);
  const std::vector<double> same = slinearInterpolate(
      frames(),
      strong ? curve({0.249, 0.249, 0.249, 0.27, 0.32, 0.4583, 0.65, 0.85, 0.99, 0.99, 0.99, 0.99})
             : curve({0.25, 0.26, 0.2583, 0.325, 0.45, 0.575, 0.875, 0.933, 0.99, 0.99, 0.99, 0.99}),
      frameIndex);
  const std::vector<double> opposite = slinearInterpolate(
      frames(),
      strong ? curve({0.249, 0.29, 0.31, 0.4, 0.475, 0.4167, 0.3083, 0.075, 0.04, 0.04, 0.03, 0.03})
             : curve({0.25, 0.26, 0.2583, 0.267, 0.1417, 0.1167, 0.058, 0.016, 0.003, 0.003, 0.003, 0.003}),
      frameIndex);
  std::vector<double> p(static_cast<size_t>(steps) * 4);
  for (size_t t = 0; t < same.size(); ++t) {
    double* row = p.data() + 4 * t;
    const double orthogonal = (1 - (same[t] + opposite[t])) / 2;
    for (int d = 0; d < 4; ++d) row[d] = orthogonal;
    row[direction - 1] = same[t];
    row[kOpposite[direction - 1]] = opposite[t];
  }
  return p;
}

void SpatialSuppressMotion::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int direction = static_cast<int>(rng.below(4));  // 0-based; neurogym's 1 .. 4
  const bool strong = rng.below(2) == 1;
  const double contrast = strong ? 0.99 : 0.05;
  const int diameter = strong ? 8 : 1;
  b.layoutPeriods();
  const StepRange stimulus = b.period(size_t{0});

  // One row for every stimulus step, written row by row: each pool's first `diameter` units at
  // its level, the rest +0 as the inputs start (a level of -0 stays -0).
  double* row = b.scratchRow(4 * kPoolSize);
  std::fill(row, row + 4 * kPoolSize, 0.0);
  for (int d = 0; d < 4; ++d)
    for (int k = 0; k < diameter; ++k) row[d * kPoolSize + k] = levels_[direction][strong][d];
  b.setObRow(stimulus, 0, row, 4 * kPoolSize);

  const int length = stimulus.end - stimulus.begin;
  std::vector<std::vector<double>> computed;
  const std::vector<std::vector<double>>& rows =
      length == cachedLength_ ? cachedRows_[direction][strong] : (computed = targetRows(direction + 1, strong, length));
  for (int t = 0; t < length; ++t) b.setTarget({stimulus.begin + t, stimulus.begin + t + 1}, rows[static_cast<size_t>(t)]);

  b.setParam(kDiameter, diameter);
  b.setParam(kContrast, contrast);
  b.setParam(kDirection, direction + 1);
}

}  // namespace mnemo
