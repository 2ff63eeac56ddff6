// The input limits (see limits.h).
#include "support/limits.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/error.h"
#include "graph/graph.h"

namespace mnemo {

namespace {
std::atomic<size_t> memoryOverride{0};

/// MemAvailable from /proc/meminfo in bytes, or 0 when it cannot be read.
size_t availableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}
}  // namespace

bool multiplyChecked(int64_t a, int64_t b, int64_t& product) {
  return !__builtin_mul_overflow(a, b, &product);
}

std::string dimsProblem(const Dims& dims) {
  if (dims.size() > static_cast<size_t>(limits::kMaxRank))
    return "rank " + std::to_string(dims.size()) + " exceeds the limit of " + std::to_string(limits::kMaxRank);
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return "dimension " + std::to_string(d) + " is negative";
    if (d > limits::kMaxDimension)
      return "dimension " + std::to_string(d) + " exceeds the limit of " + std::to_string(limits::kMaxDimension);
    if (!multiplyChecked(n, d, n) || n > limits::kMaxElements)
      return "shape " + dimsStr(dims) + " has more than " + std::to_string(limits::kMaxElements) +
             " elements (the limit)";
  }
  return "";
}

void checkDims(const Dims& dims, const std::string& what) {
  std::string problem = dimsProblem(dims);
  if (!problem.empty()) MNEMO_FAIL(what << ": " << problem);
}

size_t memoryLimitBytes() {
  size_t set = memoryOverride.load();
  if (set) return set;
  size_t avail = availableMemory();
  return avail ? avail : (size_t{1} << 34);  // 16 GiB when /proc/meminfo is missing
}

void setMemoryLimitBytes(size_t bytes) { memoryOverride.store(bytes); }

size_t parseByteSize(const std::string& text, const std::string& flag) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double v = std::strtod(begin, &end);
  double scale = 1;
  std::string suffix = end ? end : "";
  if (suffix == "K" || suffix == "k") scale = 1024.0;
  else if (suffix == "M" || suffix == "m") scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g") scale = 1024.0 * 1024 * 1024;
  else if (suffix == "T" || suffix == "t") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!suffix.empty()) end = const_cast<char*>(begin);
  double bytes = v * scale;
  if (end == begin || !std::isfinite(bytes) || bytes < 1 || bytes > 9.0e18)
    MNEMO_FAIL("bad " << flag << " '" << text << "': expected a byte count such as 512M, 8G or 1000000");
  return static_cast<size_t>(bytes);
}

std::string formatBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) bytes /= 1024, ++u;
  char buf[48];
  std::snprintf(buf, sizeof buf, u ? "%.2f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

void checkMemoryBudget(size_t bytes, const std::string& what) {
  size_t limit = memoryLimitBytes();
  if (bytes > limit)
    MNEMO_FAIL(what << " needs " << formatBytes(static_cast<double>(bytes)) << " of memory, more than the limit of "
                    << formatBytes(static_cast<double>(limit))
                    << (memoryOverride.load() ? " (--max-memory)" : " (memory available now; raise it with --max-memory)"));
}

void checkGraphMemory(const Graph& g, size_t bytesPerElement, const std::string& what) {
  size_t elements = 0;
  for (const Node* n : g.nodes()) elements += static_cast<size_t>(n->type().numel());
  checkMemoryBudget(elements * bytesPerElement, what);
}

void checkCount(int64_t value, int64_t limit, const std::string& what) {
  if (value < 1) MNEMO_FAIL(what << " must be at least 1, got " << value);
  if (value > limit) MNEMO_FAIL(what << " is " << value << ", more than the limit of " << limit);
}

}  // namespace mnemo
