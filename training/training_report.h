// What a training run leaves behind and shows while it runs: the run directory (checkpoint.npz,
// config.json, metrics.csv, training.svg) and a live progress line on a terminal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "training/checkpoint.h"
#include "training/run_lock.h"

namespace mnemo {

/// The mean of the last \p window values of \p values, skipping NaNs (NaN if none).
double trailingMean(const std::vector<double>& values, size_t window);

/// What a new run may do with a directory that already holds a run's files (checkpoint.npz,
/// config.json, metrics.csv, training.svg): nothing is replaced without being asked.
struct ExistingRun {
  std::string resumedFrom;  ///< the checkpoint this run continues: its own directory is written on
  bool overwrite = false;   ///< replace any run there (mnemo train --overwrite)
  /// How to proceed, the end of the refusal (empty: mnemo train's flags, --init, --out, --overwrite).
  std::string advice;
};

/// Refuses, with a one-line mnemo::Error saying what \p dir holds and how to proceed, to start a
/// run in a directory that holds another run, unless \p existing allows it. An empty \p dir (a
/// run that writes nothing) and a missing or empty one pass.
void checkExistingRun(const std::string& dir, const ExistingRun& existing);

class RunDirectory {
 public:
  /// \p dir empty: a run that writes nothing. Refuses a directory holding another run unless
  /// \p existing allows it (checked once the directory is locked).
  explicit RunDirectory(std::string dir, const ExistingRun& existing = {});
  /// A resumed run: keeps the rows of an existing metrics.csv up to \p step (the checkpoint's),
  /// so the file and the plot cover the whole training, not only the resumed part. \returns
  /// how many rows were kept.
  size_t continueFrom(int64_t step);
  void recordStep(int64_t step, double loss, double accuracy, double runningLoss, double runningAccuracy);
  /// Writes checkpoint.npz (atomically), config.json and the metrics so far.
  void saveCheckpoint(const Checkpoint& ckpt);
  /// Writes the final metrics and the loss/accuracy plot.
  void finish();
  int64_t lastCheckpointStep() const { return lastCheckpoint_; }
  std::string checkpointPath() const { return dir_ + "/checkpoint.npz"; }
  /// "DIR/{checkpoint.npz, config.json, metrics.csv, training.svg}".
  std::string describe() const;

 private:
  void writeMetrics() const;
  std::string dir_;
  std::unique_ptr<RunDirectoryLock> lock_;  // one writer per directory (run_lock.h)
  std::vector<int64_t> steps_;
  std::vector<double> loss_, accuracy_, runningLoss_, runningAccuracy_;
  int64_t lastCheckpoint_ = 0;
};

/// A one-line progress display on stderr, redrawn in place, only when stderr is a terminal.
class ProgressLine {
 public:
  ProgressLine(bool wanted, int64_t total);
  void update(int64_t done, double loss, double accuracy);
  /// Erases the line (before other output).
  void clear();

 private:
  bool active_;
  int64_t total_;
  double startSeconds_;
  double lastDraw_ = -1;
  bool drawn_ = false;
};

}  // namespace mnemo
