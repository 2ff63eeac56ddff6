// A bit-exact re-implementation of numpy's legacy generator, numpy.random.RandomState, which is
// what neurogym draws every trial from (env.seed(S) = RandomState(S)).
//
// Core: the 32-bit Mersenne Twister MT19937 with numpy's seeding. An integer seed S in
// [0, 2^32) fills the 624-word key with the classic linear recurrence (init_genrand); a sequence
// of words goes through the classic init_by_array mixing. The legacy algorithms built on it:
//   randomSample()   53-bit double from two 32-bit outputs: (a>>5 * 2^26 + b>>6) / 2^53
//   uniform(lo, hi)  lo + (hi - lo) * randomSample()
//   standardNormal() Marsaglia's polar method; each accepted pair yields two deviates: the
//                    second one (f * x2) is returned, the first (f * x1) is cached in the
//                    generator and returned by the next call (the cache survives across calls)
//   exponential(m)   m * -log(1 - randomSample())
//   randint(lo, hi)  lo + masked rejection: draw 32-bit words (64-bit ones, hi word first, for
//                    ranges past 2^32), AND with the smallest all-ones mask covering hi-lo-1,
//                    redraw while above it; a one-value range draws nothing
//   interval(max)    the same masked rejection on [0, max], used by shuffle
//   shuffle          Fisher-Yates from the end: for i = n-1 .. 1 swap x[i], x[interval(i)]
//   choice           without p: randint(0, n); with p: one randomSample() located in the
//                    normalised cumulative sum (first index whose cdf exceeds it); without
//                    replacement and without p: permutation(n)[:k]
// State (key, position, cached normal) can be read and set, like RandomState.get_state().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mnemo {

/// numpy.random.RandomState, bit for bit (see the file comment for the algorithms).
class NumpyRandom {
 public:
  static constexpr int kStateWords = 624;

  /// The full generator state (RandomState.get_state()).
  struct State {
    std::array<uint32_t, kStateWords> key{};
    int pos = kStateWords;
    bool hasGauss = false;
    double gauss = 0;
  };

  /// RandomState(seed): numpy accepts integer seeds in [0, 2^32).
  explicit NumpyRandom(uint32_t seed = 0) { this->seed(seed); }

  /// Re-seeds with an integer, as RandomState(seed) / .seed(seed); clears the cached normal.
  void seed(uint32_t seed);
  /// Re-seeds with a sequence of 32-bit words, as RandomState([w0, w1, ...]) (init_by_array; a
  /// single word seeds like the integer, as numpy does).
  void seedByArray(const std::vector<uint32_t>& words);

  const State& state() const { return state_; }
  /// Sets the state; throws mnemo::Error for a position outside [0, 624].
  void setState(const State& state);

  /// The next raw 32-bit output.
  uint32_t nextUint32() {
    if (state_.pos == kStateWords) regenerate();
    uint32_t y = state_.key[static_cast<size_t>(state_.pos++)];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
  }
  /// Two outputs as one 64-bit word, the first in the high half.
  uint64_t nextUint64() {
    const uint64_t hi = nextUint32();
    return (hi << 32) | nextUint32();
  }

  /// random_sample() / rand(): a double in [0, 1) with 53 random bits.
  double randomSample() {
    const uint32_t a = nextUint32() >> 5, b = nextUint32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
  /// uniform(lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * randomSample(); }
  /// standard_normal() / randn(): polar method with the cached second deviate.
  double standardNormal();
  /// normal(loc, scale) = loc + scale * standard_normal().
  double normal(double loc, double scale) { return loc + scale * standardNormal(); }
  /// exponential(scale).
  double exponential(double scale);
  /// randint(lo, hi): an integer in [lo, hi); throws mnemo::Error if hi <= lo.
  int64_t randint(int64_t lo, int64_t hi);
  /// An integer in [0, max] by masked rejection (numpy's random_interval); 0 draws nothing.
  uint64_t interval(uint64_t max);

  /// shuffle(x) on a 1-d sequence of n elements.
  template <typename T>
  void shuffle(T* x, size_t n) {
    for (size_t i = n; i-- > 1;) {
      const size_t j = static_cast<size_t>(interval(i));
      std::swap(x[i], x[j]);
    }
  }
  /// permutation(n): a shuffled 0, 1, ..., n-1.
  std::vector<int64_t> permutation(int64_t n);
  /// choice(n) or choice(list of n): the index drawn, randint(0, n).
  int64_t choiceIndex(int64_t n) { return randint(0, n); }
  /// choice(n, p=p) (replace=True): the index drawn; p must be non-empty, finite, >= 0 and
  /// sum to 1 within sqrt(double eps), as numpy checks (mnemo::Error otherwise).
  int64_t choiceIndex(const std::vector<double>& p);
  /// numpy's checks on choice's p (non-empty, finite, >= 0, Kahan sum within sqrt(eps) of 1);
  /// throws mnemo::Error naming the problem.
  static void checkProbabilities(const std::vector<double>& p);
  /// choice(n, k, replace=False) without p: permutation(n)[:k]; throws if k > n.
  std::vector<int64_t> choiceWithoutReplacement(int64_t n, int64_t k);

 private:
  void regenerate();
  State state_;
};

}  // namespace mnemo
