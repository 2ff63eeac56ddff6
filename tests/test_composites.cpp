// The composites of ops/composites.h against values worked out by hand, and their DSL names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "frontend/dsl/model.h"
#include "ops/composites.h"
#include "support/error.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "graph/passes/autodiff.h"

using namespace mnemo;

namespace {

RefTensor f32(Dims dims, std::vector<double> values) { return RefTensor(TensorType::f32(std::move(dims)), std::move(values)); }

}  // namespace

TEST_CASE("composites: softmax, logsumexp and mse from primitives", "[composites]") {
  Graph g("c");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  Node* t = b.input("t", TensorType::f32({3}));
  Node* sm = softmax(b, x, 1, "sm");
  Node* lse = logsumexp(b, x, 1, "lse");
  Node* err = mse(b, x, t, "err");
  for (Node* n : {sm, lse, err}) g.addOutput(n);
  CHECK(sm->type().str() == "f32[2,3]");
  CHECK(lse->type().str() == "f32[2]");
  CHECK(err->type().str() == "f32[]");

  ReferenceEvaluator ev(g);
  ev.bind("x", f32({2, 3}, {0, std::log(2.0), std::log(5.0), 1, 1, 1}));
  ev.bind("t", f32({3}, {0, 0, 1}));
  ev.run();
  // Row 0: exp gives 1, 2, 5 (sum 8); row 1 is uniform.
  const RefTensor& s = ev.value(sm);
  const double want[] = {1.0 / 8, 2.0 / 8, 5.0 / 8, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  for (size_t i = 0; i < 6; ++i) CHECK(s[i] == Approx(want[i]).epsilon(1e-12));
  CHECK(ev.value(lse)[0] == Approx(std::log(8.0)).epsilon(1e-12));
  CHECK(ev.value(lse)[1] == Approx(1 + std::log(3.0)).epsilon(1e-12));
  // (x - t)² summed: row 0: 0 + log(2)² + (log 5 - 1)², row 1: 1 + 1 + 0; mean over 6.
  double sum = std::pow(std::log(2.0), 2) + std::pow(std::log(5.0) - 1, 2) + 2;
  CHECK(ev.value(err)[0] == Approx(sum / 6).epsilon(1e-12));
}

TEST_CASE("composites: a scalar mse is the squared difference, a bad axis names the op", "[composites]") {
  Graph g("c");
  Builder b(g);
  Node* a = b.input("a", TensorType::f32({}));
  Node* e = mse(b, a, b.constant(3.0));
  g.addOutput(e);
  ReferenceEvaluator ev(g);
  ev.bind("a", f32({}, {5}));
  ev.run();
  CHECK(ev.value(e)[0] == 4);
  Node* x = b.input("x", TensorType::f32({2, 3}));
  CHECK_THROWS_AS(softmax(b, x, 2), Error);
}

TEST_CASE("composites: softmax and logsumexp of large and very negative inputs stay finite", "[composites]") {
  // exp(1000) overflows and exp(-1000) underflows to 0 in float and double alike: only the shift
  // by the row's maximum keeps these finite, in the reference and on the runtime.
  Graph g("big");
  Builder b(g);
  Node* x = b.input("x", TensorType::f32({3, 3}));
  Node* sm = softmax(b, x, 1, "sm");
  Node* lse = logsumexp(b, x, 1, "lse");
  g.addOutput(sm);
  g.addOutput(lse);
  const std::vector<double> values = {1000, 1001, 1003, -1000, -1000, -1000, 0, 90, -90};  // exact in float
  ReferenceEvaluator ev(g);
  ev.bind("x", f32({3, 3}, values));
  ev.run();
  Session s(g);
  s.setF32("x", std::vector<float>(values.begin(), values.end()));
  s.executable().run(Stage::Opt);
  const std::vector<float> smGot = s.getF32("sm"), lseGot = s.getF32("lse");
  for (int r = 0; r < 3; ++r) {
    double mx = values[3 * r], sum = 0;
    for (int c = 1; c < 3; ++c) mx = std::max(mx, values[3 * r + c]);
    for (int c = 0; c < 3; ++c) sum += std::exp(values[3 * r + c] - mx);
    for (int c = 0; c < 3; ++c) {
      const size_t i = static_cast<size_t>(3 * r + c);
      const double want = std::exp(values[i] - mx) / sum;
      INFO("softmax element " << i);
      CHECK(ev.value(sm)[i] == Approx(want).margin(1e-15).epsilon(1e-12));
      CHECK(smGot[i] == Approx(want).margin(1e-7).epsilon(1e-5));
    }
    const double lseWant = mx + std::log(sum);
    INFO("logsumexp row " << r);
    CHECK(ev.value(lse)[static_cast<size_t>(r)] == Approx(lseWant).epsilon(1e-12));
    CHECK(lseGot[static_cast<size_t>(r)] == Approx(lseWant).epsilon(1e-6));
  }
}

TEST_CASE("reduce_max's gradient goes to the maximum, shared evenly among ties", "[composites][grad]") {
  Graph g("max");
  Builder b(g);
  Node* x = b.param("x", {2, 4});
  Node* m = b.reduceMax(x, {1});
  Node* loss = b.reduceSum(b.mul(m, b.constant(3.0)), {0});
  g.addOutput(loss);
  AutodiffResult grads = autodiff(g, loss);
  ReferenceEvaluator ev(g);
  ev.bind("x", f32({2, 4}, {1, 7, 2, 7, -3, -1, -2, -5}));
  ev.run();
  CHECK(ev.value(m)[0] == 7);
  CHECK(ev.value(m)[1] == -1);
  const RefTensor& grad = ev.value(grads.gradientOf("x"));
  const double want[] = {0, 1.5, 0, 1.5, 0, 3, 0, 0};
  for (size_t i = 0; i < 8; ++i) CHECK(grad[i] == want[i]);
}

TEST_CASE("composites and the new elementwise ops are DSL functions", "[composites][dsl]") {
  const char* text = R"(model tiny
size I = 2, H = 4, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_ro : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
step t {
  h = maximum(softplus(x[t] @ w_in), minimum(abs(h), 1))
  out o = h @ w_ro
}
loss = cross_entropy(o, labels) + mean(logsumexp(o, 2)) + mse(softmax(o, -1), 0.5) + (abs(-2) + maximum(1, 3))
)";
  ModelOptions opts;
  opts.batch = 2;
  opts.seqLen = 3;
  Model m = parseModel(text, "m.mnemo", opts);
  std::map<std::string, int> count;
  for (const Node* n : m.graph->nodes()) ++count[opName(n->kind())];
  CHECK(count["softplus"] == 3);
  CHECK(count["maximum"] == 3);
  CHECK(count["minimum"] == 3);
  CHECK(count["abs"] == 3);  // abs(-2) folds to a number with abs's own scalar function
  CHECK(count["log"] == 1);  // logsumexp
  CHECK(count["div"] == 1);  // softmax
  // abs(-2) + maximum(1, 3) folded to 5, added to the loss as one constant.
  bool foundFive = false;
  for (const Node* n : m.graph->nodes())
    if (n->kind() == OpKind::Constant && n->attr<double>("value") == 5.0) foundFive = true;
  CHECK(foundFive);
}
