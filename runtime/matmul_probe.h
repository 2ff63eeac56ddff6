// The machine's own matmul throughput, measured with the same oneDNN matmul the runtime lowers
// to: `mnemo bench` uses it for its roofline (the peak on a large square matmul, and what each
// of a compiled step's matmul shapes reaches alone).
#pragma once

#include <cstdint>

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

/// Times oneDNN matmuls of \p shape on \p threads OpenMP threads for about \p budgetMs of wall
/// time (a warm call, then at least two timed batches), and restores the process's previous
/// OpenMP thread count. On one thread the figure is in thread CPU time, on more in wall time.
MatmulThroughput measureMatmul(const MatmulShape& shape, int threads, double budgetMs);

}  // namespace mnemo
