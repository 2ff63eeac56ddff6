// libFuzzer harness: the .gir text parser and the verifier. Any input must either parse or throw
// mnemo::Error; a parsed graph is verified, and if valid it must survive printing and re-parsing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "support/error.h"
#include "support/limits.h"
#include "frontend/ir/parser.h"
#include "graph/printer.h"
#include "graph/passes/verifier.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mnemo::setMemoryLimitBytes(size_t{256} << 20);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto g = mnemo::parseGraph(text, "fuzz.gir");
    if (!mnemo::verify(*g).empty()) return 0;
    // A valid graph prints to text that parses back.
    mnemo::parseGraph(mnemo::printGraph(*g), "printed.gir");
  } catch (const mnemo::Error&) {
  }
  return 0;
}
