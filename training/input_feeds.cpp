// InputFeeds (see input_feeds.h).
#include "training/input_feeds.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "support/error.h"
#include "io/npz.h"

namespace mnemo {

namespace {

/// The number inside "name(v)" when \p spec has that form and v is a finite float32 (the inputs
/// are float32: 1e39 would feed infinity).
bool callArgument(const std::string& spec, const std::string& name, double& value) {
  if (spec.size() < name.size() + 3 || spec.compare(0, name.size() + 1, name + "(") != 0 || spec.back() != ')')
    return false;
  const std::string arg = spec.substr(name.size() + 1, spec.size() - name.size() - 2);
  char* end = nullptr;
  value = std::strtod(arg.c_str(), &end);
  return !arg.empty() && *end == '\0' && std::isfinite(value) && std::fabs(value) <= std::numeric_limits<float>::max();
}

/// Kind and value of SPEC; throws naming \p text when it is none of the forms.
std::pair<char, double> parseSpec(const std::string& spec, const std::string& text) {
  double v = 0;
  if (spec == "zeros") return {'c', 0.0};
  if (callArgument(spec, "constant", v)) return {'c', v};
  if (callArgument(spec, "normal", v) && v >= 0) return {'n', v};
  MNEMO_FAIL("--feed " << text << ": expected zeros, constant(v) or normal(std) with std >= 0 (v and std finite float32 numbers)");
}

}  // namespace

std::pair<std::string, std::string> parseFeedFlag(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    MNEMO_FAIL("--feed wants NAME=SPEC (SPEC: zeros, constant(v) or normal(std)), got '" << text << "'");
  std::string name = text.substr(0, eq), spec = text.substr(eq + 1);
  parseSpec(spec, text);
  return {name, spec};
}

InputFeeds::InputFeeds(const Model& model, const std::map<std::string, std::string>& feeds, uint64_t seed,
                       const std::string& firstFedBy, const std::string& dataFile)
    : rng_(seed ^ 0x5eedfeed5eedfeedULL) {
  NpzArchive data;
  if (!dataFile.empty() && model.inputs.size() > 1) data = readNpz(dataFile);
  for (const auto& [name, spec] : feeds) {
    bool further = false;
    for (size_t i = 1; i < model.inputs.size(); ++i) further |= model.inputs[i] == name;
    if (name == model.input)
      MNEMO_FAIL("--feed " << name << ": input '" << name << "' is the model's first input, fed by " << firstFedBy);
    if (!further) {
      std::string list;
      for (size_t i = 1; i < model.inputs.size(); ++i) list += (list.empty() ? "" : ", ") + model.inputs[i];
      MNEMO_FAIL("--feed " << name << ": model '" << model.name << "' has no further input '" << name
                           << "' (its inputs after the first: " << (list.empty() ? "none" : list) << ")");
    }
  }
  for (size_t i = 1; i < model.inputs.size(); ++i) {
    const std::string& name = model.inputs[i];
    auto it = feeds.find(name);
    const bool inData = data.has("input/" + name);
    if (it == feeds.end() && !inData)
      MNEMO_FAIL("model '" << model.name << "' declares input '" << name << "' but nothing feeds it: " << firstFedBy
                           << " feeds only the first input '" << model.input << "'; give --feed " << name
                           << "=SPEC (zeros, constant(v) or normal(std))"
                           << (dataFile.empty() ? "" : " or an array 'input/" + name + "' in " + dataFile));
    if (it != feeds.end() && inData)
      MNEMO_FAIL("input '" << name << "' is fed twice: by --feed " << name << "=" << it->second << " and by array 'input/"
                           << name << "' of " << dataFile);
    const Node* node = model.graph->find(name);
    if (!node || node->type().dtype != DType::F32)
      MNEMO_FAIL("input '" << name << "' is " << (node ? node->type().str() : "missing") << "; only f32 inputs can be fed");
    if (inData) {
      feeds_.push_back(dataFeed(name, node->dims(), data, dataFile));
      continue;
    }
    auto [kind, value] = parseSpec(it->second, name + "=" + it->second);
    Feed f{name, kind, value, std::vector<float>(static_cast<size_t>(node->type().numel()), static_cast<float>(value))};
    feeds_.push_back(std::move(f));
  }
}

InputFeeds::Feed InputFeeds::dataFeed(const std::string& name, const Dims& dims, const NpzArchive& data,
                                      const std::string& dataFile) {
  const NpyArray& array = data.get("input/" + name);
  const int64_t batches = data.has("inputs") && !data.get("inputs").shape.empty() ? data.get("inputs").shape[0] : 0;
  std::vector<int64_t> want{batches};
  want.insert(want.end(), dims.begin(), dims.end());
  if (array.dtype != NpyType::Float32 || array.shape != want || want[0] < 1)
    MNEMO_FAIL("--data " << dataFile << ": array 'input/" << name << "' is " << npyTypeName(array.dtype)
                         << shapeString(array.shape) << ", input '" << name << "' wants float32" << shapeString(want)
                         << " (one row per batch of its 'inputs')");
  return Feed{name, 'd', 0, array.values<float>(), want[0], 0};
}

void InputFeeds::feed(Session& s) {
  for (Feed& f : feeds_) {
    if (f.kind == 'n')
      for (float& v : f.buffer) v = static_cast<float>(f.value * rng_.normal());
    if (f.kind != 'd') {
      s.setF32(f.input, f.buffer);
      continue;
    }
    const size_t row = f.buffer.size() / static_cast<size_t>(f.rows);
    s.setF32(f.input, f.buffer.data() + static_cast<size_t>(f.at) * row, row);
    f.at = (f.at + 1) % f.rows;
  }
}

}  // namespace mnemo
