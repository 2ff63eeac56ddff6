// Compile time against sequence length: the notebook model (B=16, H=64) unrolled over T steps,
// through the model DSL, the "train" or "train-unfused" pipeline and lowering to kernels (every
// oneDNN primitive created). Each phase is also reported on its own as a counter (ms).
//
//   ./mnemo_benchmarks --benchmark_filter=Compile
#include <benchmark/benchmark.h>

#include <chrono>

#include "frontend/dsl/model.h"
#include "graph/passes/pass_manager.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

void BM_Compile(benchmark::State& state) {
  ModelOptions opts;
  opts.seqLen = state.range(0);
  bool fused = state.range(1) != 0;
  double buildMs = 0, passMs = 0, lowerMs = 0;
  size_t nodes = 0, kernels = 0;
  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    Model m = loadNotebookModel(opts);
    buildMs += msSince(start);
    start = std::chrono::steady_clock::now();
    PassManager pm;
    buildPipeline(fused ? "train" : "train-unfused", pm);
    pm.run(*m.graph);
    passMs += msSince(start);
    start = std::chrono::steady_clock::now();
    Session s(*m.graph);
    lowerMs += msSince(start);
    nodes = m.graph->size();
    kernels = s.executable().kernelCount(Stage::Opt);
  }
  double n = static_cast<double>(state.iterations());
  state.counters["dsl_ms"] = buildMs / n;
  state.counters["passes_ms"] = passMs / n;
  state.counters["lower_ms"] = lowerMs / n;
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["kernels"] = static_cast<double>(kernels);
}

}  // namespace

BENCHMARK(BM_Compile)
    ->ArgNames({"T", "fused"})
    ->ArgsProduct({{25, 50, 100, 200, 400}, {0, 1}})
    ->Unit(benchmark::kMillisecond);
