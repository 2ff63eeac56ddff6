// Seeding, state regeneration and the non-inline legacy samplers of NumpyRandom (see
// numpy_random.h). Every formula keeps numpy's operation order, so results match to the bit.
#include "tasks/numpy_random.h"

#include <cmath>

#include "support/error.h"

namespace mnemo {

namespace {

constexpr int kN = NumpyRandom::kStateWords;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpper = 0x80000000u;
constexpr uint32_t kLower = 0x7fffffffu;

/// The smallest all-ones bit pattern >= v.
uint64_t maskCovering(uint64_t v) {
  for (int shift = 1; shift <= 32; shift *= 2) v |= v >> shift;
  return v;
}

/// One MT19937 twist step: combine the top bit of `a` with the low bits of `b`, mix with `c`.
uint32_t twist(uint32_t a, uint32_t b, uint32_t c) {
  const uint32_t y = (a & kUpper) | (b & kLower);
  return c ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
}

}  // namespace

void NumpyRandom::seed(uint32_t seed) {
  uint32_t x = seed;
  for (int i = 0; i < kN; ++i) {
    state_.key[static_cast<size_t>(i)] = x;
    x = 1812433253u * (x ^ (x >> 30)) + static_cast<uint32_t>(i + 1);
  }
  state_.pos = kN;
  state_.hasGauss = false;
  state_.gauss = 0;
}

void NumpyRandom::seedByArray(const std::vector<uint32_t>& words) {
  if (words.empty()) MNEMO_FAIL("numpy seed: an array seed needs at least one value");
  // numpy squeezes a one-element array to a scalar, which then seeds like an integer.
  if (words.size() == 1) return seed(words[0]);
  seed(19650218u);
  auto& mt = state_.key;
  const int len = static_cast<int>(words.size());
  int i = 1, j = 0;
  for (int k = kN > len ? kN : len; k > 0; --k) {
    const uint32_t prev = mt[static_cast<size_t>(i - 1)];
    mt[static_cast<size_t>(i)] = (mt[static_cast<size_t>(i)] ^ ((prev ^ (prev >> 30)) * 1664525u)) +
                                 words[static_cast<size_t>(j)] + static_cast<uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt[0] = mt[kN - 1];
      i = 1;
    }
    if (j >= len) j = 0;
  }
  for (int k = kN - 1; k > 0; --k) {
    const uint32_t prev = mt[static_cast<size_t>(i - 1)];
    mt[static_cast<size_t>(i)] = (mt[static_cast<size_t>(i)] ^ ((prev ^ (prev >> 30)) * 1566083941u)) -
                                 static_cast<uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt[0] = mt[kN - 1];
      i = 1;
    }
  }
  mt[0] = 0x80000000u;
  state_.pos = kN;
  state_.hasGauss = false;
  state_.gauss = 0;
}

void NumpyRandom::setState(const State& state) {
  if (state.pos < 0 || state.pos > kN)
    MNEMO_FAIL("numpy generator state: position " << state.pos << " is outside [0, " << kN << "]");
  state_ = state;
}

void NumpyRandom::regenerate() {
  auto& k = state_.key;
  int i = 0;
  for (; i < kN - kM; ++i) k[i] = twist(k[i], k[i + 1], k[i + kM]);
  for (; i < kN - 1; ++i) k[i] = twist(k[i], k[i + 1], k[i + kM - kN]);
  k[kN - 1] = twist(k[kN - 1], k[0], k[kM - 1]);
  state_.pos = 0;
}

double NumpyRandom::standardNormal() {
  if (state_.hasGauss) {
    state_.hasGauss = false;
    const double cached = state_.gauss;
    state_.gauss = 0;
    return cached;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * randomSample() - 1.0;
    x2 = 2.0 * randomSample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  state_.gauss = f * x1;
  state_.hasGauss = true;
  return f * x2;
}

double NumpyRandom::exponential(double scale) {
  return scale * -std::log(1.0 - randomSample());
}

uint64_t NumpyRandom::interval(uint64_t max) {
  if (max == 0) return 0;
  const uint64_t mask = maskCovering(max);
  uint64_t v;
  if (max <= 0xffffffffu) {
    do {
      v = nextUint32() & mask;
    } while (v > max);
  } else {
    do {
      v = nextUint64() & mask;
    } while (v > max);
  }
  return v;
}

int64_t NumpyRandom::randint(int64_t lo, int64_t hi) {
  if (hi <= lo) MNEMO_FAIL("numpy randint: empty range [" << lo << ", " << hi << ")");
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) - 1;
  uint64_t v;
  if (range == 0) {
    v = 0;
  } else if (range <= 0xffffffffu) {
    // 32-bit draws; a full 32-bit range needs no mask (the mask is all ones anyway).
    const uint32_t mask = static_cast<uint32_t>(maskCovering(range));
    do {
      v = nextUint32() & mask;
    } while (v > range);
  } else if (range == UINT64_MAX) {
    v = nextUint64();
  } else {
    const uint64_t mask = maskCovering(range);
    do {
      v = nextUint64() & mask;
    } while (v > range);
  }
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + v);
}

std::vector<int64_t> NumpyRandom::permutation(int64_t n) {
  if (n < 0) MNEMO_FAIL("numpy permutation: negative length " << n);
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i;
  shuffle(out.data(), out.size());
  return out;
}

void NumpyRandom::checkProbabilities(const std::vector<double>& p) {
  if (p.empty()) MNEMO_FAIL("choice: the probabilities are empty");
  // numpy checks the sum with Kahan summation against sqrt(double epsilon).
  double sum = 0, carry = 0;
  for (double v : p) {
    if (!(v >= 0) || !std::isfinite(v))
      MNEMO_FAIL("choice: probabilities must be finite and >= 0, got " << v);
    const double y = v - carry, t = sum + y;
    carry = (t - sum) - y;
    sum = t;
  }
  if (std::fabs(sum - 1.0) > std::sqrt(2.220446049250313e-16))
    MNEMO_FAIL("choice: probabilities do not sum to 1 (sum " << sum << ")");
}

int64_t NumpyRandom::choiceIndex(const std::vector<double>& p) {
  checkProbabilities(p);
  // Cumulative sum (sequential, as numpy's cumsum), normalised by its last value; the drawn
  // index is the first whose cdf exceeds the uniform sample (searchsorted side='right').
  std::vector<double> cdf(p.size());
  double acc = 0;
  for (size_t i = 0; i < p.size(); ++i) cdf[i] = acc += p[i];
  const double total = cdf.back();
  for (double& c : cdf) c /= total;
  const double u = randomSample();
  size_t idx = 0;
  while (idx < cdf.size() && cdf[idx] <= u) ++idx;
  return static_cast<int64_t>(idx);
}

std::vector<int64_t> NumpyRandom::choiceWithoutReplacement(int64_t n, int64_t k) {
  if (k < 0 || k > n)
    MNEMO_FAIL("numpy choice: cannot take " << k << " of " << n << " without replacement");
  std::vector<int64_t> perm = permutation(n);
  perm.resize(static_cast<size_t>(k));
  return perm;
}

}  // namespace mnemo
