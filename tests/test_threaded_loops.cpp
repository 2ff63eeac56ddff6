// mnemo's own loops split over threads (runtime/kernels/parallel.h): at sizes above the split
// threshold, every loop kind on 2 threads against the reference evaluator, and the notebook
// model's training step on 2 threads against 1 thread and against the reference (they may differ
// only by float summation order).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "frontend/dsl/model.h"
#include "graph/passes/passes.h"
#include "bind_util.h"
#include "pass_test_util.h"
#include "runtime/kernels/parallel.h"
#include "runtime/session.h"

using namespace mnemo;
using namespace mnemo::testing;

namespace {

/// The same random values into a session and a reference evaluator: inputs and params in
/// [-1, 1], states (Adam's moments) in [0, 1), labels in [0, 3).
void bindSame(const Graph& g, Session& s, ReferenceEvaluator& ref, uint64_t seed) {
  bindLeavesAlike(g, s, ref, seed, [](const Node* n, std::mt19937_64& rng, std::vector<float>& v) {
    std::uniform_real_distribution<float> unit(0.f, 1.f);
    for (auto& x : v) x = n->kind() == OpKind::State ? unit(rng) : 2.f * unit(rng) - 1.f;
    if (n->name() == "hyper") v = {1e-2f, 0.9f, 0.999f, 1e-8f, 1.f};
  });
}

double relativeGap(const std::vector<float>& got, const RefTensor& want) {
  REQUIRE(got.size() == want.size());
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / std::max(1.0, std::abs(want[i])));
  return worst;
}

}  // namespace

TEST_CASE("threaded loops: every loop kind above the split threshold matches the reference on 2 threads",
          "[runtime][threads]") {
  // [300,128] = 38400 elements and [12000,3] logits are above kParallelMinWork; a bias [128]
  // broadcast as the first operand and a 3-wide one as the second (per-column loops; [11500,3]
  // splits at element 17408, in the middle of a row), relu_grad and greater (span loops),
  // where, a fused region, sums over a prefix and a suffix, the mean loss and its rows.
  REQUIRE(300 * 128 >= static_cast<int>(kParallelMinWork));
  auto g = parseGraph(R"(graph @loops {
  %x      = input : f32[300,128]
  %y      = input : f32[300,128]
  %bias   = input : f32[128]
  %logits = input : f32[12000,3]
  %labels = input : i64[12000]
  %q      = input : f32[11500,3]
  %cb     = input : f32[3]
  %a      = sub(%bias, %x) : f32[300,128]
  %r      = relu_grad(%a, %y) : f32[300,128]
  %c      = greater(%x, %y) : f32[300,128]
  %w      = where(%c, %r, %y) : f32[300,128]
  %cols   = reduce_sum(%w) {axes=[0]} : f32[128]
  %rows   = reduce_mean(%w) {axes=[1]} : f32[300]
  %loss   = softmax_xent(%logits, %labels) : f32[]
  %each   = softmax_xent_rows(%logits, %labels) : f32[12000]
  %z      = sub(%q, %cb) : f32[11500,3]
  return %cols, %rows, %loss, %each, %w, %z
})");
  auto fused = cloneGraph(*g);
  PassContext ctx;
  REQUIRE(createFuseElementwisePass()->run(*fused, ctx));
  for (const Graph* graph : {g.get(), fused.get()}) {
    CompileOptions opts;
    opts.threads = 2;
    Session s(*graph, opts);
    ReferenceEvaluator ref(*graph);
    bindSame(*graph, s, ref, 5);
    s.executable().run(Stage::Opt);
    ref.run();
    for (const Node* out : graph->outputs()) {
      INFO("%" << out->name() << (graph == fused.get() ? " (fused)" : ""));
      CHECK(relativeGap(s.getF32(out->name()), ref.value(out)) < 1e-5);
    }
  }
}

TEST_CASE("threaded loops: the notebook training step on 2 threads matches 1 thread and the reference",
          "[runtime][threads]") {
  // B=256, H=128: every per-step [256,128] loop (relu_grad, bias sums) is split; T=4 keeps it quick.
  ModelOptions opts;
  opts.batch = 256, opts.seqLen = 4, opts.sizeOverrides["H"] = 128;
  Model m = loadNotebookModel(opts);
  auto g = cloneGraph(*m.graph);
  PassManager pm;
  buildPipeline("train", pm);
  pm.run(*g);
  CompileOptions one, two;
  two.threads = 2;
  Session s1(*g, one), s2(*g, two);
  ReferenceEvaluator ref(*g);
  bindSame(*g, s1, ref, 9);
  ReferenceEvaluator unused(*g);
  bindSame(*g, s2, unused, 9);
  // One step against the reference (loss, and every param after Adam).
  s2.executable().run(Stage::Opt);
  s1.executable().run(Stage::Opt);
  ref.run();
  CHECK(relativeGap(s2.getF32(g->loss()->name()), ref.value(g->loss())) < 1e-5);
  for (const Node* n : g->nodes()) {
    if (n->kind() != OpKind::Param) continue;
    INFO("param %" << n->name());
    CHECK(relativeGap(s2.getF32(n->name()), ref.value(n)) < 1e-5);
  }
  // Three more steps: 2 threads against 1 (the sessions alternate, so each sets its own count).
  s1.setAdam(1e-2, 0.9, 0.999, 1e-8, 1);
  s2.setAdam(1e-2, 0.9, 0.999, 1e-8, 1);
  for (int step = 0; step < 3; ++step) {
    const float l1 = s1.trainStep(), l2 = s2.trainStep();
    CHECK(l2 == Approx(l1).epsilon(1e-5));
  }
  for (const Node* n : g->nodes()) {
    if (n->kind() != OpKind::Param) continue;
    std::vector<float> a = s1.getF32(n->name()), b = s2.getF32(n->name());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])) / std::max(1.0f, std::abs(a[i])));
    INFO("param %" << n->name());
    CHECK(worst < 1e-5);
  }
}

TEST_CASE("threaded loops: a bad label in a split loss loop is a clear error, not a crash", "[runtime][threads]") {
  auto g = parseGraph(R"(graph @loss {
  %logits = input : f32[12000,3]
  %labels = input : i64[12000]
  %q      = input : f32[11500,3]
  %cb     = input : f32[3]
  %loss   = softmax_xent(%logits, %labels) : f32[]
  return %loss
})");
  CompileOptions opts;
  opts.threads = 2;
  Session s(*g, opts);
  std::vector<int64_t> labels(12000, 1);
  labels[11000] = 7;  // in the second thread's half
  s.setI64("labels", labels);
  s.setF32("logits", std::vector<float>(36000, 0.5f));
  REQUIRE_THROWS_WITH(s.executable().run(Stage::Opt), Catch::Contains("label 7 at position 11000 is not a class in [0,3)"));
  labels[11000] = 2;
  s.setI64("labels", labels);
  s.executable().run(Stage::Opt);
  CHECK(s.getF32("loss")[0] == Approx(std::log(3.0)));
}
