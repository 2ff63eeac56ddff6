// Loading model files: read, parse (frontend/dsl/parser.h), unroll (frontend/dsl/unroller.h).
#include "frontend/dsl/model.h"

#include <fstream>
#include <sstream>

#include "frontend/dsl/parser.h"
#include "frontend/dsl/unroller.h"
#include "support/error.h"

namespace mnemo {

Model parseModel(const std::string& text, const std::string& file, const ModelOptions& opts) {
  return unrollDsl(parseDsl(text, file), opts);
}

std::string stateOutputName(const Model& model, const std::string& state) {
  return !model.states.empty() && model.states.front() == state ? "hs" : "hs." + state;
}

Model loadModelFile(const std::string& path, const ModelOptions& opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) MNEMO_FAIL("cannot open model file '" << path << "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) MNEMO_FAIL("cannot read model file '" << path << "'");
  return parseModel(text.str(), path, opts);
}

}  // namespace mnemo
