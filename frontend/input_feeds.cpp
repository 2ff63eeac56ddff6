// InputFeeds (see input_feeds.h).
#include "frontend/input_feeds.h"

#include <cmath>
#include <cstdlib>

#include "graph/error.h"

namespace mnemo {

namespace {

/// The number inside "name(v)" when \p spec has that form.
bool callArgument(const std::string& spec, const std::string& name, double& value) {
  if (spec.size() < name.size() + 3 || spec.compare(0, name.size() + 1, name + "(") != 0 || spec.back() != ')')
    return false;
  const std::string arg = spec.substr(name.size() + 1, spec.size() - name.size() - 2);
  char* end = nullptr;
  value = std::strtod(arg.c_str(), &end);
  return !arg.empty() && *end == '\0' && std::isfinite(value);
}

/// Kind and value of SPEC; throws naming \p text when it is none of the forms.
std::pair<char, double> parseSpec(const std::string& spec, const std::string& text) {
  double v = 0;
  if (spec == "zeros") return {'c', 0.0};
  if (callArgument(spec, "constant", v)) return {'c', v};
  if (callArgument(spec, "normal", v) && v >= 0) return {'n', v};
  MNEMO_FAIL("--feed " << text << ": expected zeros, constant(v) or normal(std) with std >= 0");
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
                       const std::string& firstFedBy)
    : rng_(seed ^ 0x5eedfeed5eedfeedULL) {
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
    if (it == feeds.end())
      MNEMO_FAIL("model '" << model.name << "' declares input '" << name << "' but nothing feeds it: " << firstFedBy
                           << " feeds only the first input '" << model.input << "'; give --feed " << name
                           << "=SPEC (zeros, constant(v) or normal(std))");
    const Node* node = model.graph->find(name);
    if (!node || node->type().dtype != DType::F32)
      MNEMO_FAIL("--feed " << name << ": input '" << name << "' is not an f32 tensor");
    auto [kind, value] = parseSpec(it->second, name + "=" + it->second);
    Feed f{name, kind, value, std::vector<float>(static_cast<size_t>(node->type().numel()), static_cast<float>(value))};
    feeds_.push_back(std::move(f));
  }
}

void InputFeeds::feed(Session& s) {
  for (Feed& f : feeds_) {
    if (f.kind == 'n')
      for (float& v : f.buffer) v = static_cast<float>(f.value * rng_.normal());
    s.setF32(f.input, f.buffer);
  }
}

}  // namespace mnemo
