// The random number generator tasks draw their trials from, in one of two kinds:
//   RngKind::Mnemo  mnemo's own: xoshiro256** seeded through SplitMix64, with its own uniform,
//                   integer and exponential sampling, so that a seed gives the same trials with
//                   any C++ standard library (only std::log from libm is used). Normals come from
//                   a second stream, eight xoshiro256** lanes turned into normals in blocks by a
//                   vectorised Box–Muller transform with mnemo's own log/sin/cos
//                   (tasks/normal_block.h): the same bits on every CPU.
//   RngKind::Numpy  numpy's legacy RandomState (NumpyRandom), the generator neurogym draws from:
//                   every sampler below maps to the RandomState method neurogym calls, so a task
//                   written against this interface gives neurogym's trials bit for bit.
// Each sampler documents its numpy counterpart. Same seed and kind, same stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tasks/normal_block.h"
#include "tasks/numpy_random.h"

namespace mnemo {

/// Which algorithm family an Rng uses.
enum class RngKind { Mnemo, Numpy };

/// "mnemo" or "numpy".
const char* rngKindName(RngKind kind);
/// Parses "mnemo" or "numpy"; throws mnemo::Error naming the bad value otherwise.
RngKind parseRngKind(const std::string& name);

/// A seedable generator of either kind (see the file comment).
class Rng {
 public:
  /// Mnemo kind: the state is filled from `seed` by SplitMix64, so nearby seeds (s, s+1, ...)
  /// give unrelated streams. Numpy kind: RandomState(seed); throws mnemo::Error unless
  /// seed < 2^32, as numpy does.
  explicit Rng(uint64_t seed = 0, RngKind kind = RngKind::Mnemo);

  /// Re-seeds as if freshly constructed (same kind); companion streams restart too.
  void seed(uint64_t seed);

  RngKind kind() const { return kind_; }
  /// The seed of the last (re)seeding.
  uint64_t seedValue() const { return seed_; }

  /// The next 64 random bits (numpy kind: two 32-bit outputs, the first in the high half).
  uint64_t next() {
    if (kind_ == RngKind::Numpy) return np_.nextUint64();
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

  /// Uniform double in [0, 1) with 53 random bits (numpy: rand() / random_sample()).
  double uniform() {
    if (kind_ == RngKind::Numpy) return np_.randomSample();
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
  /// Uniform double in [a, b) (numpy: uniform(a, b)).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// Uniform integer in [0, n), unbiased (rejection); n must be > 0 (numpy: randint(0, n), and
  /// so choice(n) or the index choice(list) picks).
  uint64_t below(uint64_t n);
  /// Standard normal (numpy: randn() / standard_normal(), the polar method with its cached
  /// second value). Mnemo kind: the next value of the normal stream, which the uniform draws do
  /// not advance (see the file comment).
  double normal() {
    if (kind_ == RngKind::Mnemo && normalPos_ < kNormalBlock) return normals_[normalPos_++];
    return normalSlow();
  }
  /// Writes n standard normals to out: the values n calls of normal() would return.
  void fillNormal(double* out, size_t n);
  /// Exponential with the given mean (inverse transform) (numpy: exponential(mean)).
  double exponential(double mean);
  /// An index drawn with probabilities p (numpy: choice(len(p), p=p)): one uniform() located
  /// in the normalised cumulative sum. Throws mnemo::Error for bad probabilities.
  size_t weightedIndex(const std::vector<double>& p);
  /// A random order of 0..n-1 (numpy: permutation(n), a Fisher-Yates shuffle from the end).
  std::vector<int64_t> permutation(int64_t n);
  /// k distinct indices of n (numpy: choice(n, k, replace=False) = permutation(n)[:k]).
  std::vector<int64_t> sampleWithoutReplacement(int64_t n, int64_t k);

  /// Companion stream `id`: a second generator of the same kind, (re)seeded whenever this one
  /// is, created on first use. neurogym gives each TruncExp timing object its own RandomState
  /// seeded with the env's seed, so the numpy kind seeds companions with this generator's seed
  /// (their draws repeat the main stream's start, as neurogym's do); the mnemo kind mixes `id`
  /// into the seed. Do not keep the reference across another stream() call.
  Rng& stream(size_t id);

  /// The numpy generator (numpy kind only; throws mnemo::Error for the mnemo kind).
  NumpyRandom& numpy();

  /// How many trials Task::newTrial has drawn from this stream. Tasks that alternate between
  /// sub-tasks trial by trial (neurogym's ScheduleEnvs over modalities) read it. Reseeding keeps
  /// it, as neurogym's env.seed keeps a schedule's position.
  uint64_t trialsDrawn() const { return trialsDrawn_; }
  void countTrial() { ++trialsDrawn_; }
  /// Sets the trial count (a task alternating by its parity then starts from the other side).
  void setTrialsDrawn(uint64_t n) { trialsDrawn_ = n; }
  /// A per-stream integer a stateful task keeps between trials (e.g. the next sub-task of a
  /// schedule), 0 until set. Reseeding keeps it, as neurogym's env.seed keeps task state.
  int64_t& taskState(size_t slot) {
    if (slot >= taskState_.size()) taskState_.resize(slot + 1, 0);
    return taskState_[slot];
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  double normalSlow();
  RngKind kind_ = RngKind::Mnemo;
  uint64_t seed_ = 0;
  uint64_t s_[4] = {0, 0, 0, 0};
  NormalLanes lanes_{};              // mnemo kind: the normal stream
  double normals_[kNormalBlock] = {};  // its current block
  int normalPos_ = kNormalBlock;     // next unused value of the block
  NumpyRandom np_;
  std::vector<Rng> streams_;  // companion streams by id, created on demand
  std::vector<bool> streamMade_;
  uint64_t trialsDrawn_ = 0;
  std::vector<int64_t> taskState_;
};

}  // namespace mnemo
