// The training loop behind `mnemo train`: compile the model, initialise (or restore) its
// parameters, stream batches, take Adam steps, report the notebook's running loss and accuracy,
// and keep a run directory with checkpoints, per-step metrics and a plot.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "training/group_accuracy.h"
#include "training/run_config.h"

namespace mnemo {

struct Checkpoint;
struct Model;
class Session;
class DataParallel;

struct TrainOptions {
  RunConfig run;                 ///< model, task, sizes, lr, seed, steps
  bool fuse = true;              ///< optimizing pipeline (false: one kernel per op)
  bool microKernels = true;      ///< small matmuls on mnemo's micro-kernel (false: oneDNN only)
  int threads = 1;
  std::string outDir;            ///< run directory; empty = write nothing
  bool overwrite = false;        ///< replace a run outDir already holds (otherwise refused; --overwrite)
  std::string existingRunAdvice; ///< how to proceed when outDir holds a run (empty: mnemo train's flags)
  std::string initCheckpoint;    ///< start from this checkpoint (params, Adam state, step)
  std::string dataFile;          ///< batches from this .npz instead of the task
  int64_t printEvery = 100;      ///< a "Step N, Loss L, Acc A" line every N steps
  int64_t checkpointEvery = 500; ///< and a checkpoint every N steps (and at the end)
  bool progress = false;         ///< a live progress line on stderr
  std::ostream* out = nullptr;   ///< where the report goes (null: nowhere)
  Checkpoint* finalState = nullptr;  ///< if set, receives the params and optimizer state at the end
  DataParallel* parallel = nullptr;  ///< this rank's part of data-parallel training (data_parallel.h)
  bool prefetch = true;  ///< make the task's next batch on a second thread when a core is free (batch_prefetch.h)
};

struct TrainResult {
  int64_t firstStep = 1, lastStep = 0;  ///< Adam step numbers taken in this run
  std::vector<double> loss, accuracy;  ///< per step (accuracy NaN where a batch has no label > 0)
  double runningLoss = 0, runningAccuracy = 0;  ///< means over the last 100 steps
  double seconds = 0;                  ///< wall time of the loop, data generation included
  double compileMilliseconds = 0;
  size_t kernelsPerStep = 0;
  std::vector<float> finalParams;      ///< every parameter after the last step, concatenated
  /// For a task made of several (a schedule such as yang19): accuracy per task over the training
  /// batches of the last kPerTaskSteps steps; empty otherwise.
  std::vector<GroupScore> perTask;
  static constexpr int64_t kPerTaskSteps = 100;
};

/// Runs the training loop. Bad input (model, checkpoint, data file, flags) is reported as a
/// mnemo::Error before anything is written; a NaN or infinite loss (or parameter or Adam moment)
/// stops the run with an error naming the step, leaving the last good checkpoint in place.
TrainResult train(const TrainOptions& options);

/// The params, optimizer state and step of \p session (compiled from \p model) as a checkpoint of
/// the run \p run.
Checkpoint captureCheckpoint(const Session& session, const Model& model, const RunConfig& run);

/// The notebook's metric: the fraction of positions with label > 0 where the argmax of the
/// logits [T*B, classes] equals the label (first maximum on ties); NaN if no label is > 0.
double decisionAccuracy(const float* logits, const int64_t* labels, size_t positions, size_t classes);

}  // namespace mnemo
