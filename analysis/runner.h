// Single-trial execution for `mnemo analyze`: a trained model run one trial at a time, at
// batch 1 and the trial's own length, from the model's initial state — the notebook's analysis
// loop.
//
// Static graphs have fixed shapes, so a model is compiled per shape signature (batch, seqLen).
// CompileCache keeps one inference session (fwd stage only, %hs returned) per signature and
// compiles on first use (every state returned, %hs and %hs.<name>), loading the checkpoint's parameters into the new session and reporting
// each compile; DelayComparison-v0 has five trial lengths, so 100 trials compile five graphs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "training/input_feeds.h"
#include "tasks/rng.h"
#include "tasks/task.h"

namespace mnemo {

/// The shape a model is compiled for.
struct ShapeKey {
  int64_t batch = 1, seqLen = 1;
  bool operator<(const ShapeKey& o) const { return std::make_pair(batch, seqLen) < std::make_pair(o.batch, o.seqLen); }
};

/// Reports one compile: the shape and how long it took.
using CompileReport = std::function<void(const ShapeKey& key, double milliseconds)>;

/// Checks that \p ckpt holds every parameter of its model (parsed with the checkpoint's size
/// overrides) with the shape the model declares; otherwise the one-line mnemo::Error of
/// storedValues (checkpoint.h) naming the parameter and both shapes. \p path names the checkpoint.
void checkCheckpointShapes(const Checkpoint& ckpt, const std::string& path);

/// Inference sessions of one trained model, one per shape signature, compiled on first use.
class CompileCache {
 public:
  /// \p ckpt gives the model source, its size and constant overrides, its input feeds and the
  /// parameters; \p path names it in errors. \p report (optional) is called after every compile.
  /// \p state is the state to analyse (empty: the first declared). Checks the parameters and the
  /// state name first, so a mismatch is reported before anything runs.
  /// \p noise: draw the model's randn/rand noise (seeded by the run's seed, fresh for every
  /// trial), or build the model without it (ModelOptions::noise).
  CompileCache(Checkpoint ckpt, std::string path, CompileReport report = {}, bool fuse = true,
               const std::string& state = "", bool noise = true);

  /// The session for \p key, compiled (and its parameters loaded) if this is the first request.
  CompiledModel& get(const ShapeKey& key);
  /// The feeds of the model's further inputs (input_feeds.h) for the session of \p key.
  InputFeeds& feeds(const ShapeKey& key);

  /// The state analysed (the \p state asked for, or the model's first) and every state.
  const std::string& state() const { return state_; }
  const std::vector<std::string>& states() const { return states_; }

  /// Compiles done so far (one per distinct signature requested).
  size_t compiles() const { return compiles_; }
  /// Total compile time so far.
  double compileMilliseconds() const { return compileMs_; }
  /// The signatures compiled, in key order.
  std::vector<ShapeKey> keys() const;
  const Checkpoint& checkpoint() const { return ckpt_; }
  /// Seeds the random draws of \p s for the next trial: [run seed, trial number] (no-op when
  /// the model draws none or noise is off).
  void seedNextTrial(Session& s);

 private:
  Checkpoint ckpt_;
  std::string path_;
  CompileReport report_;
  bool fuse_;
  bool noise_;
  int64_t trialsSeeded_ = 0;
  std::map<ShapeKey, std::unique_ptr<CompiledModel>> models_;
  std::map<ShapeKey, std::unique_ptr<InputFeeds>> feeds_;
  std::string state_;
  std::vector<std::string> states_;
  size_t compiles_ = 0;
  double compileMs_ = 0;
};

/// One trial and what the network did on it.
struct TrialRecord {
  Trial trial;
  std::vector<float> hidden;  ///< [length, H]: the analysed state after each step (h_1..h_length)
  std::map<std::string, std::vector<float>> states;  ///< every state the same way, by name
  std::vector<float> logits;  ///< [length, O]
  int decisionStep = -1;      ///< the last step with label > 0 (the last step if none)
  int64_t choice = 0;         ///< argmax of the logits at decisionStep (first maximum on ties)
  bool correct = false;       ///< choice == ground truth
  /// For continuous targets (no choice): the sum of (output − target)² over the trial's steps and
  /// values, and over the steps of its last period only; the counts of terms in each.
  double squaredError = 0, lastPeriodSquaredError = 0;
  int64_t errorTerms = 0, lastPeriodErrorTerms = 0;
};

/// The trials of one analysis, with the model's sizes.
struct AnalysisRun {
  std::string taskName;
  uint64_t seed = 0;
  int64_t inputSize = 0, hiddenSize = 0, outputSize = 0;
  std::string state;                         ///< the state analysed (its values are `hidden`)
  std::map<std::string, int64_t> stateSizes;  ///< every state's values per step
  std::vector<TrialRecord> trials;
  std::vector<std::string> paramNames;   ///< the task's per-trial parameter names
  std::vector<std::string> periodNames;  ///< the task's period names, in order
  double dt = 0;
  /// The model's target is continuous (f32 values per step): trials have targets and errors,
  /// not choices (their choice is -1, never correct).
  bool continuous = false;

  /// Time points over all trials (the rows of the concatenated activity).
  int64_t totalSteps() const;
  /// The activity of every trial stacked in trial order: [totalSteps, H], row-major.
  std::vector<float> concatenatedHidden() const;
  /// State \p name of every trial the same way: [totalSteps, stateSizes[name]].
  std::vector<float> concatenatedState(const std::string& name) const;
  /// The first row of each trial in the concatenated arrays.
  std::vector<int64_t> trialStarts() const;
  /// The notebook's metric over all trials: argmax of logits = label, over steps with label > 0
  /// (NaN for continuous targets).
  double decisionAccuracy() const;
  /// For continuous targets: the mean squared error of the outputs over every step of every trial,
  /// or over the steps of each trial's last period (\p lastPeriod); NaN for class labels.
  double meanSquaredError(bool lastPeriod = false) const;
};

/// Runs \p trial through \p cache at batch 1 and the trial's length (fwd stage only) and fills
/// a record: the states, logits, choice and correctness (or, for a model with a continuous
/// target, the trial's targets fed to it and the output's squared errors).
TrialRecord runTrial(CompileCache& cache, Trial trial);

/// Draws \p count trials of \p task from Rng(\p seed) and runs each one. Checks that the task's
/// observation and action sizes match the model's input and output sizes.
AnalysisRun runTrials(CompileCache& cache, const Task& task, int count, uint64_t seed, RngKind rng = RngKind::Mnemo);

/// The task a checkpoint was trained on, configured as training configured it (the notebook's
/// timing for DelayComparison-v0); timing warnings are dropped.
std::unique_ptr<Task> analysisTask(const RunConfig& config);

}  // namespace mnemo
