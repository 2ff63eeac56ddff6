// Where training batches come from: the task's streaming Dataset (the default), or a .npz file
// of pre-made batches (inputs [N,T,B,I] float32, labels [N,T,B] integer) served in a cycle.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/dsl/model.h"
#include "training/run_config.h"

namespace mnemo {

class Task;

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  /// Writes the next batch: \p inputs [T,B,I] and \p labels [T,B], time-major.
  virtual void next(float* inputs, int64_t* labels) = 0;
  /// One line saying what the batches are.
  virtual std::string describe() const = 0;
};

/// The run's task, configured as training configures it (the notebook's timing for
/// DelayComparison-v0); \p quiet drops its configuration warnings (taskBatches shows them).
std::shared_ptr<const Task> runTask(const RunConfig& run, bool quiet = false);

/// Binds the model's sizes I and O to the task's observation and action sizes: for each of the
/// two that the model declares (\p declared: the run's model, as parseRunModel gives it) and the
/// run does not set, records the task's value in \p run.sizes (when it differs from the declared
/// one), so config.json reproduces it.
void bindTaskSizes(RunConfig& run, const Model& declared, const Task& task);

/// Checks a compiled model's first input width and output (logits) width against \p task; a
/// mismatch is one line naming the size, both values and why the model has its value.
void checkTaskSizes(const RunConfig& run, const Model& model, const Task& task);

/// The run's task through its Dataset, seeded with \p run.seed; \p inputs is the model's input
/// width, checked against the task's observation size.
std::unique_ptr<BatchSource> taskBatches(const RunConfig& run, int64_t inputs);
/// Batches from \p path, checked against the model's [T,B,I] and, if \p classes > 0, every label
/// against the model's classes [0, classes).
std::unique_ptr<BatchSource> fileBatches(const std::string& path, int64_t seqLen, int64_t batch, int64_t inputs,
                                         int64_t classes = 0);

}  // namespace mnemo
