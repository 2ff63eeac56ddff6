// Training: train() runs the loop of `mnemo train` (same batches, same printout, same speed) and
// returns the history and the trained model; TrainingSession takes one step at a time on the
// caller's own batches; TrainedModel is a checkpoint in memory.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mnemo/array.h"
#include "mnemo/model.h"

namespace mnemo {
struct Checkpoint;  // mnemo's checkpoint (training/checkpoint.h); opaque here
}

namespace mnemo::api {

/// A run's settings; the defaults are the notebook's (`mnemo train` with no flags).
struct TrainSettings {
  std::string task = "DelayComparison-v0";
  int64_t steps = 2000;   ///< optimizer steps
  int64_t batch = 16;     ///< B
  int64_t seqLen = 100;   ///< T
  std::map<std::string, int64_t> sizes;  ///< size overrides, e.g. {"H", 128} (the task binds I and O)
  double lr = 1e-3;
  std::string optimizer = "adam";  ///< adam, or sgd (with momentum)
  double momentum = 0.9;           ///< sgd's momentum
  uint64_t seed = 0;               ///< initialisation and data
  bool fuse = true;                ///< optimizing passes (false: one kernel per op)
  int threads = 1;
  int64_t printEvery = 100;        ///< a "Step N, Loss L, Acc A" line every N steps (to train()'s log)
  std::string outDir;              ///< a run directory as `mnemo train --out` writes it; empty: none
};

/// Per-step record of a run: step numbers, loss, and decision accuracy (NaN where a batch has no
/// decision label).
struct History {
  std::vector<int64_t> steps;
  std::vector<double> loss, accuracy;
  double seconds = 0;               ///< the training loop's wall time, data included
  double compileMilliseconds = 0;
  int64_t kernelsPerStep = 0;
};

/// A trained model: its source, run settings, parameters, optimizer state and step.
class TrainedModel {
 public:
  /// Reads a checkpoint.npz written by `mnemo train` or save().
  static TrainedModel load(const std::string& path);
  /// Writes it as a checkpoint.npz (atomically; NumPy reads it).
  void save(const std::string& path) const;

  int64_t step() const;
  Model model() const;
  const std::string& task() const;
  /// The trained parameters by name (float32, the shapes the model declares).
  std::map<std::string, Array> params() const;
  /// The optimizer's state by name (e.g. w_ir.m, w_ir.v for Adam).
  std::map<std::string, Array> optimizerState() const;

  /// mnemo's checkpoint (for code inside mnemo).
  const Checkpoint& checkpoint() const { return *ckpt_; }
  explicit TrainedModel(std::shared_ptr<const Checkpoint> ckpt) : ckpt_(std::move(ckpt)) {}

 private:
  std::shared_ptr<const Checkpoint> ckpt_;
};

struct TrainOutcome {
  History history;
  TrainedModel model;
};

/// Trains \p model on settings.task as `mnemo train` does, writing its report lines to \p log
/// (none if null). Throws (std::runtime_error, one line) for bad settings, a model that does not
/// fit the task, or a NaN loss.
TrainOutcome train(const Model& model, const TrainSettings& settings, std::ostream* log = nullptr);

/// One optimizer step at a time on the caller's batches (sizes from settings: batch, seqLen,
/// sizes; the task only binds I and O). Parameters start from settings.seed's initialisation.
class TrainingSession {
 public:
  TrainingSession(const Model& model, const TrainSettings& settings);
  ~TrainingSession();
  TrainingSession(TrainingSession&&) noexcept;
  TrainingSession& operator=(TrainingSession&&) noexcept;

  /// One step on \p inputs (a view: Array::ref() or NumPy's buffer) float32 [seqLen, batch, I] and \p labels int64 [seqLen, batch] with
  /// values in [0, O); returns the loss. A wrong dtype, shape or label, or an input that is not a
  /// finite number, throws before anything runs.
  double step(const ArrayRef& inputs, const ArrayRef& labels);
  /// The same on raw buffers of exactly seqLen*batch*I floats and seqLen*batch labels.
  double step(const float* inputs, const int64_t* labels);
  /// Decision accuracy of the last step (NaN if its batch had no decision label).
  double lastAccuracy() const;
  int64_t stepsTaken() const;
  /// The expected input shape [seqLen, batch, I] and the number of classes O.
  std::vector<int64_t> inputShape() const;
  int64_t classes() const;
  /// The parameters and optimizer state now.
  TrainedModel snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mnemo::api
