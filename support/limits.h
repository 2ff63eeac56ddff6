// Limits on what mnemo accepts from files and flags: the one place that says how big, how deep
// and how long an input may be. Every check here throws a one-line mnemo::Error that names the
// input (`what`) and the limit it broke, so a hostile or mistaken input fails fast instead of
// overflowing, recursing off the stack, looping or allocating without bound.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <vector>

namespace mnemo {

namespace limits {
/// Largest tensor rank.
constexpr int kMaxRank = 8;
/// Largest single dimension (2^31 - 1: every extent fits an int).
constexpr int64_t kMaxDimension = 2147483647;
/// Largest element count of one tensor (2^36: 256 GiB of f32, more than any machine here).
constexpr int64_t kMaxElements = int64_t{1} << 36;
/// Deepest nesting of expressions, parentheses and fused regions a parser accepts (and so the
/// deepest recursion of anything that walks what it built).
constexpr int kMaxNestingDepth = 256;
/// Longest sequence (time steps T) a model is unrolled for: tasks at dt 10–20 ms have trials of
/// thousands of steps. Unrolling and compiling are linear in T in operations (docs/PERFORMANCE.md,
/// "Long sequences"); T = 5000 takes several seconds to compile and 10000 about twice that.
constexpr int64_t kMaxSequenceLength = 10000;
/// Most training steps in one run, and largest step a checkpoint may record: a resumed run
/// replays that many batches to continue the data stream (about 30 µs each for the notebook's
/// task, so the worst replay takes about half a minute).
constexpr int64_t kMaxTrainingSteps = 1000000;
/// Most draws a rejection-sampling loop makes before it gives up on a timing spec.
constexpr int kMaxRejectionDraws = 100000;
/// Longest trial, in time steps, a task may generate.
constexpr int64_t kMaxTrialSteps = 1000000;
/// Most CPU threads a compiled graph runs on: OpenMP cannot start tens of thousands of threads
/// (it crashes inside the first parallel loop), and no machine here has more than 1024 cores.
constexpr int64_t kMaxThreads = 1024;
/// Largest text file read whole (a model, an IR file, a sweep file): IR text of the longest
/// unrolled graph is tens of megabytes; a device such as /dev/zero never ends and was read until
/// memory ran out.
constexpr int64_t kMaxTextFileBytes = int64_t{256} << 20;
}  // namespace limits

/// a * b, or false when the product overflows int64 (a, b >= 0).
bool multiplyChecked(int64_t a, int64_t b, int64_t& product);

/// Why \p dims break the rank/dimension/element limits ("" when they are fine). Parsers attach
/// their own location to the text.
std::string dimsProblem(const std::vector<int64_t>& dims);
/// Throws "<what>: <problem>" when dimsProblem(dims) is not empty.
void checkDims(const std::vector<int64_t>& dims, const std::string& what);

/// Bytes mnemo may plan for one compiled graph: the --max-memory override if one was set,
/// otherwise the memory the machine has available now (MemAvailable).
size_t memoryLimitBytes();
/// Overrides memoryLimitBytes() (0 restores the default).
void setMemoryLimitBytes(size_t bytes);
/// Parses a byte count such as "512M", "8G", "1.5G" or "1000000" (K/M/G/T are powers of 1024).
size_t parseByteSize(const std::string& text, const std::string& flag);
/// Throws when \p bytes exceed memoryLimitBytes(), naming \p what and both sizes.
void checkMemoryBudget(size_t bytes, const std::string& what);
/// "1.50 GiB"-style text for a byte count.
std::string formatBytes(double bytes);

/// Throws "<what> is N, the limit is M" unless 1 <= value <= limit.
void checkCount(int64_t value, int64_t limit, const std::string& what);

}  // namespace mnemo
