// Fusion in isolation: a chain of D elementwise ops over an [R,64] tensor, run as D kernels
// (unfused) or as one fused loop (fuse-elementwise). R=16 is one time step of the notebook model,
// R=1600 all 100 steps at once. The ops repeat add, mul and a unary op: relu (tanh=0, what the
// notebook model's regions contain) or tanh (tanh=1, what a GRU's would). Counters: kernels,
// arena bytes.
//
//   ./mnemo_benchmarks --benchmark_filter=ElementwiseChain
#include <benchmark/benchmark.h>

#include <random>

#include "ops/builder.h"
#include "graph/passes/passes.h"
#include "runtime/session.h"

using namespace mnemo;

namespace {

/// out = op_D(... op_2(op_1(x))) with op_k cycling through add(·, y), mul(·, z), relu(·) or tanh(·).
std::unique_ptr<Graph> buildChain(int64_t depth, int64_t rows, bool tanh) {
  auto g = std::make_unique<Graph>("chain");
  Builder b(*g);
  TensorType t = TensorType::f32({rows, 64});
  Node* x = b.input("x", t);
  Node* y = b.input("y", t);
  Node* z = b.input("z", t);
  Node* v = x;
  for (int64_t k = 0; k < depth; ++k) v = k % 3 == 0 ? b.add(v, y) : k % 3 == 1 ? b.mul(v, z) : tanh ? b.tanh(v) : b.relu(v);
  g->addOutput(v);
  return g;
}

void BM_ElementwiseChain(benchmark::State& state) {
  int64_t depth = state.range(0), rows = state.range(1);
  bool fused = state.range(2) != 0;
  auto g = buildChain(depth, rows, state.range(3) != 0);
  if (fused) {
    PassContext ctx;
    createFuseElementwisePass()->run(*g, ctx);
  }
  Session s(*g);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (const char* name : {"x", "y", "z"}) {
    std::vector<float> v(static_cast<size_t>(rows * 64));
    for (float& e : v) e = u(rng);
    s.setF32(name, v);
  }
  for (auto _ : state) s.forward();
  state.counters["kernels"] = static_cast<double>(s.executable().kernelCount(Stage::Fwd));
  state.counters["arena_KiB"] = static_cast<double>(s.executable().plan().arenaBytes) / 1024.0;
  state.SetItemsProcessed(state.iterations() * depth * rows * 64);
}

}  // namespace

BENCHMARK(BM_ElementwiseChain)
    ->ArgNames({"D", "R", "fused", "tanh"})
    ->ArgsProduct({{1, 2, 4, 8, 16, 32}, {16, 1600}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);
