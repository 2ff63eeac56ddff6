// mnemo's random number generator for task trials: xoshiro256** seeded through SplitMix64,
// with its own uniform, integer, normal and exponential sampling so that a seed gives the same
// trials with any C++ standard library (only std::log/std::sqrt from libm are used).
//
// Not bit-compatible with numpy's RandomState (neurogym's generator); same seed, same stream
// within mnemo is the guarantee.
#pragma once

#include <cstdint>

namespace mnemo {

/// A small, fast, seedable generator (xoshiro256** by Blackman and Vigna).
class Rng {
 public:
  /// The state is filled from `seed` by SplitMix64, so nearby seeds (s, s+1, ...) give
  /// unrelated streams.
  explicit Rng(uint64_t seed = 0);

  /// Re-seeds as if freshly constructed.
  void seed(uint64_t seed);

  /// The next 64 random bits.
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform double in [a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// Uniform integer in [0, n), unbiased (rejection); n must be > 0.
  uint64_t below(uint64_t n);
  /// Standard normal (Marsaglia's polar method; the second value of each pair is kept for the
  /// next call).
  double normal();
  /// Exponential with the given mean (inverse transform).
  double exponential(double mean);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool hasSpare_ = false;
};

}  // namespace mnemo
