// The AVX-512 micro-kernel of micro_gemm.h: the tile of micro_gemm_tile.h over 16-float zmm
// registers, 12 rows × 32 columns (24 accumulators). This file is compiled with -mavx512f -mfma
// and runs only where bestGemmIsa() found AVX-512; masked loads and stores handle N that is not a
// multiple of 16 without touching memory past the row.
#include <immintrin.h>

// GCC 12 reports the deliberately undefined register inside its own AVX-512 cast and unpack
// intrinsics (_mm512_undefined_*) as "may be used uninitialized" once they are inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

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
  /// Lane i of the result is the sum of v[i]'s 16 lanes: pairs, then quads, within each 128-bit
  /// block, then the four blocks of four vectors at a time.
  static Vec laneSums(const Vec (&v)[16]) {
    Vec a[8], b[4];
    for (int i = 0; i < 8; ++i)  // per block: v2i's and v2i+1's lanes 0+2 and 1+3
      a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    for (int j = 0; j < 4; ++j) {  // per block: the block sums of v4j .. v4j+3
      const __m512d x = _mm512_castps_pd(a[2 * j]), y = _mm512_castps_pd(a[2 * j + 1]);
      b[j] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
    }
    // Block j of the result: the four blocks of b[j] added.
    const Vec s01 = _mm512_add_ps(_mm512_shuffle_f32x4(b[0], b[1], _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm512_shuffle_f32x4(b[0], b[1], _MM_SHUFFLE(3, 1, 3, 1)));
    const Vec s23 = _mm512_add_ps(_mm512_shuffle_f32x4(b[2], b[3], _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm512_shuffle_f32x4(b[2], b[3], _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(2, 0, 2, 0)),
                         _mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(3, 1, 3, 1)));
  }
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
void gemmDotAvx512(const GemmOperands& g) { dotWith<Avx512>(g); }

}  // namespace mnemo
