// findFixedPoints and its helpers (see analysis/fixed_points.h).
#include "analysis/fixed_points.h"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "support/error.h"
#include "tasks/rng.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/// Orders q values with NaN (a diverged candidate) last: plain < is no ordering once a NaN is
/// among them, and a sort by it can leave a NaN between two good candidates.
bool qBefore(float a, float b) { return std::isnan(b) ? !std::isnan(a) : a < b; }

double median(std::vector<float> v) {
  if (v.empty()) return std::nan("");
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end(), qBefore);
  return *mid;
}

/// Step 1: every candidate descends q together, through mnemo's autodiff and Adam.
void descend(const Checkpoint& ckpt, const FixedPointOptions& o, const FixedPointProgress& progress,
             FixedPointSearch& out) {
  const int64_t C = static_cast<int64_t>(out.initial.size()) / out.layout.total;
  StepGraph step(ckpt, C, StepGraphUse::Minimise, out.input, o.fuse);
  out.compileMs += step.compileMilliseconds();
  const auto start = std::chrono::steady_clock::now();
  step.setStates(out.initial);
  step.startAdam(o.learningRate);
  const int64_t every = std::max<int64_t>(1, o.iterations / 20);
  const double decay = o.iterations > 1 ? std::log(o.finalLearningRate / o.learningRate) / double(o.iterations - 1) : 0;
  for (int64_t it = 0; it < o.iterations; ++it) {
    step.adamStep(o.learningRate * std::exp(decay * double(it)));
    if (progress && ((it + 1) % every == 0 || it + 1 == o.iterations)) {
      const std::vector<float> q = step.q();
      const int64_t below = std::count_if(q.begin(), q.end(), [&](float v) { return v < o.tolerance; });
      float smallest = std::numeric_limits<float>::infinity();
      for (float v : q) smallest = std::min(smallest, v);
      progress(it + 1, o.iterations, median(q), smallest, below);
    }
  }
  step.evaluate();
  out.final = step.states();
  out.finalQ = step.q();
  out.descentMs = millisecondsSince(start);
}

/// ½‖F − h‖² of candidate \p c, in double.
double qOf(const std::vector<float>& next, const std::vector<float>& h, int64_t c, int64_t D) {
  double q = 0;
  for (int64_t i = c * D; i < (c + 1) * D; ++i) q += (double(next[i]) - h[i]) * (double(next[i]) - h[i]);
  return 0.5 * q;
}

/// Step 1b: guarded Newton steps on every candidate (see the header).
void polish(const Checkpoint& ckpt, const FixedPointOptions& o, FixedPointSearch& s) {
  const int64_t D = s.layout.total, C = s.candidates();
  if (o.newtonSteps < 1 || std::none_of(s.finalQ.begin(), s.finalQ.end(), [&](float q) { return q < o.newtonBelow; }))
    return;
  StepGraph step(ckpt, C, StepGraphUse::Jacobian, s.input, o.fuse);
  s.compileMs += step.compileMilliseconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<float> h = s.final;
  std::vector<bool> improved(static_cast<size_t>(C), false);
  for (int64_t round = 0; round < o.newtonSteps; ++round) {
    step.setStates(h);
    step.evaluate();
    const std::vector<float> next = step.next();
    const std::vector<double> jac = step.jacobians();
    std::vector<float> trial = h;
    for (int64_t c = 0; c < C; ++c) {
      if (!(s.finalQ[static_cast<size_t>(c)] < o.newtonBelow)) continue;  // Adam's q decides who is polished
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> J(jac.data() + c * D * D, D, D);
      Eigen::VectorXd residual(D), at(D);
      for (int64_t i = 0; i < D; ++i) {
        residual(i) = double(next[c * D + i]) - h[c * D + i];
        at(i) = h[c * D + i];
      }
      const Eigen::VectorXd delta = (J - Eigen::MatrixXd::Identity(D, D)).partialPivLu().solve(-residual);
      if (!delta.allFinite() || delta.norm() > 0.1 * (1 + at.norm())) continue;
      for (int64_t i = 0; i < D; ++i) trial[c * D + i] = static_cast<float>(at(i) + delta(i));
    }
    step.setStates(trial);
    step.evaluate();
    const std::vector<float> trialNext = step.next();
    for (int64_t c = 0; c < C; ++c) {
      const double before = qOf(next, h, c, D), after = qOf(trialNext, trial, c, D);
      if (!(after < before)) continue;
      std::copy(trial.begin() + c * D, trial.begin() + (c + 1) * D, h.begin() + c * D);
      improved[static_cast<size_t>(c)] = true;
    }
  }
  step.setStates(h);
  step.evaluate();
  const std::vector<float> next = step.next();
  for (int64_t c = 0; c < C; ++c) s.finalQ[static_cast<size_t>(c)] = static_cast<float>(qOf(next, h, c, D));
  s.final = h;
  s.newtonImproved = std::count(improved.begin(), improved.end(), true);
  s.newtonMs = millisecondsSince(start);
}

double distance(const float* a, const float* b, int64_t D) {
  double s = 0;
  for (int64_t i = 0; i < D; ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s);
}

/// Step 2: the candidates below the tolerance, merged greedily from the smallest q up.
std::vector<FixedPoint> keepAndMerge(const FixedPointSearch& s, const FixedPointOptions& o) {
  const int64_t D = s.layout.total;
  std::vector<size_t> order(s.finalQ.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return qBefore(s.finalQ[a], s.finalQ[b]); });
  std::vector<FixedPoint> points;
  for (size_t c : order) {
    if (!(s.finalQ[c] < o.tolerance)) break;  // sorted: the rest are above (NaN fails too)
    const float* h = s.final.data() + c * static_cast<size_t>(D);
    auto near = std::find_if(points.begin(), points.end(),
                             [&](const FixedPoint& p) { return distance(p.state.data(), h, D) < o.mergeDistance; });
    if (near != points.end()) {
      ++near->merged;
      continue;
    }
    FixedPoint p;
    p.state.assign(h, h + D);
    p.q = s.finalQ[c];
    points.push_back(std::move(p));
  }
  return points;
}

/// Steps 3 and 4: Jacobians by autodiff, checked by finite differences, then eigenvalues.
void linearise(const Checkpoint& ckpt, const FixedPointOptions& o, FixedPointSearch& s) {
  s.jacobianCheck = std::nan("");
  if (s.points.empty()) return;
  const int64_t D = s.layout.total, K = static_cast<int64_t>(s.points.size());
  StepGraph step(ckpt, K, StepGraphUse::Jacobian, s.input, o.fuse);
  s.compileMs += step.compileMilliseconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<float> states;
  for (const FixedPoint& p : s.points) states.insert(states.end(), p.state.begin(), p.state.end());
  step.setStates(states);
  const std::vector<double> jac = step.jacobians();
  const std::vector<double> fd = finiteDifferenceJacobians(step, states, o.finiteDifferenceStep);
  s.jacobianCheck = 0;
  for (size_t i = 0; i < jac.size(); ++i) s.jacobianCheck = std::max(s.jacobianCheck, std::fabs(jac[i] - fd[i]));
  for (int64_t k = 0; k < K; ++k) {
    FixedPoint& p = s.points[static_cast<size_t>(k)];
    p.jacobian.assign(jac.begin() + k * D * D, jac.begin() + (k + 1) * D * D);
    classify(p, D);
  }
  s.jacobianMs = millisecondsSince(start);
}

}  // namespace

FixedPointSearch findFixedPoints(const Checkpoint& ckpt, const std::vector<float>& input,
                                 const std::vector<float>& initial, const FixedPointOptions& options,
                                 const FixedPointProgress& progress) {
  if (options.iterations < 1) MNEMO_FAIL("fixed points: need at least one iteration, got " << options.iterations);
  if (!(options.learningRate > 0) || !(options.finalLearningRate > 0))
    MNEMO_FAIL("fixed points: learning rates must be positive");
  FixedPointSearch s;
  s.input = input;
  s.initial = initial;
  // The layout comes from the step itself (a one-candidate compile is cheap and checks the model).
  {
    StepGraph probe(ckpt, 1, StepGraphUse::Minimise, input, false);
    s.layout = probe.layout();
  }
  const int64_t D = s.layout.total;
  if (initial.empty() || static_cast<int64_t>(initial.size()) % D != 0)
    MNEMO_FAIL("fixed points: " << initial.size() << " initial values are not whole states of " << D);
  descend(ckpt, options, progress, s);
  polish(ckpt, options, s);
  s.points = keepAndMerge(s, options);
  linearise(ckpt, options, s);
  return s;
}

std::vector<float> sampleCandidates(const std::vector<float>& rows, int64_t D, int64_t count, double noise,
                                    uint64_t seed) {
  const int64_t n = static_cast<int64_t>(rows.size()) / D;
  if (n < 1) MNEMO_FAIL("fixed points: no states to sample candidates from");
  Rng rng(seed);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(count * D));
  for (int64_t c = 0; c < count; ++c) {
    const size_t row = rng.below(static_cast<uint64_t>(n));
    for (int64_t i = 0; i < D; ++i) out.push_back(static_cast<float>(rows[row * D + i] + noise * rng.normal()));
  }
  return out;
}

std::vector<double> finiteDifferenceJacobians(StepGraph& step, const std::vector<float>& states, double h) {
  const int64_t D = step.layout().total, K = step.candidates();
  std::vector<double> out(static_cast<size_t>(K * D * D));
  for (int64_t col = 0; col < D; ++col) {
    std::vector<float> plus = states, minus = states;
    for (int64_t k = 0; k < K; ++k) {
      plus[static_cast<size_t>(k * D + col)] += static_cast<float>(h);
      minus[static_cast<size_t>(k * D + col)] -= static_cast<float>(h);
    }
    step.setStates(plus);
    step.evaluate();
    const std::vector<float> up = step.next();
    step.setStates(minus);
    step.evaluate();
    const std::vector<float> down = step.next();
    for (int64_t k = 0; k < K; ++k) {
      const size_t at = static_cast<size_t>(k * D + col);
      const double delta = double(plus[at]) - double(minus[at]);  // the step the floats really took
      for (int64_t row = 0; row < D; ++row)
        out[static_cast<size_t>((k * D + row) * D + col)] =
            (double(up[static_cast<size_t>(k * D + row)]) - down[static_cast<size_t>(k * D + row)]) / delta;
    }
  }
  step.setStates(states);
  return out;
}

void classify(FixedPoint& point, int64_t D) {
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> J(point.jacobian.data(), D, D);
  Eigen::EigenSolver<Eigen::MatrixXd> solver(Eigen::MatrixXd(J), /*computeEigenvectors=*/true);
  if (solver.info() != Eigen::Success) MNEMO_FAIL("fixed points: the eigenvalue solver did not converge");
  const Eigen::VectorXcd values = solver.eigenvalues();
  std::vector<Eigen::Index> order(static_cast<size_t>(D));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return std::abs(values[a]) > std::abs(values[b]); });
  point.eigenvalues.clear();
  point.unstableModes = 0;
  for (Eigen::Index i : order) {
    point.eigenvalues.push_back(values[i]);
    point.unstableModes += std::abs(values[i]) > 1.0;
  }
  point.leadingDirection.clear();
  if (point.unstableModes == 0) return;
  const Eigen::VectorXcd v = solver.eigenvectors().col(order.front());
  Eigen::VectorXd direction = v.real();
  if (direction.norm() < 1e-9) direction = v.imag();
  direction.normalize();
  point.leadingDirection.assign(direction.data(), direction.data() + D);
}

}  // namespace mnemo
