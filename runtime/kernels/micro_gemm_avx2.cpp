// The AVX2 micro-kernel of micro_gemm.h: the tile of micro_gemm_tile.h over 8-float ymm
// registers, 6 rows × 16 columns (12 accumulators). This file is compiled with -mavx2 -mfma and
// runs only where bestGemmIsa() found AVX2; masked loads and stores handle N that is not a
// multiple of 8 without touching memory past the row.
#include <immintrin.h>

#include "runtime/kernels/micro_gemm_tile.h"

namespace mnemo {

namespace {

struct Avx2 {
  using Vec = __m256;
  using Mask = __m256i;  // lanes to load and store: all bits set
  static constexpr int kLanes = 8;
  static constexpr int kRows = 6;
  static Mask mask(int64_t lanes) {
    const int n = lanes >= 8 ? 8 : lanes <= 0 ? 0 : static_cast<int>(lanes);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec set1(float v) { return _mm256_set1_ps(v); }
  static Vec broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Vec load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Mask m, Vec v) { _mm256_maskstore_ps(p, m, v); }
  static Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  /// Lane i of the result is the sum of v[i]'s 8 lanes: pairs, then quads, within each 128-bit
  /// half, then the two halves.
  static Vec laneSums(const Vec (&v)[8]) {
    Vec a[4], b[2];
    for (int i = 0; i < 4; ++i)
      a[i] = _mm256_add_ps(_mm256_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm256_unpackhi_ps(v[2 * i], v[2 * i + 1]));
    for (int j = 0; j < 2; ++j) {
      const __m256d x = _mm256_castps_pd(a[2 * j]), y = _mm256_castps_pd(a[2 * j + 1]);
      b[j] = _mm256_add_ps(_mm256_castpd_ps(_mm256_unpacklo_pd(x, y)), _mm256_castpd_ps(_mm256_unpackhi_pd(x, y)));
    }
    // Half j of the result: b[j]'s two halves added.
    return _mm256_add_ps(_mm256_permute2f128_ps(b[0], b[1], 0x20), _mm256_permute2f128_ps(b[0], b[1], 0x31));
  }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
  static Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  // As the op rows define them: x >= y ? x : y (a NaN on the left gives y), x > 0 ? y : 0.
  static Vec maxAsRow(Vec x, Vec y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, y, _CMP_GE_OQ)); }
  static Vec minAsRow(Vec x, Vec y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, y, _CMP_LE_OQ)); }
  static Vec whereXPositive(Vec x, Vec y) { return _mm256_and_ps(_mm256_cmp_ps(x, zero(), _CMP_GT_OQ), y); }
};

}  // namespace

void gemmAvx2(const GemmOperands& g) { gemmWith<Avx2>(g); }
void gemmDotAvx2(const GemmOperands& g) { dotWith<Avx2>(g); }

}  // namespace mnemo
