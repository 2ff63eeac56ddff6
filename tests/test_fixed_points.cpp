// The fixed-point finder (analysis/fixed_points.h) on systems whose answers are known:
// a linear map h' = A h + b + c u with A built from chosen eigenvalues (the fixed point is
// (I − A)⁻¹(b + c u), solved in double by Eigen), a two-state linear model (the concatenated
// state), and a 2-D bistable map with two stable points and a saddle between them.
#include <catch2/catch.hpp>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>

#include "analysis/fixed_points.h"
#include "tasks/rng.h"

using namespace mnemo;

namespace {

const char* kLinearModel = R"(model linear
size I = 1, H = 5, O = 2
input x : f32[T, B, I]
target labels : i64[T, B]
param w : [H, H] = zeros
param b : [H] = zeros
param w_in : [I, H] = zeros
param w_ro : [H, O] = zeros
state h : [B, H] = zeros
step t {
  h = h @ w + b + x[t] @ w_in
  out o = h @ w_ro
}
loss = cross_entropy(o, labels)
)";

const char* kBistableModel = R"(model bistable
size I = 1, H = 2, O = 2
input x : f32[T, B, I]
target labels : i64[T, B]
param g : [H] = zeros
param c : [H] = zeros
param w_in : [I, H] = zeros
param w_ro : [H, O] = zeros
state h : [B, H] = zeros
step t {
  h = h + h * g - h * h * h * c + x[t] @ w_in
  out o = h @ w_ro
}
loss = cross_entropy(o, labels)
)";

const char* kTwoStateModel = R"(model two_states
size I = 1, O = 2
input x : f32[T, B, I]
target labels : i64[T, B]
param a_hh : [1, 1] = zeros
param a_hc : [1, 1] = zeros
param a_ch : [1, 1] = zeros
param a_cc : [1, 1] = zeros
param w_ro : [1, O] = zeros
state h : [B, 1] = zeros
state c : [B, 1] = zeros
step t {
  hn = h @ a_hh + c @ a_hc + x[t]
  c = h @ a_ch + c @ a_cc
  h = hn
  out o = h @ w_ro
}
loss = cross_entropy(o, labels)
)";

Checkpoint checkpointOf(const char* source, const std::string& file) {
  Checkpoint ckpt;
  ckpt.config.modelSource = source;
  ckpt.config.modelFile = file;
  return ckpt;
}

void setParam(Checkpoint& ckpt, const std::string& name, Dims dims, std::vector<float> values) {
  ckpt.params[name] = StoredTensor{std::move(dims), std::move(values)};
}

/// h1' = h1 + 0.1 (h1 − h1³), h2' = 0.5 h2.
Checkpoint bistableCheckpoint() {
  Checkpoint ckpt = checkpointOf(kBistableModel, "bistable.mnemo");
  setParam(ckpt, "g", {2}, {0.1f, -0.5f});
  setParam(ckpt, "c", {2}, {0.1f, 0.0f});
  setParam(ckpt, "w_in", {1, 2}, {0.0f, 0.0f});
  setParam(ckpt, "w_ro", {2, 2}, {0.0f, 0.0f, 0.0f, 0.0f});
  return ckpt;
}

std::vector<float> uniformCandidates(int64_t count, int64_t D, double lo, double hi, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> out;
  for (int64_t i = 0; i < count * D; ++i) out.push_back(static_cast<float>(lo + (hi - lo) * rng.uniform()));
  return out;
}

/// Sorted by modulus then by imaginary part, so two lists of the same eigenvalues line up.
std::vector<std::complex<double>> sortedEigenvalues(std::vector<std::complex<double>> v) {
  std::sort(v.begin(), v.end(), [](std::complex<double> a, std::complex<double> b) {
    if (std::fabs(std::abs(a) - std::abs(b)) > 1e-9) return std::abs(a) < std::abs(b);
    return a.imag() < b.imag();
  });
  return v;
}

}  // namespace

TEST_CASE("fixed points of a linear map: (I - A)^-1 (b + c u) and the eigenvalues of A", "[fixedpoints]") {
  constexpr int H = 5;
  // A = P · blockdiag(0.5, -0.3, 0.8, 0.6·rotation(0.7)) · P⁻¹: its eigenvalues are known exactly.
  Eigen::MatrixXd blocks = Eigen::MatrixXd::Zero(H, H);
  blocks(0, 0) = 0.5;
  blocks(1, 1) = -0.3;
  blocks(2, 2) = 0.8;
  const double r = 0.6, theta = 0.7;
  blocks(3, 3) = r * std::cos(theta);
  blocks(3, 4) = -r * std::sin(theta);
  blocks(4, 3) = r * std::sin(theta);
  blocks(4, 4) = r * std::cos(theta);
  // P: a random, well-conditioned change of basis (condition number <= 5; redrawn otherwise):
  // the conditioning, not the draw, decides how far Adam gets in its fixed number of steps.
  Eigen::MatrixXd P(H, H);
  Rng rng(7);
  do {
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < H; ++j) P(i, j) = (i == j ? 1.0 : 0.0) + 0.3 * rng.normal();
  } while (P.jacobiSvd().singularValues()(0) > 5 * P.jacobiSvd().singularValues()(H - 1));
  Eigen::MatrixXd A = P * blocks * P.inverse();
  std::vector<std::complex<double>> expected = {0.5, -0.3, 0.8, std::polar(r, theta), std::polar(r, -theta)};

  // h' = h·W + b + u·c with row vectors, so W = Aᵀ; the params hold float32 values, and the
  // oracle uses exactly those values.
  Checkpoint ckpt = checkpointOf(kLinearModel, "linear.mnemo");
  std::vector<float> w(H * H), b(H), c(H);
  for (int i = 0; i < H; ++i) {
    for (int j = 0; j < H; ++j) w[static_cast<size_t>(i * H + j)] = static_cast<float>(A(j, i));
    b[static_cast<size_t>(i)] = static_cast<float>(0.5 * rng.normal());
    c[static_cast<size_t>(i)] = static_cast<float>(rng.normal());
  }
  setParam(ckpt, "w", {H, H}, w);
  setParam(ckpt, "b", {H}, b);
  setParam(ckpt, "w_in", {1, H}, c);
  setParam(ckpt, "w_ro", {H, 2}, std::vector<float>(H * 2, 0.0f));
  Eigen::MatrixXd Af(H, H);
  Eigen::VectorXd rhs(H);
  const double u = 0.5;
  for (int i = 0; i < H; ++i) {
    for (int j = 0; j < H; ++j) Af(i, j) = w[static_cast<size_t>(j * H + i)];
    rhs(i) = double(b[static_cast<size_t>(i)]) + u * double(c[static_cast<size_t>(i)]);
  }
  const Eigen::VectorXd oracle = (Eigen::MatrixXd::Identity(H, H) - Af).partialPivLu().solve(rhs);

  // Adam alone (mnemo's autodiff and Adam passes) gets there; so does Adam with Newton's polish.
  FixedPointOptions opts;
  opts.newtonSteps = GENERATE(0, 3);
  INFO("Newton steps " << opts.newtonSteps);
  FixedPointSearch s = findFixedPoints(ckpt, {static_cast<float>(u)}, uniformCandidates(64, H, -3, 3, 1), opts);
  REQUIRE(s.layout.total == H);
  REQUIRE(s.points.size() == 1);
  const FixedPoint& p = s.points[0];
  CHECK(p.merged == 64);
  CHECK(p.q < 1e-10);
  for (int i = 0; i < H; ++i) CHECK(std::fabs(p.state[static_cast<size_t>(i)] - oracle(i)) < 1e-4);
  // The autodiff Jacobian is A itself, and finite differences agree with it.
  for (int i = 0; i < H; ++i)
    for (int j = 0; j < H; ++j) CHECK(std::fabs(p.jacobian[static_cast<size_t>(i * H + j)] - Af(i, j)) < 1e-6);
  CHECK(s.jacobianCheck < 1e-3);
  const auto found = sortedEigenvalues(p.eigenvalues);
  const auto want = sortedEigenvalues(expected);
  REQUIRE(found.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("eigenvalue " << i << ": found " << found[i] << ", expected " << want[i]);
    CHECK(std::abs(found[i] - want[i]) < 1e-4);
  }
  CHECK(p.stable());
  CHECK(p.leadingDirection.empty());
}

TEST_CASE("fixed points of a model with two states: the state is both, concatenated", "[fixedpoints]") {
  // h' = 0.5 h + 0.2 c + u, c' = 0.1 h + 0.3 c: at u = 1, h* = 0.7 / (0.5·0.7 − 0.02), c* = h*/7.
  Checkpoint ckpt = checkpointOf(kTwoStateModel, "two_states.mnemo");
  setParam(ckpt, "a_hh", {1, 1}, {0.5f});
  setParam(ckpt, "a_hc", {1, 1}, {0.2f});
  setParam(ckpt, "a_ch", {1, 1}, {0.1f});
  setParam(ckpt, "a_cc", {1, 1}, {0.3f});
  setParam(ckpt, "w_ro", {1, 2}, {0.0f, 0.0f});
  FixedPointSearch s = findFixedPoints(ckpt, {1.0f}, uniformCandidates(16, 2, -2, 2, 3), FixedPointOptions{});
  REQUIRE(s.layout.names == std::vector<std::string>{"h", "c"});
  REQUIRE(s.points.size() == 1);
  const double h = 0.7 / (0.5 * 0.7 - 0.02);
  CHECK(std::fabs(s.points[0].state[0] - h) < 1e-4);
  CHECK(std::fabs(s.points[0].state[1] - h / 7) < 1e-4);
  const std::vector<double> J = {0.5, 0.2, 0.1, 0.3};
  for (size_t i = 0; i < 4; ++i) CHECK(std::fabs(s.points[0].jacobian[i] - J[i]) < 1e-6);
}

TEST_CASE("fixed points of a bistable 2-D map: two stable points and a saddle, classified", "[fixedpoints]") {
  // h1' = h1 + 0.1 (h1 − h1³), h2' = 0.5 h2: fixed points (−1, 0) and (1, 0) with eigenvalues
  // 0.8 and 0.5 (stable), and (0, 0) with 1.1 and 0.5 (a saddle, unstable along h1).
  Checkpoint ckpt = bistableCheckpoint();
  FixedPointSearch s = findFixedPoints(ckpt, {0.0f}, uniformCandidates(200, 2, -2, 2, 5), FixedPointOptions{});
  REQUIRE(s.points.size() == 3);
  int64_t merged = 0;
  for (const FixedPoint& p : s.points) {
    merged += p.merged;
    INFO("point (" << p.state[0] << ", " << p.state[1] << ") q " << p.q);
    CHECK(std::fabs(p.state[1]) < 1e-4);
    const double x = p.state[0];
    const bool saddle = std::fabs(x) < 1e-4;
    CHECK((saddle || std::fabs(std::fabs(x) - 1) < 1e-4));
    const auto ev = sortedEigenvalues(p.eigenvalues);
    CHECK(std::abs(ev[0] - 0.5) < 1e-4);
    CHECK(std::abs(ev[1] - (saddle ? 1.1 : 0.8)) < 1e-4);
    CHECK(p.stable() == !saddle);
    CHECK(p.unstableModes == (saddle ? 1 : 0));
    if (saddle) {
      REQUIRE(p.leadingDirection.size() == 2);
      CHECK(std::fabs(std::fabs(p.leadingDirection[0]) - 1) < 1e-6);
    }
  }
  // Every candidate below the tolerance was merged into exactly one point.
  CHECK(merged == std::count_if(s.finalQ.begin(), s.finalQ.end(), [](float q) { return q < 1e-6; }));
  CHECK(s.jacobianCheck < 1e-3);
}

TEST_CASE("fixed points: the fused and the unfused step graphs find the same points", "[fixedpoints]") {
  const std::vector<float> candidates = uniformCandidates(60, 2, -2, 2, 9);
  FixedPointOptions fused, unfused;
  unfused.fuse = false;
  FixedPointSearch a = findFixedPoints(bistableCheckpoint(), {0.0f}, candidates, fused);
  FixedPointSearch b = findFixedPoints(bistableCheckpoint(), {0.0f}, candidates, unfused);
  REQUIRE(a.points.size() == b.points.size());
  // Points are listed by q, which at 1e-13 is rounding noise: compare them in the order of h1.
  for (FixedPointSearch* s : {&a, &b})
    std::sort(s->points.begin(), s->points.end(),
              [](const FixedPoint& x, const FixedPoint& y) { return x.state[0] < y.state[0]; });
  for (size_t k = 0; k < a.points.size(); ++k) {
    CHECK(a.points[k].merged == b.points[k].merged);
    CHECK(a.points[k].unstableModes == b.points[k].unstableModes);
    for (size_t i = 0; i < 2; ++i) CHECK(std::fabs(a.points[k].state[i] - b.points[k].state[i]) < 1e-5);
  }
}

TEST_CASE("fixed points: bad input is a clear error", "[fixedpoints]") {
  Checkpoint ckpt = bistableCheckpoint();
  CHECK_THROWS_WITH(findFixedPoints(ckpt, {0.0f, 1.0f}, {0.0f, 0.0f}, FixedPointOptions{}),
                    Catch::Contains("the input u has 2 values but the model of bistable.mnemo takes 1"));
  CHECK_THROWS_WITH(findFixedPoints(ckpt, {0.0f}, {0.0f, 0.0f, 1.0f}, FixedPointOptions{}),
                    Catch::Contains("3 initial values are not whole states of 2"));
  setParam(ckpt, "g", {3}, {0.1f, -0.5f, 0.0f});
  CHECK_THROWS_WITH(findFixedPoints(ckpt, {0.0f}, {0.0f, 0.0f}, FixedPointOptions{}), Catch::Contains("g"));
}

TEST_CASE("fixed points: a diverged candidate among good ones drops out alone", "[fixedpoints]") {
  // A NaN q sorted with plain < stopped the merge at the NaN: a good candidate sorted after it was
  // lost (here the third, kept as one point of one candidate instead of two).
  const std::vector<float> candidates = {0.9f, 0.1f, std::nanf(""), 0.0f, -1.1f, -0.1f};
  FixedPointSearch s = findFixedPoints(bistableCheckpoint(), {0.0f}, candidates, FixedPointOptions{});
  REQUIRE(s.finalQ.size() == 3);
  CHECK(std::isnan(s.finalQ[1]));
  CHECK(s.finalQ[0] < 1e-6);
  CHECK(s.finalQ[2] < 1e-6);
  int64_t merged = 0;
  for (const FixedPoint& p : s.points) merged += p.merged;
  CHECK(merged == 2);
}
