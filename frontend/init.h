// Parameter initialisation. Every param node carries an `init` attribute string such as
// "kaiming_normal(1)", "uniform(-0.125,0.125)" or "zeros"; this module parses, checks and samples
// them. Sampling is mnemo's own (uniform from 53 random bits of std::mt19937_64, normals by
// Box–Muller), so values are identical across standard libraries for the same seed.
//
// Initialisers:
//   zeros, ones, constant(v)   a filled tensor
//   uniform(lo, hi)            U[lo, hi), lo < hi
//   normal(std)                N(0, std²), std >= 0
//   orthogonal([gain])         a matrix with orthonormal rows or columns (the fewer), times gain
//   identity([scale])          scale on the diagonal of a matrix, 0 elsewhere
//   dale(fraction)             Dale's law signs: +1 on the first round(fraction * n) indices of
//                              the first axis (excitatory units), -1 on the rest (inhibitory)
//   bernoulli(p[, seed])       a 0/1 mask (fixed connectivity), each element 1 with probability
//                              p; from the param's stream of the run's seed, or the given seed
//   file                       the values of the .npy file named by the param's `file` attribute
//                              (float32 or float64, the param's shape); `fixed` tensors use it
//   kaiming_normal(scale)      truncated normal, fan_in mode (spec §3 Init): fan_in = shape[0] for
//                              a 2-D (in, out) param (times the receptive field, the product of
//                              the leading dims, for rank > 2: shape[-2] · prod(shape[:-2]));
//                              std = sqrt(scale / fan_in) / 0.87962566103423978; w = z · std with
//                              z ~ N(0, 1) restricted to the open interval (−2, 2) by rejection.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// The std of a standard normal truncated to (−2, 2); kaiming_normal divides by it.
constexpr double kTruncatedNormalStd = 0.87962566103423978;

/// A parsed initialiser: its name and numeric arguments.
struct InitSpec {
  std::string kind;
  std::vector<double> args;
  bool operator==(const InitSpec& o) const { return kind == o.kind && args == o.args; }
};

/// The shortest decimal text that reads back to \p v, without a forced ".0": 1, -0.125, 1e-05.
std::string formatNumber(double v);
/// Canonical text of \p spec as stored in `init` attributes: "zeros", "uniform(-0.125,0.125)".
std::string formatInitSpec(const InitSpec& spec);
/// Parses an `init` attribute string. Throws mnemo::Error naming the problem on bad syntax (the
/// caller adds which param it was).
InitSpec parseInitSpec(const std::string& text);
/// Checks that \p spec is a known initialiser with the right arguments for a param of shape
/// \p dims; throws mnemo::Error with the reason (e.g. "kaiming_normal needs a param of rank >= 2").
void checkInitSpec(const InitSpec& spec, const Dims& dims);
/// fan_in of a param of shape \p dims as kaiming_normal computes it (rank >= 2).
int64_t fanIn(const Dims& dims);

/// Samples \p spec for a tensor of shape \p dims (row-major) from a generator seeded by \p seed.
std::vector<float> sampleInit(const InitSpec& spec, const Dims& dims, uint64_t seed);

/// The seed of param \p name for run seed \p seed: each param has its own stream, so adding a
/// param does not change the values of the others.
uint64_t paramSeed(uint64_t seed, const std::string& name);

/// The values of the .npy file at \p path as f32, checked against \p dims; throws mnemo::Error
/// naming the file and the problem.
std::vector<float> loadNpyValues(const std::string& path, const Dims& dims);

/// Initial values of every param of \p g from its `init` attribute, keyed by param name.
/// Deterministic for a seed. Throws mnemo::Error naming the param if its init is missing or bad.
std::map<std::string, std::vector<float>> initParams(const Graph& g, uint64_t seed);

}  // namespace mnemo
