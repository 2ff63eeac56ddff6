// Loading a command's graph from an IR file, a model file or the built-in notebook model.
#include "training/graph_source.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "support/error.h"
#include "support/limits.h"
#include "frontend/ir/parser.h"
#include "graph/passes/verifier.h"

namespace mnemo {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// "NAME=VALUE" with a positive integer VALUE.
std::pair<std::string, int64_t> parseSizeOverride(const std::string& text) {
  size_t eq = text.find('=');
  std::string name = text.substr(0, eq == std::string::npos ? 0 : eq);
  std::string value = eq == std::string::npos ? "" : text.substr(eq + 1);
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (name.empty() || value.empty() || used != value.size() || v <= 0)
    MNEMO_FAIL("--size wants NAME=VALUE with a positive integer VALUE, got '" << text << "'");
  return {name, static_cast<int64_t>(v)};
}

}  // namespace

std::pair<std::string, double> parseConstOverride(const std::string& text) {
  size_t eq = text.find('=');
  std::string name = text.substr(0, eq == std::string::npos ? 0 : eq);
  std::string value = eq == std::string::npos ? "" : text.substr(eq + 1);
  char* end = nullptr;
  const double v = value.empty() ? 0 : std::strtod(value.c_str(), &end);
  if (name.empty() || value.empty() || *end || !std::isfinite(v))
    MNEMO_FAIL("--set wants NAME=VALUE with a finite number VALUE, got '" << text << "'");
  return {name, v};
}

std::string GraphSource::describe() const {
  std::ostringstream os;
  os << (isModel ? "model " : "graph ") << graph->name() << " (" << path << ")";
  for (const auto& [name, value] : sizes) os << " " << name << "=" << value;
  return os.str();
}

ModelOptions modelOptions(const ModelSizing& sizing) {
  if (sizing.batch <= 0) MNEMO_FAIL("--batch must be positive, got " << sizing.batch);
  if (sizing.seqLen <= 0) MNEMO_FAIL("--seq-len must be positive, got " << sizing.seqLen);
  if (sizing.hidden && *sizing.hidden <= 0) MNEMO_FAIL("--hidden must be positive, got " << *sizing.hidden);
  checkCount(sizing.batch, limits::kMaxDimension, "--batch");
  checkCount(sizing.seqLen, limits::kMaxSequenceLength, "--seq-len");
  if (sizing.hidden) checkCount(*sizing.hidden, limits::kMaxDimension, "--hidden");
  ModelOptions opts;
  opts.batch = sizing.batch;
  opts.seqLen = sizing.seqLen;
  if (sizing.hidden) opts.sizeOverrides["H"] = *sizing.hidden;
  for (const std::string& text : sizing.sizes) {
    auto [name, value] = parseSizeOverride(text);
    checkCount(value, limits::kMaxDimension, "--size " + name);
    opts.sizeOverrides[name] = value;
  }
  for (const std::string& text : sizing.sets) {
    auto [name, value] = parseConstOverride(text);
    opts.constOverrides[name] = value;
  }
  return opts;
}

GraphSource loadGraphSource(const std::string& path, const ModelSizing& sizing) {
  GraphSource src;
  src.path = path;
  if (endsWith(path, ".gir")) {
    if (sizing.given)
      MNEMO_FAIL(path << ": an IR file has fixed shapes; --batch, --seq-len, --hidden, --size and --set apply to model files (.mnemo)");
    src.graph = parseGraphFile(path);
  } else if (path == kBuiltinNotebook || endsWith(path, ".mnemo")) {
    ModelOptions opts = modelOptions(sizing);
    Model m = path == kBuiltinNotebook ? loadNotebookModel(opts) : loadModelFile(path, opts);
    src.graph = std::move(m.graph);
    src.isModel = true;
    src.sizes = m.sizes;
    if (path == kBuiltinNotebook) src.path = std::string(kNotebookModelFile) + ", built in";
  } else {
    MNEMO_FAIL(path << ": unknown kind of file (expected FILE.gir, FILE.mnemo or '" << kBuiltinNotebook << "')");
  }
  verifyOrThrow(*src.graph, path);
  return src;
}

}  // namespace mnemo
