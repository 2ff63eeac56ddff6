// The register-blocked tile of mnemo's micro-kernels (micro_gemm.h), written once over an
// instruction set's vector traits V. micro_gemm_avx2.cpp and micro_gemm_avx512.cpp each define
// their traits and include this file, each compiled for its instruction set; the anonymous
// namespace gives every such file its own copy.
//
// A tile of up to V::kRows rows × 2 vectors of C lives in registers through the whole K loop: per
// k, two (masked) loads of B's row and one broadcast of A per tile row feed two FMAs each. The
// row loops are fully unrolled so that the accumulators stay in registers (without the pragma
// GCC keeps them in memory and the kernel runs at half speed); each row of A has its own pointer
// so the broadcasts' addresses do not depend on each other. The epilogue then runs over the
// stored tile, still in L1.
#pragma once

#include "runtime/kernels/micro_gemm.h"

namespace mnemo {
namespace {

/// The epilogue on the lanes \p v of row \p i from column \p j (lanes \p m).
template <class V>
inline __attribute__((always_inline)) typename V::Vec epilogue(const GemmOperands& g, int64_t i, int64_t j,
                                                               typename V::Mask m, typename V::Vec v) {
  for (int s = 0; s < g.epilogueOps; ++s) {
    const VectorEpilogueOp& e = g.epilogue[s];
    typename V::Vec o = V::zero();
    switch (e.operand) {
      case VectorEpilogueOp::Full: o = V::load(m, e.ptr + i * e.ld + j); break;
      case VectorEpilogueOp::Column: o = V::load(m, e.ptr + j); break;
      case VectorEpilogueOp::Constant: o = V::set1(e.value); break;
      default: break;
    }
    const typename V::Vec x = e.resultFirst ? v : o, y = e.resultFirst ? o : v;
    switch (e.op) {
      case VectorEpilogueOp::Add: v = V::add(x, y); break;
      case VectorEpilogueOp::Sub: v = V::sub(x, y); break;
      case VectorEpilogueOp::Mul: v = V::mul(x, y); break;
      case VectorEpilogueOp::Max: v = V::maxAsRow(x, y); break;
      case VectorEpilogueOp::Min: v = V::minAsRow(x, y); break;
      case VectorEpilogueOp::Relu: v = V::maxAsRow(v, V::zero()); break;
      case VectorEpilogueOp::ReluGrad: v = V::whereXPositive(x, y); break;
    }
  }
  return v;
}

/// C[i0..i0+R) × [j0..j0+2·lanes) with lane masks \p m0 and \p m1 for its two vectors.
template <class V, int R, bool Two>
void tile(const GemmOperands& g, int64_t i0, int64_t j0, typename V::Mask m0, typename V::Mask m1) {
  typename V::Vec c0[R], c1[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = V::zero();
  const int64_t k = g.k, ldb = g.ldb, aRow = g.aRow, aCol = g.aCol, ldc = g.ldc;
  const float* aRows[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) aRows[r] = g.a + (i0 + r) * aRow;
  const float* b = g.b + j0;
  for (int64_t p = 0; p < k; ++p) {
    const float* bp = b + p * ldb;
    const typename V::Vec b0 = V::load(m0, bp);
    const typename V::Vec b1 = Two ? V::load(m1, bp + V::kLanes) : V::zero();
    const int64_t at = p * aCol;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const typename V::Vec av = V::broadcast(aRows[r] + at);
      c0[r] = V::fma(av, b0, c0[r]);
      if (Two) c1[r] = V::fma(av, b1, c1[r]);
    }
  }
  float* c = g.c + i0 * ldc + j0;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    V::store(c + r * ldc, m0, c0[r]);
    if (Two) V::store(c + r * ldc + V::kLanes, m1, c1[r]);
  }
  if (g.epilogueOps)
    for (int64_t r = 0; r < R; ++r) {
      float* row = c + r * ldc;
      V::store(row, m0, epilogue<V>(g, i0 + r, j0, m0, V::load(m0, row)));
      if (Two) V::store(row + V::kLanes, m1, epilogue<V>(g, i0 + r, j0 + V::kLanes, m1, V::load(m1, row + V::kLanes)));
    }
}

/// The last \p rows (< V::kRows) rows from \p i0, with a tile of exactly that height.
template <class V, int R, bool Two>
void remainderTile(const GemmOperands& g, int64_t rows, int64_t i0, int64_t j0, typename V::Mask m0,
                   typename V::Mask m1) {
  if (rows == R) return tile<V, R, Two>(g, i0, j0, m0, m1);
  if constexpr (R > 1) remainderTile<V, R - 1, Two>(g, rows, i0, j0, m0, m1);
}

template <class V, bool Two>
void rowTiles(const GemmOperands& g, int64_t j0, typename V::Mask m0, typename V::Mask m1) {
  int64_t i = 0;
  for (; i + V::kRows <= g.m; i += V::kRows) tile<V, V::kRows, Two>(g, i, j0, m0, m1);
  if (i < g.m) remainderTile<V, V::kRows - 1, Two>(g, g.m - i, i, j0, m0, m1);
}

/// C = A·B (and the epilogue) over column blocks of two vectors.
template <class V>
void gemmWith(const GemmOperands& g) {
  for (int64_t j = 0; j < g.n; j += 2 * V::kLanes) {
    const int64_t lanes = g.n - j;
    if (lanes > V::kLanes) rowTiles<V, true>(g, j, V::mask(V::kLanes), V::mask(lanes - V::kLanes));
    else rowTiles<V, false>(g, j, V::mask(lanes), V::mask(0));
  }
}

}  // namespace
}  // namespace mnemo
