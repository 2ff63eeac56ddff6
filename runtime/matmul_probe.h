// The machine's own matmul throughput, measured with the same kernels the runtime runs (oneDNN's
// matmul, or mnemo's micro-kernel for the small products it takes): `mnemo bench` uses it for its
// roofline (the peak on a large square matmul, and what each of a compiled step's matmul shapes
// reaches alone on the kernel that runs it).
#pragma once

#include <cstdint>
#include <set>

#include "graph/graph.h"

namespace mnemo {

struct MatmulShape {
  int64_t m = 0, k = 0, n = 0;  ///< C[m,n] = op(A)[m,k] · op(B)[k,n]
  bool transposeA = false, transposeB = false;
  bool operator<(const MatmulShape& o) const;
};

struct MatmulThroughput {
  double gflops = 0;     ///< best of the repetitions
  double usPerCall = 0;  ///< the best repetition's time per call
  int calls = 0;         ///< calls made in all
};

/// Which kernel runs a product: a oneDNN matmul, or mnemo's micro-kernel (one thread, the widest
/// instruction set the CPU has; a transposed B is packed once before timing, as the runtime does).
enum class MatmulEngine { OneDnn, Micro };
const char* matmulEngineName(MatmulEngine e);

/// The matmuls of \p g (inside its fused regions) that the runtime runs on the micro-kernel.
std::set<const Node*> microKernelMatmuls(const Graph& g);

/// Times \p engine's matmuls of \p shape on \p threads OpenMP threads for about \p budgetMs of
/// wall time (a warm call, then at least two timed batches), and restores the process's previous
/// OpenMP thread count. On one thread the figure is in thread CPU time, on more in wall time.
MatmulThroughput measureMatmul(const MatmulShape& shape, int threads, double budgetMs,
                               MatmulEngine engine = MatmulEngine::OneDnn);

}  // namespace mnemo
