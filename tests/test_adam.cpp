// The Adam pass: structure of the opt stage, one and three steps against numbers worked out from
// BrainPy's formula, a learning-rate change without a rebuild, and a short training run.
#include <catch2/catch.hpp>

#include <cmath>

#include "training/rnn_model.h"
#include "ops/builder.h"
#include "support/error.h"
#include "frontend/ir/parser.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/training.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

/// loss = sum(w^2) over a param w: f32[3], so dloss/dw = 2w changes from step to step.
struct Quadratic {
  Graph g{"quadratic"};
  Node* w = nullptr;
  Node* loss = nullptr;
  AutodiffResult grads;
  AdamResult adam;

  Quadratic() {
    Builder b(g);
    w = b.param("w", {3});
    loss = b.create(OpKind::ReduceSum, {b.square(w)}, {{"axes", std::vector<int64_t>{0}}}, "loss");
    g.addOutput(loss);
    grads = autodiff(g, loss);
    adam = addAdam(g);
  }
};

ReferenceEvaluator startAt(const Quadratic& q, std::vector<double> w) {
  ReferenceEvaluator ev(q.g);
  ev.bind("w", RefTensor(TensorType::f32({3}), std::move(w)));
  ev.bind("w.m", RefTensor(TensorType::f32({3})));
  ev.bind("w.v", RefTensor(TensorType::f32({3})));
  return ev;
}

void checkClose(const RefTensor& got, const std::vector<double>& want, double tol = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    CHECK(got[i] == Approx(want[i]).margin(tol).epsilon(0));
  }
}

}  // namespace

TEST_CASE("adam appends a verified opt stage of state declarations and updates", "[adam]") {
  Quadratic q;
  REQUIRE(q.adam.slots.size() == 1);
  const AdamResult::Slot& s = q.adam.slots[0];
  CHECK(q.adam.hyper->name() == "hyper");
  CHECK(q.adam.hyper->kind() == OpKind::State);
  CHECK(q.adam.hyper->type() == TensorType::f32({5}));
  CHECK(s.m->name() == "w.m");
  CHECK(s.v->name() == "w.v");
  CHECK(s.m->kind() == OpKind::State);
  CHECK(s.v->type() == q.w->type());
  CHECK(s.update->kind() == OpKind::AdamUpdate);
  CHECK(s.update->stage() == Stage::Opt);
  CHECK(s.update->type().isNone());
  CHECK(s.update->operands().vec() == std::vector<Node*>{q.w, q.grads.grads[0], s.m, s.v, q.adam.hyper});
  CHECK(q.g.nodes().back() == s.update);
  CHECK(q.g.outputs() == std::vector<Node*>{q.loss});  // the optimizer adds no outputs
  CHECK(verify(q.g).empty());
  std::string text = printGraph(q.g);
  CHECK(text.find(".stage opt") != std::string::npos);
  CHECK(printGraph(*parseGraph(text)) == text);
}

TEST_CASE("one adam step matches the formula worked by hand", "[adam]") {
  // w = [0.5, -1, 2], g = 2w = [1, -2, 4], lr = 0.1, t = 1:
  //   m = 0.1 g = [0.1, -0.2, 0.4]; v = 0.001 g^2 = [0.001, 0.004, 0.016]
  //   lr_1 = 0.1 * sqrt(1 - 0.999) / (1 - 0.9) = sqrt(0.001) = 0.031622776601683794
  //   w -= lr_1 * m / (sqrt(v) + 1e-8), e.g. w0 = 0.5 - 0.1 / (1 + 1e-8 / 0.0316227766)
  Quadratic q;
  ReferenceEvaluator ev = startAt(q, {0.5, -1.0, 2.0});
  AdamConfig cfg;
  cfg.lr = 0.1;
  ev.bind("hyper", adamHyperTensor(cfg, 1));
  ev.run();
  CHECK(ev.value(q.loss)[0] == Approx(0.25 + 1 + 4).epsilon(1e-15));  // the loss before the update
  checkClose(ev.value(q.grads.grads[0]), {1.0, -2.0, 4.0});
  checkClose(ev.value("w"), {0.40000003162276659, -0.90000001581138578, 1.9000000079056936});
  checkClose(ev.value("w.m"), {0.1, -0.2, 0.4});
  checkClose(ev.value("w.v"), {0.001, 0.004, 0.016});
}

TEST_CASE("three adam steps match the formula with bias correction", "[adam]") {
  Quadratic q;
  ReferenceEvaluator ev = startAt(q, {0.5, -1.0, 2.0});
  AdamConfig cfg;
  cfg.lr = 0.1;
  for (int64_t t = 1; t <= 3; ++t) {
    ev.bind("hyper", adamHyperTensor(cfg, t));
    ev.run();
  }
  // Worked out step by step from lr_t = lr sqrt(1 - 0.999^t) / (1 - 0.9^t), outside mnemo.
  checkClose(ev.value("w"), {0.20487132439333439, -0.70158630856159787, 1.7006234096352553});
  checkClose(ev.value("w.m"), {0.21323750069052755, -0.48408245386575655, 1.0260333012677116});
  checkClose(ev.value("w.v"), {0.0020002166814602493, 0.0097914032261758391, 0.043355973819751842});
}

TEST_CASE("a new learning rate is a new binding, not a new graph", "[adam]") {
  Quadratic q;
  const std::string before = printGraph(q.g);
  const size_t nodes = q.g.size();
  AdamConfig cfg;
  cfg.lr = 0.01;
  cfg.beta1 = 0.8;
  cfg.beta2 = 0.99;
  cfg.eps = 1e-6;
  ReferenceEvaluator ev = startAt(q, {0.3, -0.7, 1.5});

  // The formula in a plain loop, independent of the op: g = 2w.
  std::vector<double> w = {0.3, -0.7, 1.5}, m(3, 0.0), v(3, 0.0);
  for (int64_t t = 1; t <= 4; ++t) {
    if (t == 3) cfg.lr = 0.05;  // a schedule change between steps
    ev.bind("hyper", adamHyperTensor(cfg, t));
    ev.run();
    double lrt = cfg.lr * std::sqrt(1 - std::pow(cfg.beta2, t)) / (1 - std::pow(cfg.beta1, t));
    for (size_t i = 0; i < 3; ++i) {
      double g = 2 * w[i];
      m[i] = cfg.beta1 * m[i] + (1 - cfg.beta1) * g;
      v[i] = cfg.beta2 * v[i] + (1 - cfg.beta2) * g * g;
      w[i] -= lrt * m[i] / (std::sqrt(v[i]) + cfg.eps);
    }
    INFO("step " << t);
    checkClose(ev.value("w"), w);
  }
  CHECK(q.g.size() == nodes);
  CHECK(printGraph(q.g) == before);
}

TEST_CASE("adam hyper values follow BrainPy's defaults", "[adam]") {
  CHECK(adamHyper(AdamConfig{}, 7) == std::vector<double>{1e-3, 0.9, 0.999, 1e-8, 7});
  RefTensor t = adamHyperTensor(AdamConfig{}, 1);
  CHECK(t.type == TensorType::f32({5}));
  CHECK(t.data == std::vector<double>{1e-3, 0.9, 0.999, 1e-8, 1});
  CHECK_THROWS_WITH(adamHyper(AdamConfig{}, 0), "adam: the step counter starts at 1, got 0");
}

TEST_CASE("adam updates the params whose gradients the graph marks, and only those", "[adam]") {
  Graph g("bad");
  Builder b(g);
  Node* w = b.param("w", {3});
  Node* x = b.input("x", TensorType::f32({3}));
  Node* loss = b.create(OpKind::ReduceSum, {b.mul(w, x)}, {{"axes", std::vector<int64_t>{0}}}, "loss");
  CHECK_THROWS_WITH(addAdam(g), "adam: graph @bad marks no gradients (has autodiff run?)");
  AutodiffResult ad = autodiff(g, loss, {w, x});  // x is an input: its gradient is not a param's
  CHECK(g.loss() == loss);
  CHECK(g.gradientOf(w) == ad.grads[0]);
  CHECK(g.gradientOf(x) == nullptr);
  AdamResult adam = addAdam(g);
  REQUIRE(adam.slots.size() == 1);
  CHECK(adam.slots[0].param == w);
  CHECK(adam.slots[0].update->operand(1) == ad.grads[0]);
  CHECK(g.persistentLeaves() == std::vector<Node*>{w, adam.slots[0].m, adam.slots[0].v});
  // A gradient that does not fit its param cannot be marked.
  CHECK_THROWS_WITH(g.markRole(Role::Grad, loss, w), "'grad' mark on %loss : f32[] does not match param %w : f32[3]");
}

TEST_CASE("the notebook RNN trains: buildTrainingGraph lowers the loss on a fixed batch", "[adam][autodiff]") {
  RnnConfig cfg;
  cfg.batch = 4;
  cfg.seqLen = 6;
  cfg.hidden = 8;
  auto g = buildNotebookRnn(cfg);
  TrainingGraph tg = buildTrainingGraph(*g);
  CHECK(tg.loss == g->find("loss"));
  REQUIRE(tg.adam.slots.size() == 5);
  ReferenceEvaluator ev(*g);
  for (const AdamResult::Slot& s : tg.adam.slots) {
    ev.bind(s.m->name(), RefTensor(s.m->type()));
    ev.bind(s.v->name(), RefTensor(s.v->type()));
  }
  ev.bindRandom(11);  // x, labels and params
  AdamConfig adam;
  adam.lr = 0.02;
  std::vector<double> losses;
  for (int64_t t = 1; t <= 40; ++t) {
    ev.bind("hyper", adamHyperTensor(adam, t));
    ev.run();
    losses.push_back(ev.value(tg.loss)[0]);
  }
  INFO("loss " << losses.front() << " -> " << losses.back());
  CHECK(losses.back() < 0.7 * losses.front());
}

TEST_CASE("buildTrainingGraph reports a missing loss or parameter", "[adam]") {
  RnnConfig cfg;
  cfg.batch = 2;
  cfg.seqLen = 3;
  cfg.hidden = 4;
  auto g = buildNotebookRnn(cfg);
  TrainingOptions missingLoss;
  missingLoss.loss = "nope";
  CHECK_THROWS_WITH(buildTrainingGraph(*g, missingLoss), "training: graph @rnn has no loss %nope");
  TrainingOptions missingParam;
  missingParam.params = {"w_rr", "w_xx"};
  CHECK_THROWS_WITH(buildTrainingGraph(*g, missingParam), "training: graph @rnn has no parameter %w_xx");
  TrainingOptions some;
  some.params = {"w_rr", "w_ro"};
  some.returnGradients = true;
  TrainingGraph tg = buildTrainingGraph(*g, some);
  CHECK(tg.adam.slots.size() == 2);
  CHECK(g->outputs().size() == 4);  // loss, logits, grad.w_rr, grad.w_ro
  CHECK(g->outputs()[2]->name() == "grad.w_rr");
}
