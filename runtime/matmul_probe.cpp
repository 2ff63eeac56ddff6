// Timing one matmul shape in isolation on oneDNN or on mnemo's micro-kernel (see matmul_probe.h). Operands are filled with
// small values once; calls repeat in batches so that a call of a few microseconds is timed over
// many, and the best batch gives the figure (the machine is shared: the best is the least
// disturbed). On one thread the time is the calling thread's CPU time (oneDNN then runs on it),
// which leaves out the time the thread waits for a core on a loaded machine; on more, wall time.
#include "runtime/matmul_probe.h"

#include <algorithm>
#include <chrono>
#include <dnnl.hpp>
#include <functional>
#include <omp.h>
#include <time.h>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "runtime/kernels/kernel.h"
#include "runtime/kernels/micro_gemm.h"
#include "runtime/target/fusion_rules.h"
#include "support/error.h"

namespace mnemo {

namespace {
using dnnl::memory;

memory::desc operandDesc(int64_t rows, int64_t cols, bool transposed) {
  if (!transposed) return memory::desc({rows, cols}, memory::data_type::f32, memory::dims{cols, 1});
  return memory::desc({rows, cols}, memory::data_type::f32, memory::dims{1, rows});
}

}  // namespace

bool MatmulShape::operator<(const MatmulShape& o) const {
  return std::tie(m, k, n, transposeA, transposeB) < std::tie(o.m, o.k, o.n, o.transposeA, o.transposeB);
}

const char* matmulEngineName(MatmulEngine e) { return e == MatmulEngine::Micro ? "micro-kernel" : "oneDNN"; }

std::set<const Node*> microKernelMatmuls(const Graph& g) {
  std::set<const Node*> out;
  for (const Node* r : g.nodes())
    if (r->kind() == OpKind::Fused && isMicroMatmulRegion(*r))
      for (const Node* b : r->body()->nodes())
        if (b->kind() == OpKind::MatMul) out.insert(b);
  return out;
}

namespace {

/// Times \p run as measureMatmul describes; \p flops is one call's arithmetic.
MatmulThroughput timeCalls(const std::function<void()>& run, int threads, double budgetMs, double flops) {
  using Clock = std::chrono::steady_clock;
  auto nowUs = [threads] {
    if (threads > 1) return std::chrono::duration<double, std::micro>(Clock::now().time_since_epoch()).count();
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
  };
  MatmulThroughput result;
  // One warm call, then batches of about a millisecond (one call when a call is longer), at
  // least two of them.
  double start = nowUs();
  run();
  double firstMs = (nowUs() - start) * 1e-3;
  const int batch = std::max(1, static_cast<int>(1.0 / std::max(firstMs, 1e-4)));
  double bestUs = 1e300;
  auto begin = Clock::now();
  int batches = 0;
  while (batches < 2 || std::chrono::duration<double, std::milli>(Clock::now() - begin).count() < budgetMs) {
    double t = nowUs();
    for (int i = 0; i < batch; ++i) run();
    bestUs = std::min(bestUs, (nowUs() - t) / batch);
    result.calls += batch;
    if (++batches >= 1000) break;
  }
  result.usPerCall = bestUs;
  result.gflops = flops / (bestUs * 1e3);
  return result;
}

}  // namespace

MatmulThroughput measureMatmul(const MatmulShape& s, int threads, double budgetMs, MatmulEngine engine) {
  MNEMO_CHECK(s.m > 0 && s.k > 0 && s.n > 0, "matmul shape must be positive, got " << s.m << "x" << s.k << "x" << s.n);
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) * static_cast<double>(s.n);
  std::vector<float> a(static_cast<size_t>(s.m * s.k), 0.01f), b(static_cast<size_t>(s.k * s.n), 0.02f),
      c(static_cast<size_t>(s.m * s.n));
  if (engine == MatmulEngine::Micro) {
    MNEMO_CHECK(threads == 1, "the micro-kernel runs on one thread, asked for " << threads);
    // b holds B row-major [K, N] (a transposed B packed once); A is read with its strides. A
    // narrow product with A transposed runs as the runtime runs it: Cᵀ = Bᵀ·Aᵀ (A is [K, M]).
    GemmOperands g;
    g.m = s.m, g.n = s.n, g.k = s.k;
    g.a = a.data(), g.aRow = s.transposeA ? 1 : s.k, g.aCol = s.transposeA ? s.m : 1;
    g.b = b.data(), g.ldb = s.n;
    g.c = c.data(), g.ldc = s.n;
    if (microTransposedOutput(s.m, s.n, s.transposeA)) {
      g.m = s.n, g.n = s.m;
      g.a = b.data(), g.aRow = 1, g.aCol = s.n;
      g.b = a.data(), g.ldb = s.m;
      g.ldc = s.m;
    }
    const GemmIsa isa = bestGemmIsa();
    if (microDotProducts(s.n, s.k, s.transposeA)) {  // b holds Bᵀ [N, K] (as the runtime packs it)
      g.ldb = s.k;
      return timeCalls([&] { gemmDot(isa, g); }, 1, budgetMs, flops);
    }
    return timeCalls([&] { gemm(isa, g); }, 1, budgetMs, flops);
  }
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  MatmulThroughput result;
  {
    dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(cpu);
    memory::desc aMd = operandDesc(s.m, s.k, s.transposeA), bMd = operandDesc(s.k, s.n, s.transposeB);
    memory::desc cMd({s.m, s.n}, memory::data_type::f32, memory::format_tag::ab);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, bMd, cMd), cpu);
    dnnl::matmul mm(pd);
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, memory(aMd, cpu, a.data())},
                                            {DNNL_ARG_WEIGHTS, memory(bMd, cpu, b.data())},
                                            {DNNL_ARG_DST, memory(cMd, cpu, c.data())}};
    result = timeCalls(
        [&] {
          mm.execute(stream, args);
          stream.wait();
        },
        threads, budgetMs, flops);
  }
  omp_set_num_threads(previous);
  return result;
}

}  // namespace mnemo
