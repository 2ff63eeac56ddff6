// The counter-based generator behind random_normal and random_uniform (ops/random.cpp). Every
// value is a pure function of (seed, counter, stream, element index), so the reference evaluator
// and the runtime kernel compute the same double from the same code, whatever the thread count
// or the order in which elements are visited; the kernel rounds it to f32.
//   seed, counter: the two i64 elements of the op's state operand (the run's seed and the
//                  training step, advanced by the session);
//   stream:        the op's `stream` attribute, distinct for every random node of a graph.
#pragma once

#include <cmath>
#include <cstdint>

namespace mnemo::random_bits {

/// A 64-bit finaliser (xor-shift-multiply): every input bit affects every output bit.
inline uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The key of one node's draws: seed, counter and stream folded together.
inline uint64_t streamKey(int64_t seed, int64_t counter, int64_t stream) {
  uint64_t k = mix(static_cast<uint64_t>(seed));
  k = mix(k ^ static_cast<uint64_t>(counter));
  return mix(k ^ (static_cast<uint64_t>(stream) * 0xD1B54A32D192ED03ull));
}

/// A uniform double in (0, 1] from draw number \p j of key \p key (53 random bits).
inline double unitInterval(uint64_t key, uint64_t j) {
  return static_cast<double>((mix(key + j * 0x9E3779B97F4A7C15ull) >> 11) + 1) * 0x1.0p-53;
}

/// Element \p i of a uniform draw: U(0, 1] (the kernel's f32 rounding can give 1.0, never 0).
inline double uniform(uint64_t key, uint64_t i) { return unitInterval(key, i); }

/// Element \p i of a standard normal draw, by Box–Muller from draws 2i and 2i + 1.
inline double normal(uint64_t key, uint64_t i) {
  const double u1 = unitInterval(key, 2 * i), u2 = unitInterval(key, 2 * i + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2);
}

}  // namespace mnemo::random_bits
