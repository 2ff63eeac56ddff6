// Parameter initialisation: parsing and checking `init` strings, and seeded sampling.
#include "frontend/init.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <fstream>
#include <sstream>

#include "support/error.h"
#include "support/text.h"
#include "io/npz.h"

namespace mnemo {

namespace {

struct InitKind {
  const char* name;
  int minArity, maxArity;
};
constexpr InitKind kInitKinds[] = {
    {"zeros", 0, 0},  {"ones", 0, 0},           {"constant", 1, 1},   {"uniform", 2, 2},
    {"normal", 1, 1}, {"kaiming_normal", 1, 1}, {"orthogonal", 0, 1}, {"identity", 0, 1},
    {"dale", 1, 1},   {"bernoulli", 1, 2},
};
constexpr const char* kKnownInits =
    "zeros, ones, constant(v), uniform(lo, hi), normal(std), kaiming_normal(scale), orthogonal([gain]), identity([scale]), "
    "dale(excitatory_fraction), bernoulli(p[, seed])";

const InitKind* findKind(const std::string& name) {
  for (const InitKind& k : kInitKinds)
    if (name == k.name) return &k;
  return nullptr;
}

/// splitmix64: a strong 64-bit mixer, used to derive per-param seeds.
uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Uniform in [0, 1) from the top 53 bits of one draw.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// A standard normal by Box–Muller (one of the pair; the other is discarded for simplicity).
double standardNormal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log is finite
  const double u2 = uniform01(rng);
  const double twoPi = 6.283185307179586476925;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
}

}  // namespace

std::string formatNumber(double v) {
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string formatInitSpec(const InitSpec& spec) {
  if (spec.args.empty()) return spec.kind;
  std::string s = spec.kind + "(";
  for (size_t i = 0; i < spec.args.size(); ++i) s += (i ? "," : "") + formatNumber(spec.args[i]);
  return s + ")";
}

InitSpec parseInitSpec(const std::string& text) {
  InitSpec spec;
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skipSpace();
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) spec.kind += text[i++];
  if (spec.kind.empty()) MNEMO_FAIL("expected an initialiser name");
  skipSpace();
  if (i < text.size() && text[i] == '(') {
    ++i;
    skipSpace();
    if (i < text.size() && text[i] == ')') MNEMO_FAIL("empty argument list");
    while (true) {
      skipSpace();
      const char* begin = text.c_str() + i;
      char* end = nullptr;
      double v = std::strtod(begin, &end);
      if (end == begin) MNEMO_FAIL("expected a number at offset " << i);
      spec.args.push_back(v);
      i += static_cast<size_t>(end - begin);
      skipSpace();
      if (i < text.size() && text[i] == ',') { ++i; continue; }
      if (i < text.size() && text[i] == ')') { ++i; break; }
      MNEMO_FAIL("expected ',' or ')' at offset " << i);
    }
  }
  skipSpace();
  if (i != text.size()) MNEMO_FAIL("unexpected text at offset " << i);
  return spec;
}

int64_t fanIn(const Dims& dims) {
  MNEMO_CHECK(dims.size() >= 2, "fanIn of a rank " << dims.size() << " shape");
  int64_t receptive = 1;
  for (size_t i = 0; i + 2 < dims.size(); ++i) receptive *= dims[i];
  return dims[dims.size() - 2] * receptive;
}

void checkInitSpec(const InitSpec& spec, const Dims& dims) {
  const InitKind* kind = findKind(spec.kind);
  if (!kind)
    MNEMO_FAIL("unknown initialiser '" << spec.kind << "' (known: " << kKnownInits << ")");
  const int given = static_cast<int>(spec.args.size());
  if (given < kind->minArity || given > kind->maxArity) {
    if (kind->minArity == kind->maxArity) MNEMO_FAIL(spec.kind << " takes " << kind->minArity << " argument(s), got " << given);
    MNEMO_FAIL(spec.kind << " takes " << kind->minArity << " to " << kind->maxArity << " argument(s), got " << given);
  }
  for (double a : spec.args)
    if (!std::isfinite(a)) MNEMO_FAIL(spec.kind << ": argument " << a << " is not finite");
  if (spec.kind == "uniform" && !(spec.args[0] < spec.args[1]))
    MNEMO_FAIL("uniform(lo, hi) needs lo < hi, got lo = " << formatNumber(spec.args[0]) << ", hi = " << formatNumber(spec.args[1]));
  if (spec.kind == "normal" && spec.args[0] < 0) MNEMO_FAIL("normal(std) needs std >= 0, got " << formatNumber(spec.args[0]));
  if (spec.kind == "kaiming_normal") {
    if (!(spec.args[0] > 0)) MNEMO_FAIL("kaiming_normal(scale) needs scale > 0, got " << formatNumber(spec.args[0]));
    if (dims.size() < 2) MNEMO_FAIL("kaiming_normal needs a param of rank >= 2 (in, out), got shape " << dimsStr(dims));
  }
  if (spec.kind == "dale" && !(spec.args[0] >= 0 && spec.args[0] <= 1))
    MNEMO_FAIL("dale(excitatory_fraction) needs a fraction in [0, 1], got " << formatNumber(spec.args[0]));
  if (spec.kind == "dale" && dims.empty()) MNEMO_FAIL("dale needs a tensor whose first axis is the units, got a scalar");
  if (spec.kind == "bernoulli" && !(spec.args[0] >= 0 && spec.args[0] <= 1))
    MNEMO_FAIL("bernoulli(p) needs a probability in [0, 1], got " << formatNumber(spec.args[0]));
  if (spec.kind == "bernoulli" && spec.args.size() == 2 &&
      !(spec.args[1] >= 0 && spec.args[1] == std::floor(spec.args[1]) && spec.args[1] < 0x1.0p53))
    MNEMO_FAIL("bernoulli(p, seed) needs a non-negative integer seed, got " << formatNumber(spec.args[1]));
  if ((spec.kind == "orthogonal" || spec.kind == "identity") && dims.size() != 2)
    MNEMO_FAIL(spec.kind << " needs a matrix (rank 2), got shape " << dimsStr(dims));
}

namespace {

/// Rows x cols with orthonormal rows or columns (whichever are fewer): Gram–Schmidt, in double
/// precision, on the columns of a tall standard-normal matrix, transposed back when wide. The
/// R factor's diagonal is positive by construction, so the result is Haar-distributed.
std::vector<float> orthogonalMatrix(int64_t rows, int64_t cols, double gain, std::mt19937_64& rng) {
  const int64_t tall = std::max(rows, cols), thin = std::min(rows, cols);
  std::vector<double> q(static_cast<size_t>(tall * thin));  // column j at q[j * tall ...]
  for (double& x : q) x = standardNormal(rng);
  for (int64_t j = 0; j < thin; ++j) {
    double* col = &q[static_cast<size_t>(j * tall)];
    for (int pass = 0; pass < 2; ++pass)  // twice, so orthogonality holds to rounding
      for (int64_t k = 0; k < j; ++k) {
        const double* prev = &q[static_cast<size_t>(k * tall)];
        double dot = 0;
        for (int64_t i = 0; i < tall; ++i) dot += prev[i] * col[i];
        for (int64_t i = 0; i < tall; ++i) col[i] -= dot * prev[i];
      }
    double norm = 0;
    for (int64_t i = 0; i < tall; ++i) norm += col[i] * col[i];
    norm = std::sqrt(norm);
    MNEMO_CHECK(norm > 0, "orthogonal: a degenerate random draw");
    for (int64_t i = 0; i < tall; ++i) col[i] /= norm;
  }
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      // Tall (rows >= cols): element (r, c) is row r of column c; wide: the transpose.
      const double v = rows >= cols ? q[static_cast<size_t>(c * tall + r)] : q[static_cast<size_t>(r * tall + c)];
      out[static_cast<size_t>(r * cols + c)] = static_cast<float>(gain * v);
    }
  return out;
}

}  // namespace

std::vector<float> sampleInit(const InitSpec& spec, const Dims& dims, uint64_t seed) {
  checkInitSpec(spec, dims);
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> out(static_cast<size_t>(n));
  std::mt19937_64 rng(seed);
  if (spec.kind == "zeros" || spec.kind == "ones" || spec.kind == "constant") {
    float v = spec.kind == "zeros" ? 0.0f : spec.kind == "ones" ? 1.0f : static_cast<float>(spec.args[0]);
    for (float& x : out) x = v;
  } else if (spec.kind == "uniform") {
    const double lo = spec.args[0], hi = spec.args[1];
    for (float& x : out) {
      // Rounding to float could reach hi; redraw so the interval stays half-open.
      do x = static_cast<float>(lo + (hi - lo) * uniform01(rng));
      while (static_cast<double>(x) >= hi);
    }
  } else if (spec.kind == "orthogonal") {
    out = orthogonalMatrix(dims[0], dims[1], spec.args.empty() ? 1.0 : spec.args[0], rng);
  } else if (spec.kind == "identity") {
    const float scale = spec.args.empty() ? 1.0f : static_cast<float>(spec.args[0]);
    for (int64_t i = 0; i < std::min(dims[0], dims[1]); ++i) out[static_cast<size_t>(i * dims[1] + i)] = scale;
  } else if (spec.kind == "dale") {
    // Unit i (index i of the first axis) is excitatory (+1) for i < round(fraction * units),
    // inhibitory (-1) after; every element of its row carries its sign.
    const int64_t units = dims[0], perUnit = n / units;
    const int64_t excitatory = static_cast<int64_t>(std::floor(spec.args[0] * static_cast<double>(units) + 0.5));
    for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i / perUnit < excitatory ? 1.0f : -1.0f;
  } else if (spec.kind == "bernoulli") {
    // 1 with probability p, else 0; from the param's own stream of the run's seed, or from the
    // given seed, so the mask stays the same whatever --seed.
    if (spec.args.size() == 2) rng.seed(mix64(static_cast<uint64_t>(spec.args[1])));
    for (float& x : out) x = uniform01(rng) < spec.args[0] ? 1.0f : 0.0f;
  } else if (spec.kind == "normal") {
    for (float& x : out) x = static_cast<float>(spec.args[0] * standardNormal(rng));
  } else {  // kaiming_normal
    const double stddev = std::sqrt(spec.args[0] / static_cast<double>(fanIn(dims))) / kTruncatedNormalStd;
    for (float& x : out) {
      double z;
      do z = standardNormal(rng);
      while (!(z > -2.0 && z < 2.0));
      x = static_cast<float>(z * stddev);
    }
  }
  return out;
}

uint64_t paramSeed(uint64_t seed, const std::string& name) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a of the name
  for (unsigned char c : name) h = (h ^ c) * 0x100000001B3ull;
  return mix64(mix64(seed) ^ h);
}

std::vector<float> loadNpyValues(const std::string& path, const Dims& dims) {
  if (outputKind(path) == OutputKind::Directory) MNEMO_FAIL(path << ": it is a directory, not a .npy file");
  std::ifstream in(path, std::ios::binary);
  if (!in) MNEMO_FAIL("cannot open '" << path << "'");
  // At most float64 values of the shape and a header: a device such as /dev/zero never ends, and
  // was read until memory ran out.
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  const size_t most = static_cast<size_t>(count) * 8 + (size_t{1} << 20);
  std::string bytes;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<size_t>(in.gcount()));
    if (bytes.size() > most)
      MNEMO_FAIL(path << ": longer than a .npy array of shape " << shapeString(std::vector<int64_t>(dims.begin(), dims.end()))
                      << " can be");
  }
  NpyArray a = decodeNpy(bytes, path);
  if (a.shape != dims) MNEMO_FAIL(path << " holds an array of shape " << shapeString(a.shape) << ", expected " << shapeString(dims));
  std::vector<float> out(a.size());
  if (a.dtype == NpyType::Float32) {
    std::memcpy(out.data(), a.bytes.data(), a.bytes.size());
  } else if (a.dtype == NpyType::Float64) {
    for (size_t i = 0; i < out.size(); ++i) {
      double v;
      std::memcpy(&v, a.bytes.data() + i * sizeof v, sizeof v);
      out[i] = static_cast<float>(v);
    }
  } else {
    MNEMO_FAIL(path << " holds " << npyTypeName(a.dtype) << " values; a fixed tensor needs float32 or float64");
  }
  for (size_t i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i])) MNEMO_FAIL(path << " holds a non-finite value at flat index " << i);
  return out;
}

std::map<std::string, std::vector<float>> initParams(const Graph& g, uint64_t seed) {
  std::map<std::string, std::vector<float>> values;
  for (const Node* n : g.nodes()) {
    if (n->kind() != OpKind::Param) continue;
    if (!n->hasAttr("init")) MNEMO_FAIL("param %" << n->name() << " has no init attribute");
    const std::string text = n->attr<std::string>("init");
    try {
      if (text == "file") {
        values[n->name()] = loadNpyValues(n->attr<std::string>("file"), n->dims());
        continue;
      }
      values[n->name()] = sampleInit(parseInitSpec(text), n->dims(), paramSeed(seed, n->name()));
    } catch (const Error& e) {
      MNEMO_FAIL("param %" << n->name() << ": bad init \"" << text << "\": " << e.what());
    }
  }
  return values;
}

}  // namespace mnemo
