// libFuzzer harness: the .mnemo model parser and unroller (small T and B), then the verifier.
// Any input must either give a valid graph or throw mnemo::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/dsl/model.h"
#include "support/error.h"
#include "support/limits.h"
#include "graph/passes/verifier.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mnemo::setMemoryLimitBytes(size_t{256} << 20);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  mnemo::ModelOptions opts;
  opts.batch = 2;
  opts.seqLen = 3;
  try {
    mnemo::Model m = mnemo::parseModel(text, "fuzz.mnemo", opts);
    mnemo::verifyOrThrow(*m.graph, "fuzz.mnemo");
  } catch (const mnemo::Error&) {
  }
  return 0;
}
