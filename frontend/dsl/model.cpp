// Loading model files: read, parse (frontend/dsl/parser.h), unroll (frontend/dsl/unroller.h).
#include "frontend/dsl/model.h"

#include "frontend/dsl/parser.h"
#include "frontend/dsl/unroller.h"
#include "support/error.h"
#include "support/text.h"

namespace mnemo {

Model parseModel(const std::string& text, const std::string& file, const ModelOptions& opts) {
  return unrollDsl(parseDsl(text, file), opts);
}

std::string stateOutputName(const Model& model, const std::string& state) {
  return !model.states.empty() && model.states.front() == state ? "hs" : "hs." + state;
}

Model loadModelFile(const std::string& path, const ModelOptions& opts) {
  return parseModel(readFileText(path, path), path, opts);
}

}  // namespace mnemo
