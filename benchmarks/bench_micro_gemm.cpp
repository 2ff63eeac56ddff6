// mnemo's micro-kernel (runtime/kernels/micro_gemm.h) alone at the notebook step's shapes, the
// operands hot in cache, to compare tilings and instruction sets without a whole step around
// them. Args: M, N, K, A stored transposed (0/1), register epilogue add+relu with a full
// operand (0/1), dot products (gemmDot, 0/1). Counters: GFLOP/s.
//
//   ./mnemo_benchmarks --benchmark_filter=MicroGemm
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "runtime/kernels/micro_gemm.h"

using namespace mnemo;

namespace {

void BM_MicroGemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const bool ta = state.range(3) != 0, epilogue = state.range(4) != 0;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  auto filled = [&](int64_t count) {
    std::vector<float> v(static_cast<size_t>(count));
    for (float& e : v) e = u(rng);
    return v;
  };
  std::vector<float> a = filled(m * k), b = filled(k * n), c(static_cast<size_t>(m * n)), add = filled(m * n);
  GemmOperands g;
  g.m = m, g.n = n, g.k = k;
  g.a = a.data(), g.aRow = ta ? 1 : k, g.aCol = ta ? m : 1;
  g.b = b.data(), g.ldb = n;
  g.c = c.data(), g.ldc = n;
  VectorEpilogueOp steps[2];
  steps[0].op = VectorEpilogueOp::Add, steps[0].operand = VectorEpilogueOp::Full, steps[0].ptr = add.data(), steps[0].ld = n;
  steps[1].op = VectorEpilogueOp::Relu;
  if (epilogue) g.epilogue = steps, g.epilogueOps = 2;
  const GemmIsa isa = bestGemmIsa();
  const bool dot = state.range(5) != 0;  // gemmDot: b read as Bᵀ [N, K]
  if (dot) g.ldb = k;
  for (auto _ : state) {
    if (dot) gemmDot(isa, g);
    else gemm(isa, g);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(gemmIsaName(isa));
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(m * n * k) * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

}  // namespace

// The recurrent step (16x64x64, with and without its epilogue), the input projection
// (1600x64x2), the readout's input gradient (1600x64x3), the readout weight gradient computed
// as its transpose (3x64x1600, A stored transposed), the input weight gradient (2x64x1600 Aᵀ)
// and the logits as dot products (1600x3x64).
BENCHMARK(BM_MicroGemm)
    ->Args({16, 64, 64, 0, 0, 0})
    ->Args({16, 64, 64, 0, 1, 0})
    ->Args({1600, 64, 2, 0, 0, 0})
    ->Args({1600, 64, 3, 0, 0, 0})
    ->Args({3, 64, 1600, 1, 0, 0})
    ->Args({2, 64, 1600, 1, 0, 0})
    ->Args({1600, 3, 64, 0, 0, 1})
    ->Args({64, 64, 1584, 1, 0, 0})
    ->Unit(benchmark::kMicrosecond);
