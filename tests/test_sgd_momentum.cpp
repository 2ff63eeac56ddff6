// The sgd-momentum pass (SGD with momentum: v = momentum v + g; p -= lr v): its opt stage and
// training marks, two steps against a hand computation in the reference evaluator, and the
// runtime's sgd_update kernel against the same numbers.
#include <catch2/catch.hpp>

#include "ops/builder.h"
#include "frontend/ir/parser.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/passes.h"
#include "graph/passes/sgd_momentum.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

/// loss = sum(w^2) over a param w: f32[3], so dloss/dw = 2w; SGD with momentum appended.
struct QuadraticSgd {
  Graph g{"quadratic"};
  Node* w = nullptr;
  Node* loss = nullptr;
  std::vector<Node*> updates;

  QuadraticSgd() {
    Builder b(g);
    w = b.param("w", {3});
    loss = b.create(OpKind::ReduceSum, {b.square(w)}, {{"axes", std::vector<int64_t>{0}}}, "loss");
    g.addOutput(loss);
    autodiff(g, loss);
    updates = addSgdMomentum(g);
  }
};

// w = [0.5, -1, 2], lr = 0.1, momentum = 0.9, velocity 0:
//   step 1: g = 2w = [1, -2, 4];       v = g = [1, -2, 4];                 w = w - 0.1 v = [0.4, -0.8, 1.6]
//   step 2: g = 2w = [0.8, -1.6, 3.2]; v = 0.9 [1, -2, 4] + g = [1.7, -3.4, 6.8]; w = [0.23, -0.46, 0.92]
const std::vector<double> kW1 = {0.4, -0.8, 1.6}, kV1 = {1.0, -2.0, 4.0};
const std::vector<double> kW2 = {0.23, -0.46, 0.92}, kV2 = {1.7, -3.4, 6.8};

}  // namespace

TEST_CASE("sgd-momentum appends one sgd_update per param and marks its state", "[sgd]") {
  QuadraticSgd q;
  REQUIRE(q.updates.size() == 1);
  Node* hyper = q.g.find("hyper");
  Node* velocity = q.g.find("w.velocity");
  REQUIRE(hyper);
  REQUIRE(velocity);
  CHECK(hyper->type() == TensorType::f32({3}));
  CHECK(velocity->kind() == OpKind::State);
  CHECK(q.updates[0]->kind() == OpKind::SgdUpdate);
  CHECK(q.updates[0]->stage() == Stage::Opt);
  CHECK(q.updates[0]->operands().vec() == std::vector<Node*>{q.w, q.g.gradientOf(q.w), velocity, hyper});
  CHECK(q.g.persistentLeaves() == std::vector<Node*>{q.w, velocity});  // what a checkpoint holds
  CHECK(verify(q.g).empty());
  std::string text = printGraph(q.g);
  CHECK(text.find("  .role opt_state %w.velocity of %w\n") != std::string::npos);
  CHECK(text.find("  .role hyper %hyper\n") != std::string::npos);
  CHECK(printGraph(*parseGraph(text)) == text);
  CHECK(sgdHyper(0.1, 0.9, 4) == std::vector<double>{0.1, 0.9, 4});
}

TEST_CASE("sgd-momentum needs the gradients autodiff marks", "[sgd]") {
  Graph g("nograd");
  Builder b(g);
  b.param("w", {3});
  CHECK_THROWS_WITH(addSgdMomentum(g), "sgd-momentum: graph @nograd marks no gradients (has autodiff run?)");
}

TEST_CASE("two sgd-momentum steps match the hand computation in the reference evaluator", "[sgd]") {
  QuadraticSgd q;
  ReferenceEvaluator ev(q.g);
  ev.bind("w", RefTensor(TensorType::f32({3}), {0.5, -1.0, 2.0}));
  ev.bind("w.velocity", RefTensor(TensorType::f32({3})));
  ev.bind("hyper", RefTensor(TensorType::f32({3}), sgdHyper(0.1, 0.9, 1)));
  ev.run();
  for (size_t i = 0; i < 3; ++i) {
    CHECK(ev.value("w")[i] == Approx(kW1[i]).margin(1e-12));
    CHECK(ev.value("w.velocity")[i] == Approx(kV1[i]).margin(1e-12));
  }
  ev.bind("hyper", RefTensor(TensorType::f32({3}), sgdHyper(0.1, 0.9, 2)));
  ev.run();
  for (size_t i = 0; i < 3; ++i) {
    CHECK(ev.value("w")[i] == Approx(kW2[i]).margin(1e-12));
    CHECK(ev.value("w.velocity")[i] == Approx(kV2[i]).margin(1e-12));
  }
}

TEST_CASE("the runtime's sgd_update kernel takes the same two steps", "[sgd][runtime]") {
  QuadraticSgd q;
  Session s(q.g);
  s.setF32("w", std::vector<float>{0.5f, -1.0f, 2.0f});
  CHECK_THROWS_WITH(s.trainStep(),
                    "graph @quadratic: bind the optimizer's hyper-parameters (setHyper) before the first step");
  s.setHyper(sgdHyper(0.1, 0.9, 0));
  CHECK(s.trainStep() == Approx(5.25));  // the loss before the update
  CHECK(s.step() == 1);
  s.trainStep();
  CHECK(s.step() == 2);
  std::vector<float> w = s.getF32("w"), v = s.getF32("w.velocity");
  for (size_t i = 0; i < 3; ++i) {
    CHECK(w[i] == Approx(kW2[i]).margin(1e-6));
    CHECK(v[i] == Approx(kV2[i]).margin(1e-6));
  }
  CHECK_THROWS_WITH(s.setAdam(1e-3), "graph @quadratic trains with another optimizer than Adam");
  CHECK_THROWS_WITH(s.setHyper({0.1, 0.9}),
                    "optimizer hyper-parameters %hyper hold 3 values, got 2 (another optimizer's?)");
}
