// Per-time-step masked losses in the DSL: mse(pred, target, mask) with a continuous [T, B, k]
// target and a [T, B] mask, and cross_entropy(logits, labels, mask) (e.g. neurogym's convention
// of ignoring the fixation label 0). Oracle: the double-precision reference evaluator — the loss
// by hand, every gradient against central differences, and a masked-out step whose target is
// changed leaving the loss and every gradient bit for bit unchanged.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "support/error.h"
#include "graph/passes/autodiff.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

constexpr int64_t kT = 4, kB = 2;

const char* kMseModel = R"(model reach
size I = 3, H = 5, K = 2
input x : f32[T, B, I]
input mask : f32[T, B]
target y : f32[T, B, K]
param w_in : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = normal(0.3)
param w_o : [H, K] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  h = tanh(x[t] @ w_in + h @ w_rr)
  out o = h @ w_o
}
loss = mse(o, y, mask)
)";

const char* kXentModel = R"(model masked_xent
size I = 3, H = 5, O = 3
input x : f32[T, B, I]
input mask : f32[T, B]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = normal(0.3)
param w_o : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  h = tanh(x[t] @ w_in + h @ w_rr)
  out o = h @ w_o
}
loss = cross_entropy(o, labels, mask)
)";

struct Prepared {
  Model model;
  AutodiffResult ad;
  std::unique_ptr<ReferenceEvaluator> ev;
};

std::vector<double> uniformValues(size_t n, std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = u(rng);
  return v;
}

/// The model with gradients, random x and target, and the mask: 1 except step \p maskedStep.
Prepared prepare(const char* source, int64_t maskedStep) {
  ModelOptions opts;
  opts.batch = kB;
  opts.seqLen = kT;
  Prepared p{parseModel(source, "m.mnemo", opts), {}, nullptr};
  Graph& g = *p.model.graph;
  p.ad = autodiff(g, g.find("loss"));
  p.ev = std::make_unique<ReferenceEvaluator>(g);
  std::mt19937_64 rng(11);
  for (const auto& [name, values] : initParams(g, 3))
    p.ev->bind(name, RefTensor(g.find(name)->type(), std::vector<double>(values.begin(), values.end())));
  const Node* x = g.find("x");
  p.ev->bind("x", RefTensor(x->type(), uniformValues(static_cast<size_t>(x->type().numel()), rng, -1, 1)));
  std::vector<double> mask(static_cast<size_t>(kT * kB), 1.0);
  for (int64_t b = 0; b < kB; ++b) mask[static_cast<size_t>(maskedStep * kB + b)] = 0.0;
  p.ev->bind("mask", RefTensor(TensorType::f32({kT, kB}), mask));
  const Node* target = g.find(p.model.labels);
  std::vector<double> t(static_cast<size_t>(target->type().numel()));
  if (target->type().dtype == DType::I64) {
    for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(rng() % 3);
  } else {
    t = uniformValues(t.size(), rng, -1, 1);
  }
  p.ev->bind(target->name(), RefTensor(target->type(), t));
  p.ev->run(Stage::Bwd);
  return p;
}

/// Every gradient against central differences of the reference loss.
void checkDifferences(Prepared& p) {
  Node* loss = p.model.graph->find("loss");
  for (size_t i = 0; i < p.ad.params.size(); ++i) {
    Node* param = p.ad.params[i];
    const RefTensor analytic = p.ev->value(p.ad.grads[i]);
    const RefTensor base = p.ev->value(param);
    for (size_t k = 0; k < base.size(); ++k) {
      RefTensor shifted = base;
      const double eps = 1e-6;
      shifted[k] = base[k] + eps;
      p.ev->bind(param->name(), shifted);
      p.ev->run(Stage::Fwd);
      const double up = p.ev->value(loss)[0];
      shifted[k] = base[k] - eps;
      p.ev->bind(param->name(), shifted);
      p.ev->run(Stage::Fwd);
      const double numeric = (up - p.ev->value(loss)[0]) / (2 * eps);
      INFO("d loss / d " << param->name() << "[" << k << "]");
      CHECK(analytic[k] == Approx(numeric).epsilon(1e-5).margin(1e-8));
    }
    p.ev->bind(param->name(), base);
  }
  p.ev->run(Stage::Bwd);
}

/// Changes the target at \p step (every column) and checks that the loss and every gradient
/// keep their exact values.
void checkMaskedStepIsInert(Prepared& p, int64_t step) {
  Node* loss = p.model.graph->find("loss");
  const double before = p.ev->value(loss)[0];
  std::vector<RefTensor> grads;
  for (Node* g : p.ad.grads) grads.push_back(p.ev->value(g));
  const Node* target = p.model.graph->find(p.model.labels);
  RefTensor t = p.ev->value(target);
  const size_t perStep = t.size() / static_cast<size_t>(kT);
  for (size_t i = 0; i < perStep; ++i) {
    double& v = t[static_cast<size_t>(step) * perStep + i];
    v = target->type().dtype == DType::I64 ? std::fmod(v + 1, 3) : v + 50;
  }
  p.ev->bind(target->name(), t);
  p.ev->run(Stage::Bwd);
  CHECK(p.ev->value(loss)[0] == before);
  for (size_t i = 0; i < grads.size(); ++i) {
    INFO("gradient of " << p.ad.params[i]->name());
    const RefTensor now = p.ev->value(p.ad.grads[i]);
    for (size_t k = 0; k < now.size(); ++k) CHECK(now[k] == grads[i][k]);
  }
}

}  // namespace

TEST_CASE("masked mse: the loss is the mean over elements of mask x squared error", "[dsl][masked-loss]") {
  Prepared p = prepare(kMseModel, 1);
  const Node* o = p.model.graph->find("logits");  // the first `out`, stacked over time
  REQUIRE(o != nullptr);
  const RefTensor pred = p.ev->value(o);
  const RefTensor y = p.ev->value(p.model.graph->find("y"));
  double sum = 0;
  for (int64_t t = 0; t < kT; ++t)
    for (size_t i = 0; i < static_cast<size_t>(kB * 2); ++i) {
      const size_t k = static_cast<size_t>(t * kB * 2) + i;
      if (t != 1) sum += (pred[k] - y[k]) * (pred[k] - y[k]);
    }
  CHECK(p.ev->value(p.model.graph->find("loss"))[0] == Approx(sum / (kT * kB * 2)).epsilon(1e-12));
}

TEST_CASE("masked mse: gradients match central differences, a masked step changes nothing",
          "[dsl][masked-loss][grad]") {
  for (int64_t step : {int64_t{0}, kT - 1}) {
    INFO("masked step " << step);
    Prepared p = prepare(kMseModel, step);
    checkDifferences(p);
    checkMaskedStepIsInert(p, step);
  }
}

TEST_CASE("masked cross-entropy per step: central differences, a masked step changes nothing",
          "[dsl][masked-loss][grad]") {
  for (int64_t step : {int64_t{1}, kT - 1}) {
    INFO("masked step " << step);
    Prepared p = prepare(kXentModel, step);
    checkDifferences(p);
    checkMaskedStepIsInert(p, step);
  }
}

TEST_CASE("masked mse: weights of a wrong shape are one error naming both shapes", "[dsl][masked-loss]") {
  std::string bad = kMseModel;
  bad.replace(bad.find("input mask : f32[T, B]"), 22, "input mask : f32[B, T]");
  ModelOptions opts;
  opts.batch = kB;
  opts.seqLen = kT;
  CHECK_THROWS_WITH(parseModel(bad, "m.mnemo", opts),
                    Catch::Contains("weights must be f32[4,2,2] or f32[4,2] (one per position), got f32[2,4]"));
}
