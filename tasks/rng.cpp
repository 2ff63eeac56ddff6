// Seeding and the non-inline samplers of mnemo::Rng (see rng.h).
#include "tasks/rng.h"

#include <cmath>

namespace mnemo {

Rng::Rng(uint64_t seed) { this->seed(seed); }

void Rng::seed(uint64_t seed) {
  uint64_t x = seed;
  for (uint64_t& s : s_) {  // SplitMix64
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    s = z ^ (z >> 31);
  }
  hasSpare_ = false;
  spare_ = 0;
}

uint64_t Rng::below(uint64_t n) {
  // Reject the top partial block so every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return x % n;
}

double Rng::normal() {
  if (hasSpare_) {
    hasSpare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  hasSpare_ = true;
  return u * f;
}

double Rng::exponential(double mean) {
  // 1 - uniform() is in (0, 1], so the log is finite.
  return -mean * std::log(1.0 - uniform());
}

}  // namespace mnemo
