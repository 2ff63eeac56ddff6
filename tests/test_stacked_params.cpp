// A stacked parameter sliced per gate (`param w : [4, H, H]`, `w[0]` .. `w[3]`) must cost what
// four separate parameters cost: simplify turns the per-step insert_slices of its gradient into
// one stack of per-gate sums, which time batching then turns into one matmul per gate.
#include <catch2/catch.hpp>

#include <random>

#include "frontend/dsl/model.h"
#include "ops/builder.h"
#include "graph/passes/pass_manager.h"
#include "graph/passes/passes.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "model_check_util.h"

using namespace mnemo;
using namespace mnemo::model_check;

namespace {

const char* kStacked = R"(model lstm_stacked
size I = 2, H = 8, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param wx : [4, I, H] = kaiming_normal(1)
param wh : [4, H, H] = kaiming_normal(1)
param b : [4, H] = zeros
param w_o : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
state c : [B, H] = zeros
step t {
  i = sigmoid(x[t] @ wx[0] + h @ wh[0] + b[0])
  f = sigmoid(x[t] @ wx[1] + h @ wh[1] + b[1])
  o = sigmoid(x[t] @ wx[2] + h @ wh[2] + b[2])
  u = tanh(x[t] @ wx[3] + h @ wh[3] + b[3])
  c = f * c + i * u
  h = o * tanh(c)
  out y = h @ w_o
}
loss = cross_entropy(y, labels)
)";

/// The same model with one parameter per gate.
const char* kSeparate = R"(model lstm_separate
size I = 2, H = 8, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param wx0 : [I, H] = kaiming_normal(1)
param wx1 : [I, H] = kaiming_normal(1)
param wx2 : [I, H] = kaiming_normal(1)
param wx3 : [I, H] = kaiming_normal(1)
param wh0 : [H, H] = kaiming_normal(1)
param wh1 : [H, H] = kaiming_normal(1)
param wh2 : [H, H] = kaiming_normal(1)
param wh3 : [H, H] = kaiming_normal(1)
param b0 : [H] = zeros
param b1 : [H] = zeros
param b2 : [H] = zeros
param b3 : [H] = zeros
param w_o : [H, O] = kaiming_normal(1)
state h : [B, H] = zeros
state c : [B, H] = zeros
step t {
  i = sigmoid(x[t] @ wx0 + h @ wh0 + b0)
  f = sigmoid(x[t] @ wx1 + h @ wh1 + b1)
  o = sigmoid(x[t] @ wx2 + h @ wh2 + b2)
  u = tanh(x[t] @ wx3 + h @ wh3 + b3)
  c = f * c + i * u
  h = o * tanh(c)
  out y = h @ w_o
}
loss = cross_entropy(y, labels)
)";

std::unique_ptr<Graph> compiled(const char* source, const std::string& pipeline, int64_t seqLen = 20) {
  ModelOptions opts;
  opts.batch = 4;
  opts.seqLen = seqLen;
  Model m = parseModel(source, "m.mnemo", opts);
  PassManager pm;
  buildPipeline(pipeline, pm);
  pm.run(*m.graph);
  return std::move(m.graph);
}

/// The value of \p g's only output in the reference evaluator, with random inputs from \p seed.
RefTensor outputValue(const Graph& g, uint64_t seed) {
  ReferenceEvaluator ev(g);
  ev.bindRandom(seed);
  ev.run();
  return ev.value(g.outputs()[0]);
}

/// Runs simplify and dce on \p g and checks its output is unchanged.
void simplifyKeepsValue(Graph& g) {
  const RefTensor want = outputValue(g, 4);
  PassManager pm;
  pm.add(createSimplifyPass());
  pm.add(createDcePass());
  pm.run(g);
  const RefTensor got = outputValue(g, 4);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-12));
}

int count(const Graph& g, OpKind kind) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->kind() == kind;
  return n;
}

}  // namespace

TEST_CASE("a stacked parameter sliced per gate runs as few kernels as separate parameters", "[passes][time-batch]") {
  auto stacked = compiled(kStacked, "train");
  auto separate = compiled(kSeparate, "train");
  // No per-step insert_slice is left: each stacked weight's gradient is one stack of four sums.
  CHECK(count(*stacked, OpKind::InsertSlice) == 0);
  const size_t kernelsStacked = Session(*stacked).executable().kernelCount(Stage::Opt);
  const size_t kernelsSeparate = Session(*separate).executable().kernelCount(Stage::Opt);
  INFO("stacked " << kernelsStacked << " kernels, separate " << kernelsSeparate);
  CHECK(kernelsStacked <= kernelsSeparate);
}

TEST_CASE("a param split by ranges per gate runs about as many kernels as separate parameters", "[passes][time-batch]") {
  // The stacked model with w[:, kH:(k+1)H] ranges of [., 4H] params instead of w[k].
  std::string ranged = kStacked;
  auto replaceAll = [&](const std::string& from, const std::string& to) {
    for (size_t at = ranged.find(from); at != std::string::npos; at = ranged.find(from, at + to.size()))
      ranged.replace(at, from.size(), to);
  };
  replaceAll("param wx : [4, I, H]", "param wx : [I, 4 * H]");
  replaceAll("param wh : [4, H, H]", "param wh : [H, 4 * H]");
  replaceAll("param b : [4, H]", "param b : [4 * H]");
  for (int k = 0; k < 4; ++k) {
    const std::string range = std::to_string(k) + " * H:" + std::to_string(k + 1) + " * H";
    replaceAll("wx[" + std::to_string(k) + "]", "wx[:, " + range + "]");
    replaceAll("wh[" + std::to_string(k) + "]", "wh[:, " + range + "]");
    replaceAll("b[" + std::to_string(k) + "]", "b[" + range + "]");
  }
  auto g = compiled(ranged.c_str(), "train");
  auto separate = compiled(kSeparate, "train");
  // Per step, each range's gradient is a concat with zeros; summed, one concat per param is left.
  CHECK(count(*g, OpKind::Concat) == 3);
  const size_t kernels = Session(*g).executable().kernelCount(Stage::Opt);
  const size_t kernelsSeparate = Session(*separate).executable().kernelCount(Stage::Opt);
  INFO("ranges " << kernels << " kernels, separate " << kernelsSeparate);
  // The forward slices of the params are one kernel each per range (12), and the joined
  // gradients three concats.
  CHECK(kernels <= kernelsSeparate + 15);
  checkTrainingAgainstReference(ranged, "ranged.mnemo");
}

TEST_CASE("simplify turns a sum of insert_slices into a stack of per-index sums", "[passes][simplify]") {
  Graph g("slices");
  Builder b(g);
  Node* w = b.param("w", {3, 2, 2});
  Node* a = b.input("a", TensorType::f32({2, 2}));
  Node* c = b.input("c", TensorType::f32({2, 2}));
  Node* d = b.input("d", TensorType::f32({3, 2, 2}));
  // (a at 0) + (c at 2) + (a·c at 0) + d: index 1 gets nothing, d is a plain term.
  Node* sum = b.add(b.add(b.add(b.insertSlice(a, 0, 0, 3), b.insertSlice(c, 0, 2, 3)), b.insertSlice(b.mul(a, c), 0, 0, 3)), d);
  g.addOutput(b.mul(sum, w));
  simplifyKeepsValue(g);
  CHECK(count(g, OpKind::InsertSlice) == 0);
  CHECK(count(g, OpKind::Stack) == 1);
}

TEST_CASE("simplify turns a sum of zero-padded pieces into one concat of per-range sums", "[passes][simplify]") {
  Graph g("pieces");
  Builder b(g);
  Node* w = b.param("w", {2, 10});
  std::vector<Node*> in;
  for (const char* name : {"a", "c", "d"}) in.push_back(b.input(name, TensorType::f32({2, 3})));
  Node* other = b.input("other", TensorType::f32({2, 10}));
  auto padded = [&](Node* piece, int64_t before, int64_t after) {
    std::vector<Node*> parts;
    if (before) parts.push_back(b.constant(0.0, {2, before}));
    parts.push_back(piece);
    if (after) parts.push_back(b.constant(0.0, {2, after}));
    return b.create(OpKind::Concat, parts, {{"axis", int64_t{1}}});
  };
  // a at columns 0..2, c at 5..7, d at 0..2 again, and a plain term: columns 3, 4, 8, 9 get 0.
  Node* sum = b.add(b.add(b.add(padded(in[0], 0, 7), padded(in[1], 5, 2)), other), padded(in[2], 0, 7));
  g.addOutput(b.mul(sum, w));
  simplifyKeepsValue(g);
  CHECK(count(g, OpKind::Concat) == 1);
  CHECK(count(g, OpKind::Add) == 2);  // a + d, and the plain term

  // Overlapping ranges (0..2 and 1..3) are left as they are.
  Graph h("overlap");
  Builder hb(h);
  Node* x = hb.input("x", TensorType::f32({2, 3}));
  Node* y = hb.input("y", TensorType::f32({2, 3}));
  auto pad = [&](Node* piece, int64_t before, int64_t after) {
    return hb.create(OpKind::Concat, {hb.constant(0.0, {2, before}), piece, hb.constant(0.0, {2, after})}, {{"axis", int64_t{1}}});
  };
  h.addOutput(hb.add(pad(x, 1, 2), pad(y, 2, 1)));
  PassManager pm;
  pm.add(createSimplifyPass());
  CHECK_FALSE(pm.run(h).at(0).changed);
}

TEST_CASE("simplify factors a factor shared by the terms of a sum", "[passes][simplify]") {
  Graph g("factor");
  Builder b(g);
  Node* w = b.param("w", {2, 3});
  Node* mask = b.input("mask", TensorType::f32({3}));
  std::vector<Node*> a;
  for (const char* name : {"a0", "a1", "a2", "d"}) a.push_back(b.input(name, TensorType::f32({2, 3})));
  // a0·mask + mask·a1 + d + a2·mask + d·d: three terms share mask, d and d·d do not.
  Node* sum = b.add(b.add(b.add(b.add(b.mul(a[0], mask), b.mul(mask, a[1])), a[3]), b.mul(a[2], mask)), b.mul(a[3], a[3]));
  g.addOutput(b.mul(sum, w));
  simplifyKeepsValue(g);
  CHECK(count(g, OpKind::Mul) == 3);  // (a0 + a1 + a2)·mask, d·d, and the product with w

  // x·x alone is not a shared factor: nothing to factor, nothing rewritten.
  Graph h("square");
  Builder hb(h);
  Node* x = hb.input("x", TensorType::f32({3}));
  Node* y = hb.input("y", TensorType::f32({3}));
  h.addOutput(hb.add(hb.mul(x, x), y));
  PassManager pm;
  pm.add(createSimplifyPass());
  CHECK_FALSE(pm.run(h).at(0).changed);
  CHECK(h.size() == 4);
}

TEST_CASE("a param scaled by a fixed mask in the step is trained with batched matmuls", "[passes][time-batch]") {
  const char* masked = R"(model masked
size I = 2, H = 8, O = 3
input x : f32[T, B, I]
target labels : i64[T, B]
param w_in : [I, H] = kaiming_normal(1)
param w_rr : [H, H] = identity(0.5)
param w_o : [H, O] = kaiming_normal(1)
fixed sign : [H, H] = uniform(-1, 1)
state h : [B, H] = zeros
step t {
  h = tanh(x[t] @ w_in + h @ (w_rr * sign))
  out y = h @ w_o
}
loss = cross_entropy(y, labels)
)";
  // At T = 40 the gradient of w_rr had 40 products, each scaled by the mask and summed: fused,
  // that was one matmul with 39 add post-ops, past oneDNN's limit. Factored, it is one product.
  auto g = compiled(masked, "train", 40);
  // The forward product (one after cse) and the gradient's one factored product use the mask.
  CHECK(g->find("sign")->uses().size() <= 2);
  CHECK_NOTHROW(Session(*g));
  checkTrainingAgainstReference(masked, "masked.mnemo");
}

TEST_CASE("a stacked LSTM's training step matches the reference, fused and unfused", "[passes][runtime]") {
  checkTrainingAgainstReference(kStacked, "stacked.mnemo");
}

TEST_CASE("a stacked LSTM trains the same fused and unfused at T = 20", "[passes][runtime]") {
  auto fused = compiled(kStacked, "train");
  auto plain = compiled(kStacked, "train-unfused");
  Session sf(*fused), sp(*plain);
  std::mt19937_64 rng(3);
  std::normal_distribution<float> n(0.f, 0.4f);
  for (const Node* p : plain->nodes()) {
    if (p->kind() != OpKind::Param) continue;
    std::vector<float> v(static_cast<size_t>(p->type().numel()));
    for (float& e : v) e = n(rng);
    sf.setF32(p->name(), v);
    sp.setF32(p->name(), v);
  }
  std::vector<float> x(20 * 4 * 2);
  for (float& e : x) e = n(rng);
  std::vector<int64_t> labels(20 * 4);
  for (int64_t& l : labels) l = static_cast<int64_t>(rng() % 3);
  for (Session* s : {&sf, &sp}) {
    s->setAdam(1e-2);
    s->setF32("x", x);
    s->setI64("labels", labels);
  }
  for (int step = 0; step < 3; ++step) CHECK(sf.trainStep() == Approx(sp.trainStep()).epsilon(1e-5));
  for (const char* p : {"wx", "wh", "b", "w_o"}) {
    std::vector<float> a = sf.getF32(p), c = sp.getF32(p);
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(c[i]).margin(1e-3));
  }
}
