// Dataset: batches of a task's trials, exactly as `mnemo train` draws them for the same task,
// sizes and seed (neurogym's streaming Dataset; the notebook's timing for DelayComparison-v0).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mnemo/array.h"

namespace mnemo::api {

/// Every task name Dataset and TrainSettings::task accept.
std::vector<std::string> taskNames();

struct Batch {
  Array inputs;  ///< float32 [seqLen, batch, observations], time-major
  Array labels;  ///< int64 [seqLen, batch]: 0 = fixate, the ground truth at the decision
};

class Dataset {
 public:
  /// Throws for an unknown task or a non-positive batch size or sequence length.
  Dataset(const std::string& task, int64_t batch = 16, int64_t seqLen = 100, uint64_t seed = 0);
  ~Dataset();
  Dataset(Dataset&&) noexcept;
  Dataset& operator=(Dataset&&) noexcept;

  /// The next window of seqLen steps.
  Batch next();

  const std::string& task() const;
  int64_t batch() const;
  int64_t seqLen() const;
  int64_t observations() const;  ///< input channels (the model's I)
  int64_t actions() const;       ///< label classes (the model's O)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mnemo::api
