// Every elementwise op of ops.def, read from the op table, inside a fused loop region and as a
// matmul epilogue: either the fusion pass takes it and the fused kernel matches the reference
// evaluator on the unfused graph, or the pass leaves it out and the fusion rule states why. An
// op added to ops.def is covered here with no edit.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>

#include "ops/builder.h"
#include "runtime/target/fusion_rules.h"
#include "graph/passes/passes.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"
#include "ops/op_table.h"

using namespace mnemo;

namespace {

using Build = std::function<Node*(Builder&)>;  // returns the node of the op under test

Node* in(Builder& b, const std::string& name, Dims dims) { return b.input(name, TensorType::f32(std::move(dims))); }

/// Ops undefined for negative numbers (log, sqrt) get positive inputs; the row's scalar function
/// tells which.
bool needsPositive(const OpInfo& info) {
  const ScalarFns& s = info.elementwise.scalar;
  return s.arity == 1 && std::isnan(s.d1(-1.0));
}

/// \p op applied to \p first and, for its other operands, fresh full-shape inputs.
Node* apply(Builder& b, OpKind op, Node* first) {
  std::vector<Node*> operands = {first};
  const int arity = opInfo(op).arity;
  for (int i = 1; i < arity; ++i) operands.push_back(in(b, "p" + std::to_string(i), first->dims()));
  return b.create(op, operands, {}, "tested");
}

const Node* findBody(const Graph& g, OpKind op, bool* fused) {
  *fused = false;
  const Node* tested = nullptr;
  for (const Node* n : g.nodes()) {
    if (n->kind() == op) tested = n;
    if (n->kind() != OpKind::Fused) continue;
    for (const Node* b : n->body()->nodes())
      if (b->kind() == op) *fused = true;
  }
  return tested;
}

/// Builds the graph twice, fuses one copy with \p pass and compares it with the reference
/// evaluator on the other. \returns whether the op under test ended up inside a fused region.
bool runFusedAgainstReference(OpKind op, const Build& build, std::unique_ptr<Pass> pass) {
  Graph plain("plain"), fused("fused");
  {
    Builder b(plain);
    plain.addOutput(build(b));
  }
  {
    Builder b(fused);
    fused.addOutput(build(b));
  }
  PassContext ctx;
  pass->run(fused, ctx);  // false when it fused nothing
  bool inRegion = false;
  findBody(fused, op, &inRegion);

  ReferenceEvaluator ref(plain);
  Session s(fused);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> mag(0.2f, 2.0f);
  const bool positive = needsPositive(opInfo(op));
  for (const Node* n : plain.nodes()) {
    if (n->kind() != OpKind::Input) continue;
    std::vector<float> v(static_cast<size_t>(n->type().numel()));
    for (float& x : v) x = (positive || rng() % 2 ? 1.f : -1.f) * mag(rng);
    s.setF32(n->name(), v);
    ref.bind(n->name(), RefTensor(n->type(), std::vector<double>(v.begin(), v.end())));
  }
  ref.run();
  s.executable().run(Stage::Opt);
  const RefTensor& want = ref.value(plain.outputs()[0]);
  std::vector<float> got = s.getF32(fused.outputs()[0]->name());
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    // oneDNN's jit exp/log/tanh use polynomial approximations good to ~1e-5 relative.
    REQUIRE(got[i] == Approx(want[i]).epsilon(1e-4).margin(1e-5));
  }
  return inRegion;
}

/// Runs every elementwise op through \p pass in the graph \p around builds for it. The op must be
/// inside a fused region exactly when \p rule says yes, and a no must say why. \returns how
/// many ops were fused.
int fuseEveryOp(const std::function<Build(OpKind)>& around, const std::function<FusionDecision(Node*)>& rule,
                const std::function<std::unique_ptr<Pass>()>& pass) {
  int fusedOps = 0;
  for (int k = 0; k < kNumOps; ++k) {
    const OpKind op = static_cast<OpKind>(k);
    if (opInfo(op).category != Category::Elementwise) continue;
    INFO("op '" << opName(op) << "'");
    Build build = around(op);
    Graph probe("probe");
    Builder pb(probe);
    FusionDecision d = rule(build(pb));
    bool inRegion = runFusedAgainstReference(op, build, pass());
    CHECK(inRegion == d.ok);
    if (!d.ok) CHECK_FALSE(d.why.empty());
    fusedOps += inRegion;
  }
  return fusedOps;
}

}  // namespace

TEST_CASE("every elementwise op runs in a fused loop region or is refused with a reason", "[fusion][ops]") {
  // x * y feeds the op, so a region forms whenever the op may join one.
  auto around = [](OpKind op) -> Build {
    return [op](Builder& b) { return apply(b, op, b.mul(in(b, "x", {16, 64}), in(b, "y", {16, 64}))); };
  };
  int fused = fuseEveryOp(around, [](Node* n) { return loopFusable(n); }, createFuseElementwisePass);
  CHECK(fused >= 8);  // the arithmetic ops, relu, relu_grad, sqrt, square, abs, maximum, minimum
}

TEST_CASE("every elementwise op runs as a oneDNN matmul epilogue or is refused with a reason", "[fusion][ops]") {
  auto around = [](OpKind op) -> Build {
    return [op](Builder& b) { return apply(b, op, b.matmul(in(b, "a", {16, 32}), in(b, "w", {32, 64}))); };
  };
  auto rule = [](Node* n) {
    EpilogueStep step;
    return epilogueStep(n, 0, &step);
  };
  int fused = fuseEveryOp(around, rule, [] { return createFuseMatmulEpiloguePass(false); });
  CHECK(fused >= 12);  // every op with a oneDNN eltwise or binary algorithm
}

TEST_CASE("every elementwise op runs in a micro-kernel matmul epilogue or is refused with a reason", "[fusion][ops][micro]") {
  // The running value on the left and, for binary ops, on the right of the op.
  for (int side = 0; side < 2; ++side) {
    INFO("running value is operand " << side);
    auto around = [side](OpKind op) -> Build {
      return [op, side](Builder& b) {
        Node* m = b.matmul(in(b, "a", {16, 32}), in(b, "w", {32, 64}));
        if (side == 0 || opInfo(op).arity != 2) return apply(b, op, m);
        return b.create(op, {in(b, "p1", m->dims()), m}, {}, "tested");
      };
    };
    auto rule = [side](Node* n) { return microEpilogueStep(n, n->numOperands() == 2 ? side : 0); };
    int fused = fuseEveryOp(around, rule, [] { return createFuseMatmulEpiloguePass(true); });
    CHECK(fused >= 8);  // the arithmetic ops, relu, relu_grad, sqrt, square, abs, maximum, minimum
  }
}
