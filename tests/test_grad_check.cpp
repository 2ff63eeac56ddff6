// Gradient checks: every op with a gradient rule, enumerated from the op table, BPTT through the
// notebook's RNN and the full loss of examples/dale_rnn.mnemo, against central differences in the
// double-precision reference evaluator.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "training/rnn_model.h"
#include "ops/builder.h"
#include "frontend/ir/parser.h"
#include "graph/passes/autodiff.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"
#include "ops/op_table.h"

using namespace mnemo;

namespace {

// ---- central differences ------------------------------------------------------------------

struct Tolerance {
  double eps = 1e-6;   // step of the central difference
  double rtol = 1e-5;  // relative tolerance
  double atol = 1e-7;  // absolute floor, for gradients near zero
};

/// How one gradient compares with central differences.
struct Comparison {
  double worst = 0;   // max over elements of |autodiff - numeric| / (atol + rtol * magnitude)
  double maxAbs = 0;  // largest |autodiff| element
  std::string detail;
};

/// Compares every element of every gradient in \p ad with (L(p+eps) - L(p-eps)) / 2eps, where
/// \p ev already holds all bindings; \returns one Comparison per parameter.
std::vector<Comparison> compareWithDifferences(Node* loss, const AutodiffResult& ad, ReferenceEvaluator& ev,
                                               const Tolerance& tol = {}) {
  std::vector<Comparison> out;
  ev.run(Stage::Bwd);
  for (size_t i = 0; i < ad.params.size(); ++i) {
    Node* p = ad.params[i];
    const RefTensor analytic = ev.value(ad.grads[i]);
    REQUIRE(analytic.type == p->type());
    const RefTensor base = ev.value(p);
    Comparison c;
    for (size_t k = 0; k < base.size(); ++k) {
      RefTensor shifted = base;
      shifted[k] = base[k] + tol.eps;
      ev.bind(p->name(), shifted);
      ev.run(Stage::Fwd);
      double up = ev.value(loss)[0];
      shifted[k] = base[k] - tol.eps;
      ev.bind(p->name(), shifted);
      ev.run(Stage::Fwd);
      double down = ev.value(loss)[0];
      double numeric = (up - down) / (2 * tol.eps);
      double a = analytic[k];
      double err = std::abs(a - numeric) / (tol.atol + tol.rtol * std::max(std::abs(a), std::abs(numeric)));
      if (err >= c.worst) {
        c.worst = err;
        std::ostringstream os;
        os << "d%" << loss->name() << "/d%" << p->name() << " element " << k << ": autodiff " << a
           << ", central difference " << numeric;
        c.detail = os.str();
      }
      c.maxAbs = std::max(c.maxAbs, std::abs(a));
    }
    ev.bind(p->name(), base);
    out.push_back(c);
  }
  ev.run(Stage::Bwd);
  return out;
}

/// Asserts that every gradient matches central differences and is not all zeros (an all-zero
/// gradient would pass the comparison for the wrong reason).
void checkAgainstDifferences(Node* loss, const AutodiffResult& ad, ReferenceEvaluator& ev,
                             const std::set<size_t>& zero = {}) {
  std::vector<Comparison> all = compareWithDifferences(loss, ad, ev);
  for (size_t i = 0; i < all.size(); ++i) {
    const Comparison& c = all[i];
    INFO(c.detail);
    CHECK(c.worst <= 1.0);
    if (zero.count(i)) CHECK(c.maxAbs == 0);
    else CHECK(c.maxAbs > 1e-6);
  }
}

// ---- one case per op form -------------------------------------------------------------------

/// An operand of the op under test: its shape and the range its values are drawn from
/// (|x| >= minAbs keeps them away from kinks and poles).
struct InputSpec {
  Dims dims;
  double lo = -1, hi = 1, minAbs = 0;
};

struct GradCase {
  std::string label;
  std::vector<InputSpec> inputs;
  std::function<Node*(Builder&, const std::vector<Node*>&)> apply;
  /// The inputs whose gradient must be exactly zero: a comparison is piecewise constant (and
  /// central differences, with inputs away from ties, agree), so is a condition of where.
  std::set<size_t> zeroGradients = {};
};

using Apply = std::function<Node*(Builder&, const std::vector<Node*>&)>;

Apply unary(OpKind k) {
  return [k](Builder& b, const std::vector<Node*>& in) { return b.create(k, {in[0]}); };
}
Apply binary(OpKind k) {
  return [k](Builder& b, const std::vector<Node*>& in) { return b.create(k, {in[0], in[1]}); };
}

void addBinaryCases(std::map<OpKind, std::vector<GradCase>>& cases, OpKind k, double rhsMinAbs) {
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 4}, {3, 1}}, {{4}, {3, 4}}, {{3, 1}, {1, 4}}, {{}, {3, 4}}, {{2, 3, 4}, {3, 1}}};
  for (const auto& [lhs, rhs] : shapes) {
    GradCase c{dimsStr(lhs) + " with " + dimsStr(rhs),
               {{lhs}, {rhs, rhsMinAbs > 0 ? -2.0 : -1.0, rhsMinAbs > 0 ? 2.0 : 1.0, rhsMinAbs}},
               binary(k)};
    cases[k].push_back(c);
  }
  // One value on both sides: two contributions to one operand (x - x and x / x being
  // constant, those two read x and x^2).
  bool cancels = k == OpKind::Sub || k == OpKind::Div;
  cases[k].push_back({cancels ? "x with x^2" : "x with itself", {{{3, 4}, -2, 2, std::max(rhsMinAbs, 0.1)}},
                      [k, cancels](Builder& b, const std::vector<Node*>& in) {
                        return b.create(k, {in[0], cancels ? b.square(in[0]) : in[0]});
                      }});
}

std::map<OpKind, std::vector<GradCase>> gradCases() {
  std::map<OpKind, std::vector<GradCase>> cases;
  addBinaryCases(cases, OpKind::Add, 0);
  addBinaryCases(cases, OpKind::Sub, 0);
  addBinaryCases(cases, OpKind::Mul, 0);
  addBinaryCases(cases, OpKind::Div, 0.5);

  cases[OpKind::Neg] = {{"[3,4]", {{{3, 4}}}, unary(OpKind::Neg)}};
  cases[OpKind::Relu] = {{"[3,4] away from 0", {{{3, 4}, -1, 1, 0.1}}, unary(OpKind::Relu)}};
  cases[OpKind::Tanh] = {{"[3,4]", {{{3, 4}, -2, 2}}, unary(OpKind::Tanh)}};
  cases[OpKind::Sigmoid] = {{"[3,4]", {{{3, 4}, -3, 3}}, unary(OpKind::Sigmoid)}};
  cases[OpKind::Exp] = {{"[3,4]", {{{3, 4}}}, unary(OpKind::Exp)}};
  cases[OpKind::Log] = {{"[3,4] positive", {{{3, 4}, 0.5, 2}}, unary(OpKind::Log)}};
  cases[OpKind::Sqrt] = {{"[3,4] positive", {{{3, 4}, 0.5, 2}}, unary(OpKind::Sqrt)}};
  cases[OpKind::Square] = {{"[3,4]", {{{3, 4}, -2, 2}}, unary(OpKind::Square)}};

  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const int64_t m = 3, k = 4, n = 2;
      Dims a = ta ? Dims{k, m} : Dims{m, k};
      Dims bd = tb ? Dims{n, k} : Dims{k, n};
      std::string label = std::string("transpose_a=") + (ta ? "true" : "false") + " transpose_b=" + (tb ? "true" : "false");
      cases[OpKind::MatMul].push_back({label, {{a}, {bd}}, [ta, tb](Builder& b, const std::vector<Node*>& in) {
                                         return b.matmul(in[0], in[1], ta, tb);
                                       }});
    }
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      const int64_t g = 2, m = 3, k = 4, n = 2;
      Dims a = ta ? Dims{g, k, m} : Dims{g, m, k};
      Dims bd = tb ? Dims{g, n, k} : Dims{g, k, n};
      std::string label = std::string("batched, transpose_a=") + (ta ? "true" : "false") + " transpose_b=" + (tb ? "true" : "false");
      cases[OpKind::MatMul].push_back({label, {{a}, {bd}}, [ta, tb](Builder& b, const std::vector<Node*>& in) {
                                         return b.matmul(in[0], in[1], ta, tb);
                                       }});
    }
  cases[OpKind::MatMul].push_back({"x·xᵀ", {{{3, 4}}}, [](Builder& b, const std::vector<Node*>& in) {
                                     return b.matmul(in[0], in[0], false, true);
                                   }});

  auto reshapeTo = [](Dims to) { return [to](Builder& b, const std::vector<Node*>& in) { return b.reshape(in[0], to); }; };
  cases[OpKind::Reshape] = {{"[3,4] -> [2,6]", {{{3, 4}}}, reshapeTo({2, 6})},
                            {"[2,3,4] -> [6,4]", {{{2, 3, 4}}}, reshapeTo({6, 4})},
                            {"[12] -> [3,1,4]", {{{12}}}, reshapeTo({3, 1, 4})}};

  auto broadcastTo = [](Dims to) { return [to](Builder& b, const std::vector<Node*>& in) { return b.broadcast(in[0], to); }; };
  cases[OpKind::Broadcast] = {{"[4] -> [3,4]", {{{4}}}, broadcastTo({3, 4})},
                              {"[3,1] -> [3,4]", {{{3, 1}}}, broadcastTo({3, 4})},
                              {"[] -> [2,3]", {{{}}}, broadcastTo({2, 3})},
                              {"[1,4] -> [2,3,4]", {{{1, 4}}}, broadcastTo({2, 3, 4})}};

  for (auto [axis, index] : std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 3}, {2, 0}})
    cases[OpKind::Select].push_back({"[3,4,2] axis " + std::to_string(axis), {{{3, 4, 2}}},
                                     [axis = axis, index = index](Builder& b, const std::vector<Node*>& in) {
                                       return b.select(in[0], axis, index);
                                     }});
  for (auto [axis, index, size] : std::vector<std::array<int64_t, 3>>{{0, 2, 5}, {1, 0, 2}, {2, 1, 3}})
    cases[OpKind::InsertSlice].push_back({"[3,4] axis " + std::to_string(axis), {{{3, 4}}},
                                          [axis = axis, index = index, size = size](Builder& b, const std::vector<Node*>& in) {
                                            return b.insertSlice(in[0], axis, index, size);
                                          }});
  for (int64_t axis : {0, 1, 2})
    cases[OpKind::Stack].push_back({"3 x [3,4] axis " + std::to_string(axis), {{{3, 4}}, {{3, 4}}, {{3, 4}}},
                                    [axis](Builder& b, const std::vector<Node*>& in) { return b.stack(in, axis); }});
  cases[OpKind::Stack].push_back({"[x, y, x] axis 1", {{{3, 4}}, {{3, 4}}}, [](Builder& b, const std::vector<Node*>& in) {
                                    return b.stack({in[0], in[1], in[0]}, 1);
                                  }});

  // Comparisons: values drawn from disjoint-ish ranges away from ties (|x| >= 0.1, two draws
  // equal with probability zero); equal compares x with itself, so it is 1 everywhere.
  for (OpKind k : {OpKind::Less, OpKind::LessEqual, OpKind::Greater, OpKind::GreaterEqual})
    cases[k] = {{"[3,4] with [4]", {{{3, 4}}, {{4}}}, binary(k), {0, 1}}};
  cases[OpKind::Equal] = {{"x with itself", {{{3, 4}}}, [](Builder& b, const std::vector<Node*>& in) {
                             return b.create(OpKind::Equal, {in[0], in[0]});
                           }, {0}}};
  // where: the condition (a comparison of a param, so the path is differentiated but gets zero)
  // picks between a broadcast row and a full operand.
  cases[OpKind::Where] = {
      {"greater(c, 0) picks [4] or [3,4]", {{{3, 4}, -1, 1, 0.1}, {{4}}, {{3, 4}}},
       [](Builder& b, const std::vector<Node*>& in) {
         return b.create(OpKind::Where, {b.create(OpKind::Greater, {in[0], b.constant(0.0)}), in[1], in[2]});
       }, {0}},
      {"the same value on both sides", {{{3, 1}, -1, 1, 0.1}, {{3, 4}}},
       [](Builder& b, const std::vector<Node*>& in) {
         return b.create(OpKind::Where, {b.create(OpKind::Less, {in[0], b.constant(0.0)}), in[1], b.square(in[1])});
       }, {0}},
  };

  auto sliceOf = [](int64_t axis, int64_t start, int64_t size) {
    return [=](Builder& b, const std::vector<Node*>& in) {
      return b.create(OpKind::Slice, {in[0]}, {{"axis", axis}, {"start", start}, {"size", size}});
    };
  };
  cases[OpKind::Slice] = {{"[3,8] columns 2..5", {{{3, 8}}}, sliceOf(1, 2, 3)},
                          {"[4,3] leading rows", {{{4, 3}}}, sliceOf(0, 0, 2)},
                          {"[2,3,4] trailing planes", {{{2, 3, 4}}}, sliceOf(1, 1, 2)}};
  auto concatOn = [](int64_t axis) {
    return [=](Builder& b, const std::vector<Node*>& in) { return b.create(OpKind::Concat, in, {{"axis", axis}}); };
  };
  cases[OpKind::Concat] = {{"[3,2] [3,4] axis 1", {{{3, 2}}, {{3, 4}}}, concatOn(1)},
                           {"[1,4] [3,4] [2,4] axis 0", {{{1, 4}}, {{3, 4}}, {{2, 4}}}, concatOn(0)},
                           {"[x, x] axis 0", {{{2, 3}}}, [](Builder& b, const std::vector<Node*>& in) {
                              return b.create(OpKind::Concat, {in[0], in[0]}, {{"axis", int64_t{0}}});
                            }}};
  auto transposeBy = [](std::vector<int64_t> perm) {
    return [=](Builder& b, const std::vector<Node*>& in) { return b.create(OpKind::Transpose, {in[0]}, {{"perm", perm}}); };
  };
  cases[OpKind::Transpose] = {{"[3,4]", {{{3, 4}}}, transposeBy({1, 0})},
                              {"[2,3,4] perm [2,0,1]", {{{2, 3, 4}}}, transposeBy({2, 0, 1})}};

  for (OpKind k : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax})
    for (std::vector<int64_t> axes : std::vector<std::vector<int64_t>>{{0}, {1}, {2}, {0, 2}, {0, 1, 2}})
      cases[k].push_back({"[2,3,4] axes " + dimsStr(axes), {{{2, 3, 4}}}, [k, axes](Builder& b, const std::vector<Node*>& in) {
                            return b.create(k, {in[0]}, {{"axes", axes}});
                          }});

  // Labels are an input (not differentiable); bindRandom draws them over the logits' classes.
  auto xent = [](Builder& b, const std::vector<Node*>& in) {
    return b.softmaxXent(in[0], b.input("labels", TensorType::i64({in[0]->dims()[0]})));
  };
  cases[OpKind::SoftmaxXent] = {{"[5,3] logits", {{{5, 3}, -2, 2}}, xent}, {"[1,4] logits", {{{1, 4}, -2, 2}}, xent}};
  auto xentRows = [](Builder& b, const std::vector<Node*>& in) {
    return b.create(OpKind::SoftmaxXentRows, {in[0], b.input("labels", TensorType::i64({in[0]->dims()[0]}))});
  };
  cases[OpKind::SoftmaxXentRows] = {{"[5,3] logits", {{{5, 3}, -2, 2}}, xentRows}};
  // maximum and minimum pass the gradient to one side: the scalar stays inside the tensor's range
  // and the tensor's values away from it, so both sides are chosen somewhere and no pair is near
  // a tie (where the derivative jumps).
  for (OpKind k : {OpKind::Maximum, OpKind::Minimum}) {
    const InputSpec wide{{3, 4}, -2, 2, 0.5};
    cases[k] = {{"[3,4] with [3,4]", {wide, {{3, 4}, -0.3, 0.3}}, binary(k)},
                {"[3,4] with [4]", {wide, {{4}, -0.3, 0.3}}, binary(k)},
                {"[] with [3,4]", {{{}, -0.3, 0.3}, wide}, binary(k)},
                {"[3,1] with [1,4]", {{{3, 1}, -2, 2, 0.5}, {{1, 4}, -0.3, 0.3}}, binary(k)}};
  }
  // Every other differentiable elementwise op gets the default cases of its arity, from its row
  // (values away from 0, where abs has its kink; broadcast binary ops in every broadcast form).
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    if (info.category != Category::Elementwise || !info.vjp || cases.count(info.kind)) continue;
    if (info.elementwise.scalar.arity == 1)
      cases[info.kind] = {{"[3,4] away from 0", {{{3, 4}, -2, 2, 0.1}}, unary(info.kind)}};
    if (info.elementwise.scalar.arity == 2 && info.hasFlag(kBroadcast)) addBinaryCases(cases, info.kind, 0);
  }
  return cases;
}

RefTensor sample(const TensorType& type, const InputSpec& spec, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(spec.lo, spec.hi);
  RefTensor t(type);
  for (double& x : t.data) {
    do x = dist(rng);
    while (std::abs(x) < spec.minAbs);
  }
  return t;
}

}  // namespace

TEST_CASE("the difference check notices a wrong gradient", "[grad]") {
  // loss = sum(w * w * r): the true gradient is 2 w r; hand the checker w r instead.
  Graph g("wrong");
  Builder b(g);
  Node* w = b.param("w", {4});
  Node* r = b.input("r", TensorType::f32({4}));
  Node* loss = b.create(OpKind::ReduceSum, {b.mul(b.mul(w, w), r)}, {{"axes", std::vector<int64_t>{0}}}, "loss");
  AutodiffResult ad = autodiff(g, loss, {w});
  ReferenceEvaluator ev(g);
  ev.bindRandom(3);
  CHECK(compareWithDifferences(loss, ad, ev)[0].worst <= 1.0);
  b.setStage(Stage::Bwd);
  AutodiffResult wrong = ad;
  wrong.grads[0] = b.mul(w, r);
  ev.run(Stage::Bwd);
  std::vector<Comparison> c = compareWithDifferences(loss, wrong, ev);
  CHECK(c[0].worst > 1e3);
  CHECK(c[0].maxAbs > 1e-6);
}

TEST_CASE("every op with a gradient rule has a gradient-check case", "[grad]") {
  const auto cases = gradCases();
  int differentiable = 0;
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    INFO("op '" << info.name << "'");
    if (!info.vjp) {
      CHECK(cases.count(info.kind) == 0);  // a case for an op without a rule would test nothing
      continue;
    }
    ++differentiable;
    auto it = cases.find(info.kind);
    CHECK(it != cases.end());
    if (it != cases.end()) CHECK(!it->second.empty());
  }
  CHECK(differentiable >= 20);
}

TEST_CASE("gradient rules of every op match central differences", "[grad]") {
  const auto cases = gradCases();
  std::mt19937_64 rng(1234);
  int checked = 0;
  for (int k = 0; k < kNumOps; ++k) {
    const OpInfo& info = opInfo(static_cast<OpKind>(k));
    if (!info.vjp) continue;
    auto it = cases.find(info.kind);
    if (it == cases.end()) {
      FAIL_CHECK("op '" << info.name << "' has a gradient rule but no gradient-check case");
      continue;
    }
    for (const GradCase& c : it->second) {
      INFO("op '" << info.name << "', case " << c.label);
      Graph g("grad_" + std::string(info.name));
      Builder b(g);
      std::vector<Node*> ins;
      for (size_t i = 0; i < c.inputs.size(); ++i) ins.push_back(b.param("p" + std::to_string(i), c.inputs[i].dims));
      Node* out = c.apply(b, ins);
      REQUIRE(out->kind() == info.kind);
      // loss = sum(op(inputs) * R): every output element gets its own random weight.
      Node* r = b.input("r", out->type());
      std::vector<int64_t> axes;
      for (int a = 0; a < out->type().rank(); ++a) axes.push_back(a);
      Node* loss = axes.empty() ? b.create(OpKind::Mul, {out, r}, {}, "loss")
                                : b.create(OpKind::ReduceSum, {b.mul(out, r)}, {{"axes", axes}}, "loss");
      g.addOutput(loss);
      AutodiffResult ad = autodiff(g, loss, ins);
      REQUIRE(ad.grads.size() == ins.size());
      CHECK(verify(g).empty());
      std::string text = printGraph(g);
      CHECK(printGraph(*parseGraph(text)) == text);

      ReferenceEvaluator ev(g);
      for (size_t i = 0; i < ins.size(); ++i) ev.bind(ins[i]->name(), sample(ins[i]->type(), c.inputs[i], rng));
      ev.bind("r", sample(r->type(), InputSpec{}, rng));
      ev.bindRandom(99);  // labels
      checkAgainstDifferences(loss, ad, ev, c.zeroGradients);
      ++checked;
    }
  }
  CHECK(checked >= 60);
}

// ---- BPTT through the notebook's RNN ------------------------------------------------------

namespace {

void checkRnnGradients(double dt, double tau) {
  RnnConfig cfg;
  cfg.batch = 3;
  cfg.seqLen = 5;
  cfg.hidden = 6;
  cfg.dt = dt;
  cfg.tau = tau;
  auto g = buildNotebookRnn(cfg);
  Node* loss = g->find("loss");
  REQUIRE(loss);
  AutodiffResult ad = autodiff(*g, loss);
  REQUIRE(ad.params.size() == 5);
  for (const char* name : {"w_ir", "w_rr", "b_rr", "w_ro", "b_ro"}) CHECK(ad.gradientOf(name)->name() == std::string("grad.") + name);
  CHECK(verify(*g).empty());

  ReferenceEvaluator ev(*g);
  ev.bindRandom(7);
  ev.run(Stage::Fwd);
  // The relus must be neither all dead nor all alive, or BPTT would be tested only in part.
  int alive = 0, total = 0;
  for (int t = 1; t <= cfg.seqLen; ++t)
    for (double h : ev.value("h_" + std::to_string(t)).data) {
      alive += h > 0;
      ++total;
    }
  INFO("relu units alive: " << alive << " of " << total);
  CHECK(alive > total / 4);
  CHECK(alive < total);
  checkAgainstDifferences(loss, ad, ev);
}

}  // namespace

TEST_CASE("BPTT through the notebook RNN (T=5, alpha=1) matches central differences", "[grad][autodiff]") {
  checkRnnGradients(100, 100);
}

TEST_CASE("BPTT through the notebook RNN (T=5, alpha=0.5) matches central differences", "[grad][autodiff]") {
  checkRnnGradients(50, 100);
}

// ---- the full loss of examples/dale_rnn.mnemo: Dale's law, masks, noise, regularisers -------

TEST_CASE("the Dale network's full loss (cross-entropy, L2 on weights and rates, noise) matches central differences",
          "[grad][dale]") {
  ModelOptions o;
  o.batch = 2, o.seqLen = 4;
  o.sizeOverrides["H"] = 6;
  // Larger penalties than the example's, so their share of each gradient is well above the
  // tolerance: a wrong regulariser gradient cannot hide behind the cross-entropy's.
  o.constOverrides["l2_rec"] = 0.5;
  o.constOverrides["l2_rate"] = 0.3;
  o.constOverrides["sigma_rec"] = 0.2;
  Model m = loadModelFile(std::string(MNEMO_SOURCE_DIR) + "/examples/dale_rnn.mnemo", o);
  Graph& g = *m.graph;
  Node* loss = g.find("loss");
  AutodiffResult ad = autodiff(g, loss);
  REQUIRE(ad.params.size() == 5);  // the fixed sign, connect and self are not differentiated
  ReferenceEvaluator ev(g);
  for (auto& [name, values] : initParams(g, 3))
    ev.bind(name, RefTensor(g.find(name)->type(), std::vector<double>(values.begin(), values.end())));
  ev.bindRandom(5);  // inputs, labels and the noise's seed state
  ev.run(Stage::Fwd);
  // The noise is in the graph and not zero: the recurrent draw of step 0 has unit scale.
  int draws = 0;
  for (const Node* n : g.nodes()) draws += n->kind() == OpKind::RandomNormal;
  CHECK(draws == 2 * 4);
  checkAgainstDifferences(loss, ad, ev);
  // Without the penalties the gradient of w_rr differs: they are part of what was checked.
  o.constOverrides["l2_rec"] = 0, o.constOverrides["l2_rate"] = 0;
  Model plain = loadModelFile(std::string(MNEMO_SOURCE_DIR) + "/examples/dale_rnn.mnemo", o);
  AutodiffResult adPlain = autodiff(*plain.graph, plain.graph->find("loss"));
  ReferenceEvaluator evPlain(*plain.graph);
  for (auto& [name, values] : initParams(*plain.graph, 3))
    evPlain.bind(name, RefTensor(plain.graph->find(name)->type(), std::vector<double>(values.begin(), values.end())));
  evPlain.bindRandom(5);
  evPlain.run(Stage::Bwd);
  ev.run(Stage::Bwd);
  const RefTensor& with = ev.value(ad.gradientOf("w_rr"));
  const RefTensor& without = evPlain.value(adPlain.gradientOf("w_rr"));
  double diff = 0;
  for (size_t k = 0; k < with.size(); ++k) diff = std::max(diff, std::fabs(with[k] - without[k]));
  CHECK(diff > 1e-3);
}
