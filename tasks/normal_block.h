// Bulk standard normals for mnemo's generator (RngKind::Mnemo): kNormalLanes independent
// xoshiro256** streams stepped together, each pair of 64-bit outputs turned into two normals by
// the Box–Muller transform. The logarithm, sine and cosine are mnemo's own polynomials written
// with +, -, *, / and sqrt only (no fused multiply-add: the file is built with
// -ffp-contract=off), so every instruction set gives the same bits, and the loops over the lanes
// vectorise. Three builds of the kernel exist (plain x86-64, AVX2, AVX-512F); normalBlock picks
// the widest the CPU runs. Its square root cannot see a negative argument (-2 ln u >= 0), so the
// file is also built with -fno-math-errno, which lets the loops vectorise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnemo {

constexpr int kNormalLanes = 8;
/// Normals one call of normalBlock writes: 8 rounds of kNormalLanes pairs.
constexpr int kNormalBlock = 128;

/// The lane states, one xoshiro256** generator per lane, word-major (word w of lane l is s[w][l]).
struct NormalLanes {
  uint64_t s[4][kNormalLanes];
};

/// Seeds every lane from `seed` through SplitMix64, continuing the sequence at word `skip` (the
/// first words seed the generator's uniform stream).
void seedNormalLanes(NormalLanes& lanes, uint64_t seed, int skip);

/// Writes kNormalBlock standard normals to `out` and advances the lanes.
void normalBlock(NormalLanes& lanes, double* out);

/// The kernel builds this machine can run, by name ("generic", "avx2", "avx512f"), widest last.
std::vector<const char*> normalBlockBuilds();
/// normalBlock with the named build (tests compare the builds bit for bit). Throws mnemo::Error
/// for a name not in normalBlockBuilds().
void normalBlockWith(const char* build, NormalLanes& lanes, double* out);

}  // namespace mnemo
