// The bulk normal kernel (see normal_block.h).
//
// Per lane and pair: two xoshiro256** outputs x, y.
//   u = 2 - (1.x's top 52 bits)         uniform on (0, 1] in steps of 2^-52
//   r = sqrt(-2 ln u)                   ln u = e ln 2 + ln m, u = m 2^e, m in [sqrt(1/2), sqrt(2)),
//                                       ln m = 2 atanh(s), s = (m - 1) / (m + 1), a series in s^2
//   angle = (q + f) pi/2                q = y's top 2 bits, f uniform on [-1/2, 1/2) from 52 more
//   (z0, z1) = r (cos angle, sin angle) cos and sin of f pi/2 (|f pi/2| <= pi/4) by their Taylor
//                                       series, then rotated by q quarter turns
// The series are cut where the next term is below 1e-17 of the result: the values are accurate
// to a few units in the last place, far finer than any statistic of the draws can see.
//
// The float kernel, per lane and pair: one xoshiro256** output x, the same transform in float32.
//   u = (x's low 31 bits + 1/2) 2^-31   uniform on (0, 1], exact to float's 24 bits; the
//                                       smallest u, 2^-32, caps |z| at sqrt(64 ln 2) = 6.66
//                                       (a normal passes that once in 3.6e10 draws)
//   q = x's top 2 bits, f from the 23 bits below them; ln, cos and sin by the same series, cut
//   where the next term is below float's resolution (2^-24 of the result).
#include "tasks/normal_block.h"

#include <cmath>
#include <cstring>
#include <string>

#include "support/error.h"

namespace mnemo {

namespace {

inline uint64_t bitsOf(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

inline double fromBits(uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kHalfPi = 1.57079632679489661923132169163975144;
constexpr uint64_t kMantissa = 0x000FFFFFFFFFFFFFull;
constexpr uint64_t kOne = 0x3FF0000000000000ull;       // the bits of 1.0
constexpr uint64_t kSqrt2Mantissa = 0x6A09E667F3BCDull;  // sqrt(2) = 1.6A09E667F3BCD x 2^0
constexpr uint64_t kIntMagic = 0x4338000000000000ull;  // 1.5 x 2^52: adding a small int n gives n + 1.5 x 2^52
constexpr double kIntMagicValue = 6755399441055744.0;

// 1 / (2k + 1) for the atanh series, 1 / k! for sine and cosine.
constexpr double kAtanh[] = {1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11,
                             1.0 / 13, 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21};
constexpr double factorial(int n) { return n <= 1 ? 1.0 : n * factorial(n - 1); }
constexpr double kSin[] = {-1 / factorial(3),  1 / factorial(5),  -1 / factorial(7), 1 / factorial(9),
                           -1 / factorial(11), 1 / factorial(13), -1 / factorial(15), 1 / factorial(17)};
constexpr double kCos[] = {-1 / factorial(2),  1 / factorial(4),  -1 / factorial(6),  1 / factorial(8), -1 / factorial(10),
                           1 / factorial(12), -1 / factorial(14), 1 / factorial(16), -1 / factorial(18)};

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// One xoshiro256** step of every lane into out[] (s: word-major lane states, L lanes).
template <int L>
__attribute__((always_inline)) inline void stepLanes(uint64_t (&s)[4][L], uint64_t* out) {
  for (int l = 0; l < L; ++l) {
    const uint64_t s1 = s[1][l];
    const uint64_t times5 = (s1 << 2) + s1;
    const uint64_t r = rotl(times5, 7);
    out[l] = (r << 3) + r;  // * 9
    const uint64_t t = s1 << 17;
    s[2][l] ^= s[0][l];
    s[3][l] ^= s1;
    s[1][l] = s1 ^ s[2][l];
    s[0][l] ^= s[3][l];
    s[2][l] ^= t;
    s[3][l] = rotl(s[3][l], 45);
  }
}

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float fromBits32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

constexpr uint32_t kOneF = 0x3F800000u;           // the bits of 1.0f
constexpr uint32_t kMantissaF = 0x007FFFFFu;
constexpr uint32_t kSqrt2MantissaF = 0x3504F3u;    // sqrt(2) = 1.6A09E6 x 2^0 in float
constexpr float kLn2F = 0.693147180559945309417232121458176568f;
constexpr float kHalfPiF = 1.57079632679489661923132169163975144f;

/// The kernel body, inlined into each build so that each is compiled for its instruction set.
__attribute__((always_inline)) inline void kernel(NormalLanes& g, double* out) {
  for (int round = 0; round < kNormalBlock / (2 * kNormalLanes); ++round) {
    uint64_t x[kNormalLanes], y[kNormalLanes];
    stepLanes(g.s, x);
    stepLanes(g.s, y);
    double* z0 = out + round * 2 * kNormalLanes;
    double* z1 = z0 + kNormalLanes;
    for (int l = 0; l < kNormalLanes; ++l) {
      // Radius: u in (0, 1], split as m 2^e with m in [sqrt(1/2), sqrt(2)).
      const double u = 2.0 - fromBits(kOne | (x[l] >> 12));
      const uint64_t ub = bitsOf(u);
      const uint64_t mant = ub & kMantissa;
      const uint64_t high = mant > kSqrt2Mantissa ? 1 : 0;
      const double m = fromBits(mant | (kOne - (high << 52)));
      const uint64_t e = (ub >> 52) - 1023 + high;  // two's complement: a small negative exponent
      const double ed = fromBits(kIntMagic + e) - kIntMagicValue;
      const double f = m - 1.0;
      const double s = f / (2.0 + f);
      const double s2 = s * s;
      double p = kAtanh[9];
      for (int k = 8; k >= 0; --k) p = kAtanh[k] + s2 * p;
      const double lnu = ed * kLn2 + 2.0 * s * (1.0 + s2 * p);
      const double radius = std::sqrt(-2.0 * lnu);

      // Angle: quadrant q and an offset a in [-pi/4, pi/4).
      const uint64_t q = y[l] >> 62;
      const double a = (fromBits(kOne | ((y[l] << 2) >> 12)) - 1.5) * kHalfPi;
      const double a2 = a * a;
      double ps = kSin[7], pc = kCos[8];
      for (int k = 6; k >= 0; --k) ps = kSin[k] + a2 * ps;
      for (int k = 7; k >= 0; --k) pc = kCos[k] + a2 * pc;
      const uint64_t sinBits = bitsOf(a + a * (a2 * ps));
      const uint64_t cosBits = bitsOf(1.0 + a2 * pc);
      // cos(angle), sin(angle) by quadrant: (c, s), (-s, c), (-c, -s), (s, -c).
      const uint64_t swap = 0 - (q & 1);
      const uint64_t cosAngle = ((sinBits & swap) | (cosBits & ~swap)) ^ ((((q + 1) >> 1) & 1) << 63);
      const uint64_t sinAngle = ((cosBits & swap) | (sinBits & ~swap)) ^ ((q >> 1) << 63);
      z0[l] = radius * fromBits(cosAngle);
      z1[l] = radius * fromBits(sinAngle);
    }
  }
}

/// The float kernel body (see the file comment), inlined into each build like kernel().
__attribute__((always_inline)) inline void floatKernel(FloatNormalLanes& g, float* out) {
  constexpr int L = kFloatNormalLanes;
  for (int round = 0; round < kFloatNormalBlock / (2 * L); ++round) {
    uint64_t x[L];
    stepLanes(g.s, x);
    float* z0 = out + round * 2 * L;
    float* z1 = z0 + L;
    for (int l = 0; l < L; ++l) {
      // Radius: u in (0, 1] (int to float rounds to nearest: the same in every build).
      const int32_t low = static_cast<int32_t>(static_cast<uint32_t>(x[l]) >> 1);
      const float u = static_cast<float>(low) * 0x1.0p-31f + 0x1.0p-32f;
      const uint32_t ub = bitsOf(u);
      const uint32_t mant = ub & kMantissaF;
      const uint32_t high = mant > kSqrt2MantissaF ? 1u : 0u;
      const float m = fromBits32(mant | (kOneF - (high << 23)));
      const int32_t e = static_cast<int32_t>(ub >> 23) - 127 + static_cast<int32_t>(high);
      const float f = m - 1.0f;
      const float s = f / (2.0f + f);
      const float s2 = s * s;
      const float p = 1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9)));
      const float lnu = static_cast<float>(e) * kLn2F + 2.0f * s * (1.0f + s2 * p);
      const float radius = std::sqrt(-2.0f * lnu);

      // Angle: quadrant q and an offset a in [-pi/4, pi/4).
      const uint32_t y = static_cast<uint32_t>(x[l] >> 32);
      const uint32_t q = y >> 30;
      const float a = (fromBits32(kOneF | ((y << 2) >> 9)) - 1.5f) * kHalfPiF;
      const float a2 = a * a;
      const float ps = -1.0f / 6 + a2 * (1.0f / 120 + a2 * (-1.0f / 5040 + a2 * (1.0f / 362880)));
      const float pc = -0.5f + a2 * (1.0f / 24 + a2 * (-1.0f / 720 + a2 * (1.0f / 40320 + a2 * (-1.0f / 3628800))));
      const uint32_t sinBits = bitsOf(a + a * (a2 * ps));
      const uint32_t cosBits = bitsOf(1.0f + a2 * pc);
      const uint32_t swap = 0u - (q & 1u);
      const uint32_t cosAngle = ((sinBits & swap) | (cosBits & ~swap)) ^ ((((q + 1) >> 1) & 1u) << 31);
      const uint32_t sinAngle = ((cosBits & swap) | (sinBits & ~swap)) ^ ((q >> 1) << 31);
      z0[l] = radius * fromBits32(cosAngle);
      z1[l] = radius * fromBits32(sinAngle);
    }
  }
}

void kernelGeneric(NormalLanes& g, double* out) { kernel(g, out); }
void floatKernelGeneric(FloatNormalLanes& g, float* out) { floatKernel(g, out); }

#if defined(__x86_64__) && defined(__GNUC__)
#define MNEMO_NORMAL_X86 1
__attribute__((target("avx2"))) void kernelAvx2(NormalLanes& g, double* out) { kernel(g, out); }
__attribute__((target("avx512f"))) void kernelAvx512(NormalLanes& g, double* out) { kernel(g, out); }
__attribute__((target("avx2"))) void floatKernelAvx2(FloatNormalLanes& g, float* out) { floatKernel(g, out); }
__attribute__((target("avx512f"))) void floatKernelAvx512(FloatNormalLanes& g, float* out) { floatKernel(g, out); }
#endif

/// The three builds of one kernel.
template <typename Fn>
struct Builds {
  Fn generic, avx2, avx512f;
};

#ifdef MNEMO_NORMAL_X86
constexpr Builds<void (*)(NormalLanes&, double*)> kDouble{kernelGeneric, kernelAvx2, kernelAvx512};
constexpr Builds<void (*)(FloatNormalLanes&, float*)> kFloat{floatKernelGeneric, floatKernelAvx2, floatKernelAvx512};
#else
constexpr Builds<void (*)(NormalLanes&, double*)> kDouble{kernelGeneric, nullptr, nullptr};
constexpr Builds<void (*)(FloatNormalLanes&, float*)> kFloat{floatKernelGeneric, nullptr, nullptr};
#endif

/// The named build of a kernel, or nullptr if unknown or unsupported here.
template <typename Fn>
Fn pick(const Builds<Fn>& builds, const std::string& build) {
  if (build == "generic") return builds.generic;
#ifdef MNEMO_NORMAL_X86
  if (build == "avx2" && __builtin_cpu_supports("avx2")) return builds.avx2;
  if (build == "avx512f" && __builtin_cpu_supports("avx512f")) return builds.avx512f;
#endif
  return nullptr;
}

template <typename Fn>
Fn widest(const Builds<Fn>& builds) {
  return pick(builds, normalBlockBuilds().back());
}

template <typename Fn>
Fn pickOrFail(const Builds<Fn>& builds, const char* build) {
  const Fn k = pick(builds, build);
  if (!k) MNEMO_FAIL("normal kernel build '" << build << "' is unknown or not supported by this CPU");
  return k;
}

/// SplitMix64 from `seed`, continued at word `skip`, into word-major lane states.
template <int L>
void seedLanes(uint64_t (&s)[4][L], uint64_t seed, int skip) {
  uint64_t x = seed + static_cast<uint64_t>(skip) * 0x9E3779B97F4A7C15ull;
  for (int l = 0; l < L; ++l) {
    for (int w = 0; w < 4; ++w) {
      x += 0x9E3779B97F4A7C15ull;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      s[w][l] = z ^ (z >> 31);
    }
  }
}

}  // namespace

void seedNormalLanes(NormalLanes& lanes, uint64_t seed, int skip) { seedLanes(lanes.s, seed, skip); }
void seedNormalLanes(FloatNormalLanes& lanes, uint64_t seed, int skip) { seedLanes(lanes.s, seed, skip); }

void normalBlock(NormalLanes& lanes, double* out) {
  static const auto kernelToUse = widest(kDouble);
  kernelToUse(lanes, out);
}

void floatNormalBlock(FloatNormalLanes& lanes, float* out) {
  static const auto kernelToUse = widest(kFloat);
  kernelToUse(lanes, out);
}

std::vector<const char*> normalBlockBuilds() {
  std::vector<const char*> builds{"generic"};
#ifdef MNEMO_NORMAL_X86
  if (__builtin_cpu_supports("avx2")) builds.push_back("avx2");
  if (__builtin_cpu_supports("avx512f")) builds.push_back("avx512f");
#endif
  return builds;
}

void normalBlockWith(const char* build, NormalLanes& lanes, double* out) { pickOrFail(kDouble, build)(lanes, out); }

void floatNormalBlockWith(const char* build, FloatNormalLanes& lanes, float* out) {
  pickOrFail(kFloat, build)(lanes, out);
}

}  // namespace mnemo
