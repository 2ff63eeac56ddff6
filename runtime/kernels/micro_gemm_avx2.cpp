// The AVX2 micro-kernel of micro_gemm.h (this file is compiled with -mavx2 -mfma; it runs only
// where bestGemmIsa() found AVX2). A tile of up to 6 rows × 16 columns of C lives in 12 ymm
// registers through the whole K loop: per k, two loads of B's row and one broadcast of A per
// tile row feed two FMAs each. Masked loads and stores handle N that is not a multiple of 8.
#include <immintrin.h>

#include "runtime/kernels/micro_gemm.h"

namespace mnemo {

namespace {

constexpr int kRows = 6;

/// Lanes [0, lanes) set: the mask maskload/maskstore take.
__m256i laneMask(int64_t lanes) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int n = lanes >= 8 ? 8 : lanes <= 0 ? 0 : static_cast<int>(lanes);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), index);
}

/// The epilogue on the 8 lanes \p v of row \p i from column \p j (lanes \p m).
inline __attribute__((always_inline)) __m256 epilogue(const GemmOperands& g, int64_t i, int64_t j, __m256i m, __m256 v) {
  for (int s = 0; s < g.epilogueOps; ++s) {
    const VectorEpilogueOp& e = g.epilogue[s];
    __m256 o = _mm256_setzero_ps();
    switch (e.operand) {
      case VectorEpilogueOp::Full: o = _mm256_maskload_ps(e.ptr + i * e.ld + j, m); break;
      case VectorEpilogueOp::Column: o = _mm256_maskload_ps(e.ptr + j, m); break;
      case VectorEpilogueOp::Constant: o = _mm256_set1_ps(e.value); break;
      default: break;
    }
    const __m256 x = e.resultFirst ? v : o, y = e.resultFirst ? o : v;
    switch (e.op) {
      case VectorEpilogueOp::Add: v = _mm256_add_ps(x, y); break;
      case VectorEpilogueOp::Sub: v = _mm256_sub_ps(x, y); break;
      case VectorEpilogueOp::Mul: v = _mm256_mul_ps(x, y); break;
      // As the op rows define them: x >= y ? x : y (a NaN on the left gives y).
      case VectorEpilogueOp::Max: v = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, y, _CMP_GE_OQ)); break;
      case VectorEpilogueOp::Min: v = _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, y, _CMP_LE_OQ)); break;
      case VectorEpilogueOp::Relu: v = _mm256_max_ps(v, _mm256_setzero_ps()); break;
      case VectorEpilogueOp::ReluGrad:
        v = _mm256_and_ps(_mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ), y);
        break;
    }
  }
  return v;
}

template <int R, bool Two>
void tile(const GemmOperands& g, int64_t i0, int64_t j0, __m256i m0, __m256i m1) {
  // The accumulators are only touched by fully unrolled loops, so they stay in registers (the
  // epilogue works on the stored tile, still in L1, so that it does not force them to memory).
  __m256 c0[R], c1[R];
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm256_setzero_ps();
  const int64_t k = g.k, ldb = g.ldb, aRow = g.aRow, aCol = g.aCol, ldc = g.ldc;
  // One pointer per row of A, so the broadcasts' addresses do not depend on each other.
  const float* aRows[R];
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) aRows[r] = g.a + (i0 + r) * aRow;
  const float* b = g.b + j0;
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = b + p * ldb;
    const __m256 b0 = _mm256_maskload_ps(bp, m0);
    const __m256 b1 = Two ? _mm256_maskload_ps(bp + 8, m1) : _mm256_setzero_ps();
    const int64_t at = p * aCol;
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(aRows[r] + at);
      c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);
      if (Two) c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);
    }
  }
  float* c = g.c + i0 * ldc + j0;
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm256_maskstore_ps(c + r * ldc, m0, c0[r]);
    if (Two) _mm256_maskstore_ps(c + r * ldc + 8, m1, c1[r]);
  }
  if (g.epilogueOps)
    for (int64_t r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      _mm256_maskstore_ps(row, m0, epilogue(g, i0 + r, j0, m0, _mm256_maskload_ps(row, m0)));
      if (Two) _mm256_maskstore_ps(row + 8, m1, epilogue(g, i0 + r, j0 + 8, m1, _mm256_maskload_ps(row + 8, m1)));
    }
}

template <bool Two>
void rowTiles(const GemmOperands& g, int64_t j0, __m256i m0, __m256i m1) {
  int64_t i = 0;
  for (; i + kRows <= g.m; i += kRows) tile<kRows, Two>(g, i, j0, m0, m1);
  switch (g.m - i) {
    case 0: break;
    case 1: tile<1, Two>(g, i, j0, m0, m1); break;
    case 2: tile<2, Two>(g, i, j0, m0, m1); break;
    case 3: tile<3, Two>(g, i, j0, m0, m1); break;
    case 4: tile<4, Two>(g, i, j0, m0, m1); break;
    default: tile<5, Two>(g, i, j0, m0, m1); break;
  }
}

}  // namespace

void gemmAvx2(const GemmOperands& g) {
  for (int64_t j = 0; j < g.n; j += 16) {
    const int64_t lanes = g.n - j;
    if (lanes > 8) rowTiles<true>(g, j, laneMask(8), laneMask(lanes - 8));
    else rowTiles<false>(g, j, laneMask(lanes), laneMask(0));
  }
}

}  // namespace mnemo
