// Seeding and the non-inline samplers of mnemo::Rng (see rng.h).
#include "tasks/rng.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "support/error.h"

namespace mnemo {

const char* rngKindName(RngKind kind) { return kind == RngKind::Numpy ? "numpy" : "mnemo"; }

RngKind parseRngKind(const std::string& name) {
  if (name == "mnemo") return RngKind::Mnemo;
  if (name == "numpy") return RngKind::Numpy;
  MNEMO_FAIL("unknown random generator '" << name << "' (mnemo, numpy)");
}

Rng::Rng(uint64_t seed, RngKind kind) : kind_(kind) { this->seed(seed); }

void Rng::seed(uint64_t seed) {
  seed_ = seed;
  streams_.clear();
  streamMade_.clear();
  if (kind_ == RngKind::Numpy) {
    if (seed > 0xffffffffull)
      MNEMO_FAIL("numpy generator: seed " << seed << " is outside [0, 2^32 - 1]");
    np_.seed(static_cast<uint32_t>(seed));
    return;
  }
  uint64_t x = seed;
  for (uint64_t& s : s_) {  // SplitMix64
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    s = z ^ (z >> 31);
  }
  seedNormalLanes(lanes_, seed, 4);  // the SplitMix64 sequence after the four words above
  normalPos_ = kNormalBlock;
}

uint64_t Rng::below(uint64_t n) {
  if (kind_ == RngKind::Numpy) return static_cast<uint64_t>(np_.randint(0, static_cast<int64_t>(n)));
  // Reject the top partial block so every residue is equally likely. That block is shorter than
  // n, so a draw at most UINT64_MAX - n lies below it without the division that finds its start;
  // a power of two (the ring sizes, coin flips) takes its residue with a mask. The same values as
  // the plain form.
  uint64_t x = next();
  if (x > UINT64_MAX - n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    while (x >= limit) x = next();
  }
  return (n & (n - 1)) == 0 ? x & (n - 1) : x % n;
}

double Rng::normalSlow() {
  if (kind_ == RngKind::Numpy) return np_.standardNormal();
  normalBlock(lanes_, normals_);
  normalPos_ = 1;
  return normals_[0];
}

void Rng::fillNormal(double* out, size_t n) {
  if (kind_ == RngKind::Numpy) {
    for (size_t i = 0; i < n; ++i) out[i] = np_.standardNormal();
    return;
  }
  while (n > 0) {
    if (normalPos_ == kNormalBlock) {
      normalBlock(lanes_, normals_);
      normalPos_ = 0;
    }
    const size_t take = std::min(n, static_cast<size_t>(kNormalBlock - normalPos_));
    std::copy_n(normals_ + normalPos_, take, out);
    normalPos_ += static_cast<int>(take);
    out += take;
    n -= take;
  }
}

double Rng::exponential(double mean) {
  if (kind_ == RngKind::Numpy) return np_.exponential(mean);
  // 1 - uniform() is in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - uniform());
}

size_t Rng::weightedIndex(const std::vector<double>& p) {
  if (kind_ == RngKind::Numpy) return static_cast<size_t>(np_.choiceIndex(p));
  // The same cdf search, on mnemo's uniform; a bad p is reported the same way.
  NumpyRandom::checkProbabilities(p);
  double total = 0;
  for (double v : p) total += v;
  const double u = uniform() * total;
  double acc = 0;
  for (size_t i = 0; i + 1 < p.size(); ++i)
    if (u < (acc += p[i])) return i;
  return p.size() - 1;
}

std::vector<int64_t> Rng::permutation(int64_t n) {
  if (kind_ == RngKind::Numpy) return np_.permutation(n);
  if (n < 0) MNEMO_FAIL("permutation: negative length " << n);
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
  for (size_t i = out.size(); i-- > 1;) std::swap(out[i], out[below(i + 1)]);
  return out;
}

std::vector<int64_t> Rng::sampleWithoutReplacement(int64_t n, int64_t k) {
  if (k < 0 || k > n) MNEMO_FAIL("cannot take " << k << " of " << n << " without replacement");
  std::vector<int64_t> perm = permutation(n);
  perm.resize(static_cast<size_t>(k));
  return perm;
}

Rng& Rng::stream(size_t id) {
  if (id >= streams_.size()) {
    streams_.resize(id + 1);
    streamMade_.resize(id + 1, false);
  }
  if (!streamMade_[id]) {
    const uint64_t s = kind_ == RngKind::Numpy ? seed_ : seed_ ^ (0xD1B54A32D192ED03ull * (id + 1));
    streams_[id] = Rng(s, kind_);
    streamMade_[id] = true;
  }
  return streams_[id];
}

NumpyRandom& Rng::numpy() {
  if (kind_ != RngKind::Numpy) MNEMO_FAIL("this generator is mnemo's, not numpy's");
  return np_;
}

}  // namespace mnemo
