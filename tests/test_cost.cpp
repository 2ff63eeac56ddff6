// graph/cost.h: FLOPs per node and the FLOP-weighted critical path, against counts made by hand
// on small graphs (a training step in three stages, a recurrent chain, a fused region), and on
// the notebook model through the train pipeline (fusion and time batching keep the arithmetic).
#include <catch2/catch.hpp>

#include <filesystem>

#include "frontend/dsl/model.h"
#include "graph/cost.h"
#include "graph/passes/passes.h"
#include "pass_test_util.h"

using namespace mnemo;
using namespace mnemo::testing;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Graph> afterPipeline(const Graph& g, const std::string& pipeline) {
  auto copy = cloneGraph(g);
  PassManager pm;
  buildPipeline(pipeline, pm);
  pm.run(*copy);
  return copy;
}

}  // namespace

TEST_CASE("cost: a training step in three stages, counted by hand", "[cost]") {
  auto g = parseGraphFile((fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "train_stages.gir").string());
  // fwd: z = x[4,2]·w[2,3] 2·4·2·3 = 48; + b 12; softmax_xent 4·12 = 48.
  CHECK(nodeFlops(*g->find("z")) == 48);
  CHECK(nodeFlops(*g->find("logits")) == 12);
  CHECK(nodeFlops(*g->find("loss")) == 48);
  // bwd: its gradient 5·12 = 60; dw = xᵀ[2,4]·dlogit[4,3] 2·2·4·3 = 48 (K from the transposed
  // operand); db sums 12 elements.
  CHECK(nodeFlops(*g->find("dlogit")) == 60);
  CHECK(nodeFlops(*g->find("dw")) == 48);
  CHECK(nodeFlops(*g->find("db")) == 12);
  // opt: Adam 12 per element, on 6 and 3; leaves nothing.
  CHECK(nodeFlops(*g->find("upd_w")) == 72);
  CHECK(nodeFlops(*g->find("upd_b")) == 36);
  CHECK(nodeFlops(*g->find("x")) == 0);
  GraphCost c = graphCost(*g);
  CHECK(c.total == 336);
  CHECK(c.matmul == 96);
  CHECK(c.stage[0] == 108);
  CHECK(c.stage[1] == 120);
  CHECK(c.stage[2] == 108);
  // Longest chain: z → logits → dlogit → dw → upd_w = 48 + 12 + 60 + 48 + 72 (the loss and the
  // bias branch are shorter: 108 and 168).
  CHECK(c.criticalPath == 240);
  REQUIRE(c.matmuls.size() == 2);
}

TEST_CASE("cost: a recurrent chain is the critical path, a wide side branch is not", "[cost]") {
  // Three recurrent products h·W (2·2·4·4 = 64 each, + relu 8) in a chain, and three products
  // of the inputs (x_t·V, 2·2·4·4 = 64) that all hang off the start.
  auto g = parseGraph(R"(graph @chain {
  %x1 = input : f32[2,4]
  %x2 = input : f32[2,4]
  %x3 = input : f32[2,4]
  %w  = param : f32[4,4]
  %v  = param : f32[4,4]
  %p1 = matmul(%x1, %v) : f32[2,4]
  %p2 = matmul(%x2, %v) : f32[2,4]
  %p3 = matmul(%x3, %v) : f32[2,4]
  %a1 = matmul(%p1, %w) : f32[2,4]
  %h1 = relu(%a1) : f32[2,4]
  %a2 = matmul(%h1, %w) {transpose_b=true} : f32[2,4]
  %s2 = add(%a2, %p2) : f32[2,4]
  %h2 = relu(%s2) : f32[2,4]
  %a3 = matmul(%h2, %w) : f32[2,4]
  %s3 = add(%a3, %p3) : f32[2,4]
  %h3 = relu(%s3) : f32[2,4]
  %out = reduce_mean(%h3) {axes=[0,1]} : f32[]
  return %out
})");
  GraphCost c = graphCost(*g);
  // 6 matmuls · 64, 3 relu + 2 add · 8, the mean 8.
  CHECK(c.matmul == 384);
  CHECK(c.total == 384 + 40 + 8);
  // p1 64 → a1 64 → h1 8 → a2 64 → s2 8 → h2 8 → a3 64 → s3 8 → h3 8 → out 8.
  CHECK(c.criticalPath == 64 * 4 + 8 * 6);
  CHECK(c.criticalPathThreaded == c.criticalPath);  // one thread
  // On 2 threads with nodes of 64 FLOPs or more split: the four matmuls on the chain count 32.
  GraphCost two = graphCost(*g, 2, 64);
  CHECK(two.criticalPath == c.criticalPath);
  CHECK(two.criticalPathThreaded == 32 * 4 + 8 * 6);
  CHECK(two.total == c.total);
  // With the default split size (1 MFLOP) nothing here is big enough to share.
  CHECK(graphCost(*g, 2).criticalPathThreaded == c.criticalPath);
}

TEST_CASE("cost: a fused region costs what its ops cost apart", "[cost]") {
  auto g = parseGraphFile((fs::path(MNEMO_SOURCE_DIR) / "tests" / "fixtures" / "fusion" / "chain.gir").string());
  GraphCost before = graphCost(*g);
  CHECK(before.total == 5 * 32);  // five elementwise ops over [4,8]
  auto fused = cloneGraph(*g);
  PassContext ctx;
  REQUIRE(createFuseElementwisePass()->run(*fused, ctx));
  REQUIRE(countOps(*fused, OpKind::Fused) == 1);
  GraphCost after = graphCost(*fused);
  CHECK(after.total == before.total);
  CHECK(after.criticalPath == before.criticalPath);
  CHECK(before.criticalPath == 5 * 32);
}

TEST_CASE("cost: the notebook model's step keeps its arithmetic through the train pipeline", "[cost]") {
  ModelOptions opts;
  opts.batch = 4, opts.seqLen = 6, opts.sizeOverrides["H"] = 8;
  Model m = loadNotebookModel(opts);
  auto fused = afterPipeline(*m.graph, "train");
  GraphCost c = graphCost(*fused);
  // The recurrent products h_t·W (and their transposes backward) all lie on one chain, B=4,
  // H=8: 2·4·8·8 = 512 each. The fused graph has T−1 of them each way (h_0 = 0 is simplified
  // away), in matmul regions.
  int recurrent = 0;
  for (const Node* mm : c.matmuls)
    if (mm->dims() == Dims{4, 8} && mm->operand(0)->dims() == Dims{4, 8} && mm->operand(1)->dims() == Dims{8, 8}) ++recurrent;
  CHECK(recurrent == 2 * (6 - 1));
  CHECK(c.criticalPath >= recurrent * 512.0);
  CHECK(c.criticalPath <= c.total);
  CHECK(c.matmul <= c.total);
  CHECK(c.stage[0] > 0);
  CHECK(c.stage[1] > c.stage[0]);  // the backward pass does about twice the forward's products
  // Adam on every parameter: 12 FLOPs per element.
  double params = 0;
  for (const Node* n : fused->nodes())
    if (n->kind() == OpKind::Param) params += static_cast<double>(n->type().numel());
  CHECK(c.stage[2] == 12 * params);
}

TEST_CASE("cost: a batched matmul counts every product of its batch", "[cost]") {
  auto g = parseGraph(R"(graph @batched {
  %a = input : f32[3,4,2]
  %w = input : f32[3,2,5]
  %at = input : f32[3,2,4]
  %c = matmul(%a, %w) : f32[3,4,5]
  %d = matmul(%at, %w) {transpose_a=true} : f32[3,4,5]
  return %c, %d
}
)");
  // Three products of 2·4·2·5 = 80 each, whatever the transpose.
  CHECK(nodeFlops(*g->find("c")) == 240);
  CHECK(nodeFlops(*g->find("d")) == 240);
  CHECK(graphCost(*g).matmul == 480);
}
