// The notebook model (B=16, T=100, H=64): forward and full training step (fwd + bwd + Adam), with
// the optimizing pipeline and without it (one kernel per op), at 1 thread. Graph building and
// compilation happen outside the timed loop; counters report kernels per step and memory.
#include <benchmark/benchmark.h>

#include <random>

#include "training/compiled_model.h"
#include "training/rnn_model.h"
#include "graph/passes/pass_manager.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

struct Prepared {
  std::unique_ptr<Graph> graph;
  std::unique_ptr<Session> session;
};

Prepared prepare(bool train, bool fused, int64_t batch, int64_t hidden, int64_t seqLen) {
  RnnConfig cfg;
  cfg.batch = batch, cfg.hidden = hidden, cfg.seqLen = seqLen;
  Prepared p;
  p.graph = buildNotebookRnn(cfg);
  PassManager pm;
  buildPipeline(pipelineFor({train, fused, 1}), pm);
  pm.run(*p.graph);
  CompileOptions opts;
  p.session = std::make_unique<Session>(*p.graph, opts);
  std::mt19937 rng(7);
  std::normal_distribution<float> n(0.f, 0.1f);
  for (const Node* node : p.graph->nodes()) {
    if (node->kind() == OpKind::Param || (node->kind() == OpKind::Input && node->type().dtype == DType::F32)) {
      std::vector<float> v(static_cast<size_t>(node->type().numel()));
      for (float& x : v) x = n(rng);
      p.session->setF32(node->name(), v);
    }
  }
  std::vector<int64_t> labels(static_cast<size_t>(seqLen * batch));
  for (int64_t& l : labels) l = static_cast<int64_t>(rng() % 3);
  p.session->setI64("labels", labels);
  return p;
}

void setCounters(benchmark::State& state, Session& s, Stage last) {
  state.counters["kernels"] = static_cast<double>(s.executable().kernelCount(last));
  state.counters["peak_MB"] = static_cast<double>(s.executable().plan().arenaBytes + s.executable().persistentBytes()) / 1e6;
}

void BM_Forward(benchmark::State& state) {
  Prepared p = prepare(false, state.range(0) != 0, 16, 64, 100);
  for (auto _ : state) p.session->forward();
  setCounters(state, *p.session, Stage::Fwd);
}

void BM_TrainStep(benchmark::State& state) {
  Prepared p = prepare(true, state.range(0) != 0, 16, 64, 100);
  p.session->setAdam(1e-6);  // keep the parameters nearly still over many iterations
  for (auto _ : state) benchmark::DoNotOptimize(p.session->trainStep());
  setCounters(state, *p.session, Stage::Opt);
}

}  // namespace

BENCHMARK(BM_Forward)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TrainStep)->ArgName("fused")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
