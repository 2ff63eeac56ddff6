// The streaming supervised Dataset, a port of neurogym's Dataset with a seed.
//
// batchSize independent trial streams (column i draws from Rng(seed + i, kind)) fill a time-major
// cache of cacheLen steps: each column is filled from position 0 with back-to-back trials, the
// last one cut off at cacheLen and its remainder discarded. Each call serves the next seqLen
// steps, so consecutive calls within a fill are contiguous in time (a trial straddling a window
// boundary continues in the next call). When start + seqLen >= cacheLen (note >=) the cache is
// refilled first and serving restarts at 0; so with the defaults (B = 16, T = 100,
// cacheLen = 2100) 20 windows are served per fill, the 21st call refills, and the last window
// [2000, 2100) is generated but never served. The first fill happens in the constructor.
//
// The cache length is neurogym's (defaultCacheLen) with numpy's generator. With mnemo's, whose
// batches need not match neurogym's, it is raised to at least 6 windows as long as the cache then
// holds at most 3e5 values, about 1.2 MB (mnemoCacheLen): neurogym's rule gives wide tasks (33
// channels and more at B = 16, T = 100) a cache of only two windows, so every call refilled it
// and half of every fill was thrown away. (Longer caches cost more than they save: at 33
// channels a batch took 40 us with 600 steps, 54 us with 1100 and 69 us with 2100, the fill
// no longer staying in the core's cache.)
//
// A fill zeroes the cache's inputs once and builds each trial's rows straight into it
// (Trial::rowTarget); only a trial cut at the cache end is built in its own buffer and its first
// rows copied.
//
// Batches: inputs float32 [seqLen, batchSize, obsSize], labels int64 [seqLen, batchSize]
// (neurogym's dtypes), copied into caller-owned buffers; a task with continuous targets
// (Task::targetSize() = k > 0) also fills targets float32 [seqLen, batchSize, k].
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "tasks/rng.h"
#include "tasks/task.h"

namespace mnemo {

/// Dataset shape and seed.
struct DatasetConfig {
  int batchSize = 16;
  int seqLen = 100;
  int cacheLen = 0;   ///< 0 = the generator's rule (Dataset::defaultCacheLen / mnemoCacheLen)
  uint64_t seed = 0;  ///< column i uses Rng(seed + i, rngKind)
  bool keepTrialInfo = true;  ///< keep per-trial metadata for lastBatchTrials()
  RngKind rngKind = RngKind::Mnemo;  ///< Numpy: column i is neurogym's env.seed(seed + i)
  /// Called for each column's generator after seeding, before the first fill: sets the state a
  /// stateful task starts from (e.g. the yang19 schedule positions neurogym's Dataset leaves
  /// behind before seeding, setScheduleState in tasks/schedule.h). Unset: every column starts fresh.
  std::function<void(int column, Rng& rng)> prepareColumn = nullptr;
};

/// One time-major batch.
struct Batch {
  int seqLen = 0, batchSize = 0, obsSize = 0, targetSize = 0;
  std::vector<float> inputs;    ///< [seqLen, batchSize, obsSize]
  std::vector<int64_t> labels;  ///< [seqLen, batchSize]
  std::vector<float> targets;   ///< [seqLen, batchSize, targetSize], continuous targets only
  float input(int t, int b, int c) const {
    return inputs[(static_cast<size_t>(t) * batchSize + b) * obsSize + c];
  }
  int64_t label(int t, int b) const { return labels[static_cast<size_t>(t) * batchSize + b]; }
};

/// A trial that overlaps the last served window.
struct ServedTrial {
  int column = 0;      ///< batch column
  int offset = 0;      ///< window step where the trial starts (< 0: it began in an earlier call)
  int cacheStart = 0;  ///< cache position where the trial starts
  int served = 0;      ///< how many of its steps lie in this window
  TrialInfo info;      ///< the whole trial's metadata (its length may run past the cache end)
};

/// Streams batches of trials of one task; see the file comment for the exact algorithm.
class Dataset {
 public:
  /// Builds the streams and performs the first fill. Throws mnemo::Error for a non-positive
  /// batch size or sequence length, or a cache shorter than one window.
  Dataset(std::shared_ptr<const Task> task, const DatasetConfig& config = {});

  /// neurogym's cache length: c = 1e5 / (obsSize + targetElements) / batchSize;
  /// int((1 + c // seqLen) * seqLen) — 2100 for obsSize 2, B = 16, T = 100. targetElements is 1
  /// for class labels, k for a continuous target of k values.
  static int defaultCacheLen(int obsSize, int batchSize, int seqLen, int targetElements = 1);
  /// The cache length with mnemo's generator: max(defaultCacheLen, min(6 seqLen, the same rule
  /// with a budget of 3e5 values instead of 1e5)), so at least 5 of every 6 generated windows
  /// are served whenever that fits in 3e5 values.
  static int mnemoCacheLen(int obsSize, int batchSize, int seqLen, int targetElements = 1);

  /// Serves the next window into `inputs` (seqLen*batchSize*obsSize floats) and `labels`
  /// (seqLen*batchSize values), and for a task with continuous targets into `targets`
  /// (seqLen*batchSize*targetSize floats; may be null to skip them), refilling first if the
  /// window would reach the cache end.
  void next(float* inputs, int64_t* labels, float* targets = nullptr);
  /// Serves the next window into `batch`, sizing it on first use (no allocation afterwards).
  void next(Batch& batch);
  /// Serves the next window as a new Batch.
  Batch next();

  const Task& task() const { return *task_; }
  int batchSize() const { return batchSize_; }
  int seqLen() const { return seqLen_; }
  int cacheLen() const { return cacheLen_; }
  int obsSize() const { return obsSize_; }
  int targetSize() const { return targetSize_; }
  uint64_t seed() const { return seed_; }
  /// Windows served so far.
  int64_t calls() const { return calls_; }
  /// Cache fills so far (1 after construction).
  int64_t fills() const { return fills_; }
  /// Cache position where the last served window starts (-1 before the first call).
  int lastWindowStart() const { return lastStart_; }

  /// For a task made of several (Task::groupNames() not empty): the group (task position) of
  /// every step of the last served window, [seqLen, batchSize] time-major like the labels;
  /// nullptr otherwise or before the first call. Valid until the next call.
  const int* lastGroups() const;

  /// The trials (whole or part) in the last served window, column by column in time order.
  /// Empty if keepTrialInfo is off or nothing has been served yet.
  std::vector<ServedTrial> lastBatchTrials() const;

 private:
  struct Record {
    int cacheStart = 0;
    TrialInfo info;
  };
  void refill();

  std::shared_ptr<const Task> task_;
  int batchSize_, seqLen_, cacheLen_, obsSize_, targetSize_ = 0;
  uint64_t seed_;
  bool keepInfo_;
  std::vector<Rng> rngs_;
  std::vector<float> cacheInputs_;    // [cacheLen, batchSize, obsSize]
  std::vector<int64_t> cacheLabels_;  // [cacheLen, batchSize]
  std::vector<float> cacheTargets_;   // [cacheLen, batchSize, targetSize], continuous targets only
  std::vector<int> cacheGroups_;      // [cacheLen, batchSize] TrialInfo::group, if the task has groups
  Trial scratch_;
  std::vector<std::vector<Record>> records_;  // per column, this fill's trials
  std::vector<size_t> recordCount_;
  int start_ = 0;
  int lastStart_ = -1;
  int64_t calls_ = 0, fills_ = 0;
};

}  // namespace mnemo
