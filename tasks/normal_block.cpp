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

/// One xoshiro256** step of every lane into out[].
__attribute__((always_inline)) inline void stepLanes(NormalLanes& g, uint64_t* out) {
  for (int l = 0; l < kNormalLanes; ++l) {
    const uint64_t s1 = g.s[1][l];
    const uint64_t times5 = (s1 << 2) + s1;
    const uint64_t r = rotl(times5, 7);
    out[l] = (r << 3) + r;  // * 9
    const uint64_t t = s1 << 17;
    g.s[2][l] ^= g.s[0][l];
    g.s[3][l] ^= s1;
    g.s[1][l] = s1 ^ g.s[2][l];
    g.s[0][l] ^= g.s[3][l];
    g.s[2][l] ^= t;
    g.s[3][l] = rotl(g.s[3][l], 45);
  }
}

/// The kernel body, inlined into each build so that each is compiled for its instruction set.
__attribute__((always_inline)) inline void kernel(NormalLanes& g, double* out) {
  for (int round = 0; round < kNormalBlock / (2 * kNormalLanes); ++round) {
    uint64_t x[kNormalLanes], y[kNormalLanes];
    stepLanes(g, x);
    stepLanes(g, y);
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

void kernelGeneric(NormalLanes& g, double* out) { kernel(g, out); }

#if defined(__x86_64__) && defined(__GNUC__)
#define MNEMO_NORMAL_X86 1
__attribute__((target("avx2"))) void kernelAvx2(NormalLanes& g, double* out) { kernel(g, out); }
__attribute__((target("avx512f"))) void kernelAvx512(NormalLanes& g, double* out) { kernel(g, out); }
#endif

using Kernel = void (*)(NormalLanes&, double*);

Kernel pick(const std::string& build) {
  if (build == "generic") return kernelGeneric;
#ifdef MNEMO_NORMAL_X86
  if (build == "avx2" && __builtin_cpu_supports("avx2")) return kernelAvx2;
  if (build == "avx512f" && __builtin_cpu_supports("avx512f")) return kernelAvx512;
#endif
  return nullptr;
}

Kernel widest() {
  const std::vector<const char*> builds = normalBlockBuilds();
  return pick(builds.back());
}

}  // namespace

void seedNormalLanes(NormalLanes& lanes, uint64_t seed, int skip) {
  uint64_t x = seed + static_cast<uint64_t>(skip) * 0x9E3779B97F4A7C15ull;
  for (int l = 0; l < kNormalLanes; ++l) {
    for (int w = 0; w < 4; ++w) {  // SplitMix64
      x += 0x9E3779B97F4A7C15ull;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      lanes.s[w][l] = z ^ (z >> 31);
    }
  }
}

void normalBlock(NormalLanes& lanes, double* out) {
  static const Kernel kernelToUse = widest();
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

void normalBlockWith(const char* build, NormalLanes& lanes, double* out) {
  const Kernel k = pick(build);
  if (!k) MNEMO_FAIL("normal kernel build '" << build << "' is unknown or not supported by this CPU");
  k(lanes, out);
}

}  // namespace mnemo
