// mnemo's float exponential for loops that must vectorise: libm's expf is a call per element,
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

}  // namespace mnemo

namespace mnemo {

/// v[i] = expOf(v[i]) for i < n, in the vectors of the micro-kernel's instruction set
/// (bestGemmIsa: AVX-512, AVX2, or the plain x86-64 build), chosen once; every build gives the
/// same bits (no FMA contraction).
void expSpan(float* v, size_t n);

/// The builds expSpan can use on this CPU, narrowest first ("generic", "avx2", "avx512f").
std::vector<const char*> expSpanBuilds();
/// expSpan with a named build of expSpanBuilds() (for tests comparing them).
void expSpanWith(const char* build, float* v, size_t n);

}  // namespace mnemo
