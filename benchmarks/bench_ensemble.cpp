// Ensemble throughput (training/ensemble.h): one training step (fwd + bwd + Adam) of K notebook
// RNNs (B=16, T=100, H=64) stacked in one graph, in either layout (EnsembleLayout), against K
// separate compiled models each taking one step, at K = 1, 2, 4, 8, 16, fused pipeline. All
// report member_steps/s (K steps of one member each per iteration, over CPU time);
// scripts/ensemble_throughput.sh prints the table. BM_Small* do the same at tiny sizes.
// Data generation is outside the timed loop in both. Run with OMP_NUM_THREADS=1.
#include <benchmark/benchmark.h>

#include <array>
#include <random>

#include "frontend/dsl/model.h"
#include "graph/passes/pass_manager.h"
#include "runtime/session.h"
#include "training/compiled_model.h"
#include "training/ensemble.h"

using namespace mnemo;

namespace {

constexpr int64_t kBatch = 16, kSeqLen = 100;

/// The notebook model at batch \p batch and hidden size \p hidden (T = 100).
Model notebook(int64_t batch = kBatch, int64_t hidden = 64) {
  ModelOptions o;
  o.batch = batch;
  o.seqLen = kSeqLen;
  o.sizeOverrides["H"] = hidden;
  return loadNotebookModel(o);
}

/// The model of one member: the notebook's sizes, or (\p small) the batch and hidden size of the
/// BM_Small* variants' arguments K, B, H.
Model member(const benchmark::State& state, bool small) {
  return small ? notebook(state.range(1), state.range(2)) : notebook();
}

/// Compiles \p g with the fused training pipeline and fills its params and inputs with seeded
/// random values.
std::unique_ptr<Session> compiled(Graph& g, uint32_t seed) {
  PassManager pm;
  buildPipeline(pipelineFor({true, true, 1}), pm);
  pm.run(g);
  auto s = std::make_unique<Session>(g, CompileOptions{});
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.f, 0.1f);
  for (const Node* node : g.nodes()) {
    if (node->kind() == OpKind::Param || (node->kind() == OpKind::Input && node->type().dtype == DType::F32)) {
      std::vector<float> v(static_cast<size_t>(node->type().numel()));
      for (float& x : v) x = n(rng);
      s->setF32(node->name(), v);
    }
  }
  std::vector<int64_t> labels(static_cast<size_t>(g.find("labels")->type().numel()));
  for (int64_t& l : labels) l = static_cast<int64_t>(rng() % 3);
  s->setI64("labels", labels);
  s->setAdam(1e-6);  // keep the parameters nearly still over many iterations
  return s;
}

void memberRate(benchmark::State& state, int64_t members, size_t kernels) {
  state.counters["member_steps/s"] = benchmark::Counter(static_cast<double>(members), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["kernels"] = static_cast<double>(kernels);
}

void ensembleStep(benchmark::State& state, EnsembleLayout layout, bool small = false) {
  const int64_t K = state.range(0);
  Model lone = member(state, small);
  std::unique_ptr<Graph> g = buildNotebookEnsemble(lone, K, layout);
  std::unique_ptr<Session> s = compiled(*g, 7);
  for (auto _ : state) benchmark::DoNotOptimize(s->trainStep());
  memberRate(state, K, s->executable().kernelCount(Stage::Opt));
}

/// The default layout: each member's graph the lone one's.
void BM_EnsembleStep(benchmark::State& state) { ensembleStep(state, EnsembleLayout::MemberMajor); }
/// The recurrence batched over the members (`--ensemble-layout batched`).
void BM_EnsembleBatchedStep(benchmark::State& state) { ensembleStep(state, EnsembleLayout::Batched); }

void separateSteps(benchmark::State& state, bool small = false) {
  const int64_t K = state.range(0);
  std::vector<Model> models;
  std::vector<std::unique_ptr<Session>> sessions;
  for (int64_t k = 0; k < K; ++k) {
    models.push_back(member(state, small));
    sessions.push_back(compiled(*models.back().graph, static_cast<uint32_t>(7 + k)));
  }
  for (auto _ : state)
    for (auto& s : sessions) benchmark::DoNotOptimize(s->trainStep());
  memberRate(state, K, K * sessions[0]->executable().kernelCount(Stage::Opt));
}

void BM_SeparateSteps(benchmark::State& state) { separateSteps(state); }

// Steps so small that their kernel count dominates (batch 1-4, hidden 8-32), where batching the
// recurrence over the members can pay: the case for keeping `--ensemble-layout batched`.
void smallSizes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"K", "B", "H"})->Unit(benchmark::kMicrosecond);
  for (auto [K, B, H] : {std::array<int64_t, 3>{8, 1, 8}, {8, 1, 16}, {32, 1, 16}, {8, 4, 16}, {16, 4, 32}})
    b->Args({K, B, H});
}
void BM_SmallSeparateSteps(benchmark::State& state) { separateSteps(state, true); }
void BM_SmallEnsembleStep(benchmark::State& state) { ensembleStep(state, EnsembleLayout::MemberMajor, true); }
void BM_SmallEnsembleBatchedStep(benchmark::State& state) { ensembleStep(state, EnsembleLayout::Batched, true); }

}  // namespace

BENCHMARK(BM_SeparateSteps)->ArgName("K")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EnsembleStep)->ArgName("K")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EnsembleBatchedStep)->ArgName("K")->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SmallSeparateSteps)->Apply(smallSizes);
BENCHMARK(BM_SmallEnsembleStep)->Apply(smallSizes);
BENCHMARK(BM_SmallEnsembleBatchedStep)->Apply(smallSizes);
