// mnemo's float exponential (and logarithm) for loops that must vectorise: libm's expf is a call per element,
// which stops the compiler vectorising the loop around it. Plain +, −, ×, comparisons and an
// integer conversion, so a loop of it vectorises on any x86-64 (no floor or FMA needed).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace mnemo {

/// e^x within 2 ulp: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two parts so that n·ln2 is
/// exact), e^r by its Taylor series to r⁷ (the next term is under 6e-9 of the result), 2ⁿ put
/// into exponent bits. Below −87.3 the result is 0 (it would be subnormal), above 88.7 +∞;
/// NaN stays NaN.
inline float expOf(float x) {
  const float v = x == x ? std::min(std::max(x, -87.3f), 88.7f) : 0.f;
  // n = v·log2(e) rounded to the nearest integer: adding and taking away 1.5·2²³ rounds a float
  // of magnitude under 2²² (no floor call).
  const float n = (v * 1.44269504f + 12582912.f) - 12582912.f;
  const float r = (v - n * 0.693145752f) - n * 1.42860677e-6f;
  float p = 1.f / 5040;
  p = p * r + 1.f / 720;
  p = p * r + 1.f / 120;
  p = p * r + 1.f / 24;
  p = p * r + 1.f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  // 2ⁿ as 2^(n/2) · 2^(n − n/2): n reaches 128 near the top of the range, one past the largest
  // exponent a float holds.
  const int32_t whole = static_cast<int32_t>(n), half = whole / 2;
  const int32_t bits1 = (half + 127) << 23, bits2 = (whole - half + 127) << 23;
  float scale1, scale2;
  std::memcpy(&scale1, &bits1, sizeof scale1);
  std::memcpy(&scale2, &bits2, sizeof scale2);
  const float e = p * scale1 * scale2;
  return x != x ? x : x < -87.3f ? 0.f : x > 88.7f ? std::numeric_limits<float>::infinity() : e;
}

/// ln x within 2 ulp for every float: x = 2ᵉ·m with m in [√½, √2), ln m = 2·atanh(s) with
/// s = (m − 1)/(m + 1) (|s| ≤ 0.172) by its odd series to s¹¹, e·ln2 added in two parts. A
/// subnormal x is scaled by 2²⁴ first; 0 gives −∞, +∞ gives +∞, a negative x or NaN gives NaN.
inline float logOf(float x) {
  const bool tiny = x < 1.17549435e-38f;  // subnormal (or zero, or negative: fixed below)
  const float v = tiny ? x * 16777216.f : x;
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  int32_t e = static_cast<int32_t>(bits >> 23) - 127;
  uint32_t mbits = (bits & 0x7FFFFFu) | 0x3F800000u;  // m in [1, 2)
  const bool high = mbits > 0x3FB504F3u;              // m > √2: use m/2 and e + 1
  mbits -= high ? 0x00800000u : 0u;
  e += high ? 1 : 0;
  float m;
  std::memcpy(&m, &mbits, sizeof m);
  const float f = m - 1.f;  // exact
  const float s = f / (2.f + f), z = s * s;
  float r = 1.f / 11;
  r = r * z + 1.f / 9;
  r = r * z + 1.f / 7;
  r = r * z + 1.f / 5;
  r = r * z + 1.f / 3;
  const float lnm = 2.f * s + 2.f * s * (z * r);
  const float k = static_cast<float>(e - (tiny ? 24 : 0));
  const float y = k * 0.693145752f + (lnm + k * 1.42860677e-6f);
  return x != x || x < 0.f ? std::numeric_limits<float>::quiet_NaN()
         : x == 0.f        ? -std::numeric_limits<float>::infinity()
         : x == std::numeric_limits<float>::infinity() ? x
                                                       : y;
}

}  // namespace mnemo

namespace mnemo {

/// v[i] = logOf(v[i]) for i < n, built and chosen as expSpan is (the same bits in every build).
void logSpan(float* v, size_t n);
/// logSpan with a named build of expSpanBuilds().
void logSpanWith(const char* build, float* v, size_t n);

/// v[i] = expOf(v[i]) for i < n, in the vectors of the micro-kernel's instruction set
/// (bestGemmIsa: AVX-512, AVX2, or the plain x86-64 build), chosen once; every build gives the
/// same bits (no FMA contraction).
void expSpan(float* v, size_t n);

/// The builds expSpan can use on this CPU, narrowest first ("generic", "avx2", "avx512f").
std::vector<const char*> expSpanBuilds();
/// expSpan with a named build of expSpanBuilds() (for tests comparing them).
void expSpanWith(const char* build, float* v, size_t n);

}  // namespace mnemo
