// The AVX-512 micro-kernel of micro_gemm.h (this file is compiled with -mavx512f -mfma; it runs
// only where bestGemmIsa() found AVX-512). A tile of up to 12 rows × 32 columns of C lives in 24
// zmm registers through the whole K loop: per k, two masked loads of B's row and one broadcast
// of A per tile row feed two FMAs each. Masked loads and stores handle N that is not a multiple
// of 16 without reading or writing past the row.
#include <immintrin.h>

#include "runtime/kernels/micro_gemm.h"

namespace mnemo {

namespace {

constexpr int kRows = 12;

__mmask16 laneMask(int64_t lanes) {
  if (lanes >= 16) return 0xFFFF;
  if (lanes <= 0) return 0;
  return static_cast<__mmask16>((1u << lanes) - 1u);
}

/// The epilogue on the 16 lanes \p v of row \p i from column \p j (lanes \p m).
inline __attribute__((always_inline)) __m512 epilogue(const GemmOperands& g, int64_t i, int64_t j, __mmask16 m, __m512 v) {
  for (int s = 0; s < g.epilogueOps; ++s) {
    const VectorEpilogueOp& e = g.epilogue[s];
    __m512 o = _mm512_setzero_ps();
    switch (e.operand) {
      case VectorEpilogueOp::Full: o = _mm512_maskz_loadu_ps(m, e.ptr + i * e.ld + j); break;
      case VectorEpilogueOp::Column: o = _mm512_maskz_loadu_ps(m, e.ptr + j); break;
      case VectorEpilogueOp::Constant: o = _mm512_set1_ps(e.value); break;
      default: break;
    }
    const __m512 x = e.resultFirst ? v : o, y = e.resultFirst ? o : v;
    switch (e.op) {
      case VectorEpilogueOp::Add: v = _mm512_add_ps(x, y); break;
      case VectorEpilogueOp::Sub: v = _mm512_sub_ps(x, y); break;
      case VectorEpilogueOp::Mul: v = _mm512_mul_ps(x, y); break;
      // As the op rows define them: x >= y ? x : y (a NaN on the left gives y).
      case VectorEpilogueOp::Max: v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_GE_OQ), y, x); break;
      case VectorEpilogueOp::Min: v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_LE_OQ), y, x); break;
      case VectorEpilogueOp::Relu: v = _mm512_max_ps(v, _mm512_setzero_ps()); break;
      case VectorEpilogueOp::ReluGrad:
        v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), y);
        break;
    }
  }
  return v;
}

/// C[i0..i0+R) × [j0..j0+32) with lane masks \p m0 and \p m1 for its two 16-column halves.
template <int R, bool Two>
void tile(const GemmOperands& g, int64_t i0, int64_t j0, __mmask16 m0, __mmask16 m1) {
  // The accumulators are only touched by fully unrolled loops, so they stay in registers (the
  // epilogue works on the stored tile, still in L1, so that it does not force them to memory).
  __m512 c0[R], c1[R];
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  const int64_t k = g.k, ldb = g.ldb, aRow = g.aRow, aCol = g.aCol, ldc = g.ldc;
  // One pointer per row of A, so the broadcasts' addresses do not depend on each other.
  const float* aRows[R];
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) aRows[r] = g.a + (i0 + r) * aRow;
  const float* b = g.b + j0;
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = b + p * ldb;
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bp);
    const __m512 b1 = Two ? _mm512_maskz_loadu_ps(m1, bp + 16) : _mm512_setzero_ps();
    const int64_t at = p * aCol;
    #pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(aRows[r][at]);
      c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);
      if (Two) c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);
    }
  }
  float* c = g.c + i0 * ldc + j0;
  #pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c + r * ldc, m0, c0[r]);
    if (Two) _mm512_mask_storeu_ps(c + r * ldc + 16, m1, c1[r]);
  }
  if (g.epilogueOps)
    for (int64_t r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      _mm512_mask_storeu_ps(row, m0, epilogue(g, i0 + r, j0, m0, _mm512_maskz_loadu_ps(m0, row)));
      if (Two) _mm512_mask_storeu_ps(row + 16, m1, epilogue(g, i0 + r, j0 + 16, m1, _mm512_maskz_loadu_ps(m1, row + 16)));
    }
}

template <bool Two>
void rowTiles(const GemmOperands& g, int64_t j0, __mmask16 m0, __mmask16 m1) {
  int64_t i = 0;
  for (; i + kRows <= g.m; i += kRows) tile<kRows, Two>(g, i, j0, m0, m1);
  switch (g.m - i) {
    case 0: break;
    case 1: tile<1, Two>(g, i, j0, m0, m1); break;
    case 2: tile<2, Two>(g, i, j0, m0, m1); break;
    case 3: tile<3, Two>(g, i, j0, m0, m1); break;
    case 4: tile<4, Two>(g, i, j0, m0, m1); break;
    case 5: tile<5, Two>(g, i, j0, m0, m1); break;
    case 6: tile<6, Two>(g, i, j0, m0, m1); break;
    case 7: tile<7, Two>(g, i, j0, m0, m1); break;
    case 8: tile<8, Two>(g, i, j0, m0, m1); break;
    case 9: tile<9, Two>(g, i, j0, m0, m1); break;
    case 10: tile<10, Two>(g, i, j0, m0, m1); break;
    default: tile<11, Two>(g, i, j0, m0, m1); break;
  }
}

}  // namespace

void gemmAvx512(const GemmOperands& g) {
  for (int64_t j = 0; j < g.n; j += 32) {
    const int64_t lanes = g.n - j;
    if (lanes > 16) rowTiles<true>(g, j, 0xFFFF, laneMask(lanes - 16));
    else rowTiles<false>(g, j, laneMask(lanes), 0);
  }
}

}  // namespace mnemo
