// The AVX-512 micro-kernel of micro_gemm.h: the tile of micro_gemm_tile.h over 16-float zmm
// registers, 12 rows × 32 columns (24 accumulators). This file is compiled with -mavx512f -mfma
// and runs only where bestGemmIsa() found AVX-512; masked loads and stores handle N that is not a
// multiple of 16 without touching memory past the row.
#include <immintrin.h>

#include "runtime/kernels/micro_gemm_tile.h"

namespace mnemo {

namespace {

struct Avx512 {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr int kRows = 12;
  static Mask mask(int64_t lanes) {
    return lanes >= 16 ? Mask(0xFFFF) : lanes <= 0 ? Mask(0) : static_cast<Mask>((1u << lanes) - 1u);
  }
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec set1(float v) { return _mm512_set1_ps(v); }
  static Vec broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Mask m, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  // As the op rows define them: x >= y ? x : y (a NaN on the left gives y), x > 0 ? y : 0.
  static Vec maxAsRow(Vec x, Vec y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_GE_OQ), y, x); }
  static Vec minAsRow(Vec x, Vec y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, y, _CMP_LE_OQ), y, x); }
  static Vec whereXPositive(Vec x, Vec y) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, zero(), _CMP_GT_OQ), y); }
};

}  // namespace

void gemmAvx512(const GemmOperands& g) { gemmWith<Avx512>(g); }

}  // namespace mnemo
