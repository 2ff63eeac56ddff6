// libFuzzer harness: the timing-spec parser (--timing NAME=SPEC). Any text must parse or throw
// mnemo::Error; a parsed spec prints and samples (boundedly) without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "support/error.h"
#include "tasks/timing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    mnemo::TimingSpec spec = mnemo::TimingSpec::parse(text);
    (void)spec.str();
    mnemo::Rng rng(size);
    for (int i = 0; i < 4; ++i) (void)mnemo::floorToDt(spec.sample(rng, 0.0), 100.0);
  } catch (const mnemo::Error&) {
  }
  return 0;
}
