// The optimization passes: structure of their output, and numerical equivalence with the
// unoptimized graph (reference evaluator, double precision) on random inputs.
#include <catch2/catch.hpp>

#include "training/rnn_model.h"
#include "graph/passes/passes.h"
#include "graph/passes/verifier.h"
#include "runtime/kernels/micro_gemm.h"
#include "pass_test_util.h"

using namespace mnemo;
using namespace mnemo::testing;

namespace {

std::unique_ptr<Graph> runPipeline(const Graph& g, const std::string& pipeline,
                                   std::vector<std::string> disabled = {}) {
  auto copy = cloneGraph(g);
  PassManagerOptions opts;
  opts.disabled = std::move(disabled);
  PassManager pm(opts);
  buildPipeline(pipeline, pm);
  pm.run(*copy);
  return copy;
}

std::unique_ptr<Graph> runPass(const std::string& text, std::unique_ptr<Pass> pass) {
  auto g = parseGraph(text, "<test>");
  PassContext ctx;
  pass->run(*g, ctx);
  REQUIRE(verify(*g).empty());
  return g;
}

bool multipliesByZero(const Graph& g) {
  for (const Node* n : g.nodes()) {
    if (n->kind() != OpKind::Mul) continue;
    for (const Node* op : n->operands())
      if (op->kind() == OpKind::Constant && op->attr<double>("value") == 0.0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("simplify removes the leak term when alpha is 1", "[pass]") {
  RnnConfig cfg;
  cfg.seqLen = 6, cfg.batch = 3, cfg.hidden = 5;
  auto g = buildNotebookRnn(cfg);
  REQUIRE(multipliesByZero(*g));  // the frontend emits h·(1−α) as written
  auto train = runPipeline(*g, "train");
  CHECK_FALSE(multipliesByZero(*train));
  CHECK(countOps(*train, OpKind::Mul) == 0);  // and ins·α with α = 1 is gone too
}

TEST_CASE("the train pipeline computes what the unoptimized training graph computes", "[pass]") {
  for (double tau : {100.0, 200.0}) {  // α = 1 and α = 0.5
    RnnConfig cfg;
    cfg.seqLen = 7, cfg.batch = 3, cfg.hidden = 6, cfg.tau = tau;
    auto g = buildNotebookRnn(cfg);
    auto plain = runPipeline(*g, "train-unfused");
    auto optimized = runPipeline(*g, "train");
    INFO("tau " << tau);
    CHECK(optimized->size() < plain->size());
    auto bindings = randomBindings(*plain, 11);
    CHECK(maxDifference(*plain, *optimized, bindings) < 1e-12);
  }
}

TEST_CASE("time batching leaves only the recurrent matmuls per step", "[pass]") {
  RnnConfig cfg;
  cfg.seqLen = 10, cfg.batch = 4, cfg.hidden = 8;
  auto g = buildNotebookRnn(cfg);
  auto plain = runPipeline(*g, "train-unfused");
  auto optimized = runPipeline(*g, "train-onednn", {"fuse-matmul-epilogue", "fuse-elementwise"});
  // Unfused: 3 matmuls per step forward, 5 backward (minus the ones h_0 = 0 makes vanish).
  CHECK(countOps(*plain, OpKind::MatMul) > 60);
  // Batched: forward T-1 recurrent + input projection + readout; backward T-1 recurrent +
  // readout gradient + three weight gradients.
  CHECK(countOps(*optimized, OpKind::MatMul) == (10 - 1) + 2 + (10 - 1) + 1 + 3);
  // With the micro-kernel, the shallow input projection (2 inputs) and readout gradient (3
  // classes) stay per step, each the second product of a recurrent step's kernel
  // (microSecondProduct): T of each, the first projection and last gradient on their own.
  if (!cpuSupports(GemmIsa::Avx2)) {
    WARN("skipped the micro-kernel half: this CPU has no AVX2");
    return;
  }
  auto micro = runPipeline(*g, "train", {"fuse-matmul-epilogue", "fuse-elementwise"});
  CHECK(countOps(*micro, OpKind::MatMul) == (10 - 1) + 10 + 1 + (10 - 1) + 10 + 3);
}

TEST_CASE("cse merges equal nodes and equal constants", "[pass]") {
  auto g = runPass(R"(graph @t {
  %x = input : f32[4]
  %c1 = constant {value=2.0} : f32[]
  %c2 = constant {value=2.0} : f32[]
  %a = mul(%x, %c1) : f32[4]
  %b = mul(%x, %c2) : f32[4]
  %s = add(%a, %b) : f32[4]
  return %s
})", createCsePass());
  CHECK(countOps(*g, OpKind::Mul) == 1);
  CHECK(countOps(*g, OpKind::Constant) == 1);
  std::string missing;
  CHECK(containsInOrder(printGraph(*g), {"%a", "= mul(%x, %c1)", "%s", "= add(%a, %a)"}, &missing));
}

TEST_CASE("cse still merges users of a value renamed by an earlier merge", "[pass]") {
  // %5 merges into %1, which takes the name %two; %b must still find its twin %a, whose key was
  // recorded while the kept constant was called %1.
  auto g = runPass(R"(graph @t {
  %x = input : f32[4]
  %1 = constant {value=2.0} : f32[]
  %a = mul(%x, %1) : f32[4]
  %two = constant {value=2.0} : f32[]
  %b = mul(%x, %two) : f32[4]
  %s = add(%a, %b) : f32[4]
  return %s
})", createCsePass());
  CHECK(countOps(*g, OpKind::Constant) == 1);
  CHECK(countOps(*g, OpKind::Mul) == 1);
  std::string missing;
  CHECK(containsInOrder(printGraph(*g), {"%two", "= constant", "%a", "= mul(%x, %two)", "%s", "= add(%a, %a)"}, &missing));
}

TEST_CASE("cse keeps every returned value under its own name", "[pass]") {
  auto g = runPass(R"(graph @t {
  %x = input : f32[4]
  %rate = tanh(%x) : f32[4]
  %hs = tanh(%x) : f32[4]
  %u = tanh(%x) : f32[4]
  %s = add(%u, %hs) : f32[4]
  return %rate, %hs, %s
})", createCsePass());
  CHECK(countOps(*g, OpKind::Tanh) == 2);  // %u merges into %rate; %hs, returned, stays
  REQUIRE(g->find("hs"));
  CHECK(g->outputs()[1] == g->find("hs"));
  std::string missing;
  CHECK(containsInOrder(printGraph(*g), {"%s", "= add(%rate, %hs)"}, &missing));
}

TEST_CASE("dce removes dead chains but never side effects", "[pass]") {
  auto g = runPass(R"(graph @t {
  %p = param : f32[2]
  %g = input : f32[2]
  %m = state : f32[2]
  %v = state : f32[2]
  %h = state : f32[5]
  %d1 = exp(%g) : f32[2]
  %d2 = neg(%d1) : f32[2]
  %keep = tanh(%g) : f32[2]
.stage opt
  %u = adam_update(%p, %g, %m, %v, %h) : ()
  return %keep
})", createDcePass());
  CHECK(countOps(*g, OpKind::Exp) == 0);
  CHECK(countOps(*g, OpKind::Neg) == 0);
  CHECK(countOps(*g, OpKind::AdamUpdate) == 1);
  CHECK(g->find("keep") != nullptr);
}

TEST_CASE("simplify folds constants and identities", "[pass]") {
  auto g = runPass(R"(graph @t {
  %x = input : f32[4]
  %one = constant {value=1.0} : f32[]
  %zero = constant {value=0.0} : f32[]
  %two = constant {value=2.0} : f32[]
  %three = add(%one, %two) : f32[]
  %a = mul(%x, %one) : f32[4]
  %b = add(%a, %zero) : f32[4]
  %c = neg(%b) : f32[4]
  %d = neg(%c) : f32[4]
  %e = mul(%d, %three) : f32[4]
  return %e
})", createSimplifyPass());
  std::string text = printGraph(*g);
  std::string missing;
  INFO(text);
  // −(−(x·1 + 0)) is x; what is left dead is dce's to remove.
  CHECK(g->find("e")->operand(0) == g->find("x"));
  CHECK(containsInOrder(text, {"constant {value=3.0} : f32[]", "%e", "= mul(%x, %three)"}, &missing));
}
