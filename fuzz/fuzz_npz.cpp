// libFuzzer harness: the .npy decoder on the raw bytes, and the .npz reader plus checkpoint loader
// on the same bytes as a file. Any input must load or throw mnemo::Error; allocation is bounded
// by the memory limit (set low here, as --max-memory would).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "training/checkpoint.h"
#include "support/error.h"
#include "support/limits.h"
#include "io/npz.h"

namespace {
std::string scratchPath;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  mnemo::setMemoryLimitBytes(size_t{256} << 20);
  scratchPath = "/tmp/mnemo_fuzz_npz_" + std::to_string(static_cast<long>(::getpid())) + ".npz";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    mnemo::NpyArray a = mnemo::decodeNpy(bytes, "fuzz.npy");
    (void)a.toDoubles();
  } catch (const mnemo::Error&) {
  }
  FILE* f = std::fopen(scratchPath.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  try {
    mnemo::Checkpoint ckpt = mnemo::loadCheckpoint(scratchPath);
    for (const auto& [name, t] : ckpt.params) mnemo::storedValues(ckpt.params, name, name, t.dims, scratchPath);
  } catch (const mnemo::Error&) {
  }
  std::remove(scratchPath.c_str());
  return 0;
}
