// The register-blocked tile of mnemo's micro-kernels (micro_gemm.h), written once over an
// instruction set's vector traits V. micro_gemm_avx2.cpp and micro_gemm_avx512.cpp each define
// their traits and include this file, each compiled for its instruction set; the anonymous
// namespace gives every such file its own copy.
//
// A tile of up to V::kRows rows × 2 vectors of C lives in registers through the whole K loop: per
// k, two (masked) loads of B's row and one broadcast of A per tile row feed two FMAs each (and
// the same for a second product A₂·B₂ into the same accumulators, when there is one). The
// row loops are fully unrolled so that the accumulators stay in registers (without the pragma
// GCC keeps them in memory and the kernel runs at half speed); each row of A has its own pointer
// so the broadcasts' addresses do not depend on each other. The epilogue then runs on the
// accumulators, still in registers, one step at a time (its kind decided once per tile), and
// the tile is stored once.
#pragma once

#include <algorithm>

#include "runtime/kernels/micro_gemm.h"

namespace mnemo {
namespace {

/// One epilogue step on a tile's accumulators \p c0, \p c1 (rows i0..i0+R, columns from j0):
/// v becomes f(v, other) (f(other, v) when !e.resultFirst). The step's kind is decided once per
/// tile, not per vector: the row loops below are unrolled into straight-line register code.
template <class V, int R, bool Two, class F>
inline __attribute__((always_inline)) void epilogueStep(const VectorEpilogueOp& e, int64_t i0, int64_t j0,
                                                        typename V::Mask m0, typename V::Mask m1,
                                                        typename V::Vec (&c0)[R], typename V::Vec (&c1)[R], F f) {
  using Vec = typename V::Vec;
  auto apply = [&](Vec v, Vec o) { return e.resultFirst ? f(v, o) : f(o, v); };
  if (e.operand == VectorEpilogueOp::Full) {
    const float* p = e.ptr + i0 * e.ld + j0;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      c0[r] = apply(c0[r], V::load(m0, p + r * e.ld));
      if (Two) c1[r] = apply(c1[r], V::load(m1, p + r * e.ld + V::kLanes));
    }
    return;
  }
  Vec o0 = V::zero(), o1 = V::zero();
  if (e.operand == VectorEpilogueOp::Column) {
    o0 = V::load(m0, e.ptr + j0);
    if (Two) o1 = V::load(m1, e.ptr + j0 + V::kLanes);
  } else if (e.operand == VectorEpilogueOp::Constant) {
    o0 = o1 = V::set1(e.value);
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    c0[r] = apply(c0[r], o0);
    if (Two) c1[r] = apply(c1[r], o1);
  }
}

/// The epilogue (g.epilogue, in order) on a tile's accumulators before they are stored.
template <class V, int R, bool Two>
inline __attribute__((always_inline)) void epilogue(const GemmOperands& g, int64_t i0, int64_t j0, typename V::Mask m0,
                                                    typename V::Mask m1, typename V::Vec (&c0)[R],
                                                    typename V::Vec (&c1)[R]) {
  using Vec = typename V::Vec;
  for (int s = 0; s < g.epilogueOps; ++s) {
    const VectorEpilogueOp& e = g.epilogue[s];
    switch (e.op) {
      case VectorEpilogueOp::Add: epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::add(x, y); }); break;
      case VectorEpilogueOp::Sub: epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::sub(x, y); }); break;
      case VectorEpilogueOp::Mul: epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::mul(x, y); }); break;
      case VectorEpilogueOp::Max: epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::maxAsRow(x, y); }); break;
      case VectorEpilogueOp::Min: epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::minAsRow(x, y); }); break;
      case VectorEpilogueOp::Relu:  // unary: any operand is ignored
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
          c0[r] = V::maxAsRow(c0[r], V::zero());
          if (Two) c1[r] = V::maxAsRow(c1[r], V::zero());
        }
        break;
      case VectorEpilogueOp::ReluGrad:
        epilogueStep<V, R, Two>(e, i0, j0, m0, m1, c0, c1, [](Vec x, Vec y) { return V::whereXPositive(x, y); });
        break;
    }
  }
}

/// Adds the product of A(i, p) = a[i·aRow + p·aCol] (rows i0..i0+R) and row-major B (\p ldb,
/// columns from j0) over p < k to the accumulators \p c0, \p c1.
template <class V, int R, bool Two>
inline __attribute__((always_inline)) void accumulate(const float* a, int64_t aRow, int64_t aCol, const float* b,
                                                      int64_t ldb, int64_t k, int64_t i0, int64_t j0,
                                                      typename V::Mask m0, typename V::Mask m1,
                                                      typename V::Vec (&c0)[R], typename V::Vec (&c1)[R]) {
  const float* aRows[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) aRows[r] = a + (i0 + r) * aRow;
  b += j0;
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
}

/// C[i0..i0+R) × [j0..j0+2·lanes) with lane masks \p m0 and \p m1 for its two vectors.
template <class V, int R, bool Two>
void tile(const GemmOperands& g, int64_t i0, int64_t j0, typename V::Mask m0, typename V::Mask m1) {
  typename V::Vec c0[R], c1[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) c0[r] = c1[r] = V::zero();
  const int64_t ldc = g.ldc;
  accumulate<V, R, Two>(g.a, g.aRow, g.aCol, g.b, g.ldb, g.k, i0, j0, m0, m1, c0, c1);
  if (g.k2 > 0) accumulate<V, R, Two>(g.a2, g.a2Row, g.a2Col, g.b2, g.ldb2, g.k2, i0, j0, m0, m1, c0, c1);
  epilogue<V, R, Two>(g, i0, j0, m0, m1, c0, c1);
  float* c = g.c + i0 * ldc + j0;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    V::store(c + r * ldc, m0, c0[r]);
    if (Two) V::store(c + r * ldc + V::kLanes, m1, c1[r]);
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

/// gemmDot (micro_gemm.h) for N columns: C(i, j) as the dot product of A's row i and Bᵀ's row
/// j. The rows go in groups of G = lanes / N, whose G·N products each get an accumulator (the
/// rest stay zero; everything unrolled, so they live in registers); V::laneSums then sums every
/// accumulator across its lanes at once, into one vector whose first G·N lanes are the group's
/// results in C's order.
template <class V, int N>
void dotColumns(const GemmOperands& g) {
  constexpr int L = V::kLanes, G = L / N;
  const int64_t k = g.k;
  const typename V::Mask all = V::mask(L);
  for (int64_t i0 = 0; i0 < g.m; i0 += G) {
    const int64_t rows = std::min<int64_t>(G, g.m - i0);
    typename V::Vec acc[L];
#pragma GCC unroll 16
    for (int l = 0; l < L; ++l) acc[l] = V::zero();
    for (int64_t p = 0; p < k; p += L) {
      const typename V::Mask m = p + L <= k ? all : V::mask(k - p);
      typename V::Vec b[N];
#pragma GCC unroll 4
      for (int j = 0; j < N; ++j) b[j] = V::load(m, g.b + j * g.ldb + p);
#pragma GCC unroll 16
      for (int r = 0; r < G; ++r) {
        if (r >= rows) break;
        const typename V::Vec a = V::load(m, g.a + (i0 + r) * g.aRow + p);
#pragma GCC unroll 4
        for (int j = 0; j < N; ++j) acc[r * N + j] = V::fma(a, b[j], acc[r * N + j]);
      }
    }
    const typename V::Vec sums = V::laneSums(acc);
    if (g.ldc == N) {  // the group's rows are contiguous in C
      V::store(g.c + i0 * N, V::mask(rows * N), sums);
    } else {
      float out[L];
      V::store(out, all, sums);
      for (int64_t r = 0; r < rows; ++r)
        for (int j = 0; j < N; ++j) g.c[(i0 + r) * g.ldc + j] = out[r * N + j];
    }
  }
}

template <class V>
void dotWith(const GemmOperands& g) {
  switch (g.n) {
    case 1: return dotColumns<V, 1>(g);
    case 2: return dotColumns<V, 2>(g);
    case 3: return dotColumns<V, 3>(g);
    case 4: return dotColumns<V, 4>(g);
    default: return gemmDotScalar(g);  // more columns than the kernel groups (microDotProducts refuses them)
  }
}

}  // namespace
}  // namespace mnemo
