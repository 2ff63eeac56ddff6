// The task interface. A task is its periods (named, in order, each with a TimingSpec), its
// observation channels and its ground truth: a subclass draws the trial's variables and then
// describes the trial through a TrialBuilder (lay out the periods; add/set observation values
// and Gaussian noise over periods; set the ground-truth label over a period). The base class
// handles timing overrides, flooring to dt, buffers and metadata.
//
// Conventions (neurogym's): inputs are float32 [T, obsSize] (step-major), labels int64 [T]
// with 0 = fixate, period boundaries are whole steps, a trial's length is int(total_ms / dt).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tasks/rng.h"
#include "tasks/timing.h"

namespace mnemo {

/// Receives one-line warnings (e.g. a timing entry that names no period of the task).
using WarningSink = std::function<void(const std::string&)>;

/// How a task is configured. Entries a task does not use are ignored.
struct TaskConfig {
  std::optional<double> dt;  ///< ms per step; unset = the task's default (neurogym's: 100 for most)
  /// Timing overrides merged over the task's defaults in order (a later entry wins). An entry
  /// naming no period of the task is an error, unless its period is listed in warnOnlyPeriods
  /// (then it has no effect and produces a warning) or skipUnknownPeriods is set.
  std::vector<std::pair<std::string, TimingSpec>> timing;
  /// Timing entries accepted with a warning although the task lacks their period: the notebook's
  /// DelayComparison-v0 configuration names a 'response' period the task does not have.
  std::vector<std::string> warnOnlyPeriods;
  /// Silently skip timing entries naming no period (a collection passes its timing to every
  /// sub-task and checks itself that each entry names a period of some sub-task).
  bool skipUnknownPeriods = false;
  double sigma = 1.0;  ///< input noise scale; the per-step standard deviation is sigma/sqrt(dt)
  /// Where warnings go; unset = one line on stderr prefixed "mnemo: warning: ".
  WarningSink warn;
};

/// One period of a trial, in steps [start, end) and in ms [startMs, endMs).
struct PeriodSpan {
  std::string name;
  int start = 0, end = 0;
  double startMs = 0, endMs = 0;
  int length() const { return end - start; }
};

/// A named value describing a trial (e.g. "v1", "coh"): a number, or for a categorical value
/// (neurogym's 'match' / 'non-match') its index in `value` and its name in `text`.
struct TrialParam {
  std::string name;
  double value = 0;
  std::string text;  ///< empty for a plain number
};

/// What a trial was: for analysis and export.
struct TrialInfo {
  int length = 0;            ///< steps
  int64_t groundTruth = 0;   ///< the label of the decision step(s)
  std::vector<PeriodSpan> periods;  ///< in the order the task added them (usually back to back)
  std::vector<TrialParam> params;   ///< task-specific values, in a fixed order per task
  /// Which task of a schedule made the trial (its position; see tasks/schedule.h), -1 for a
  /// single task: training and analysis report accuracy per group.
  int group = -1;

  /// The period called `name`; throws mnemo::Error if there is none.
  const PeriodSpan& period(const std::string& name) const;
  /// The period called `name`, or nullptr if this trial lacks it.
  const PeriodSpan* findPeriod(const std::string& name) const;
  /// The parameter called `name`; throws mnemo::Error if there is none.
  double param(const std::string& name) const;
};

/// One trial: inputs [length, obsSize] float32, labels [length] int64, and its metadata. A task
/// with continuous targets (Task::targetSize() > 0) also fills targets [length, targetSize]
/// float32; its labels stay 0.
struct Trial {
  int obsSize = 0;  ///< the row width of inputs: the task's channels, or padTo if that is wider
  /// Set by a caller that widens the rows afterwards (a schedule appends its rule inputs): the
  /// builder lays each row out this wide, the task's channels first and zeros after them, so the
  /// trial needs no second pass to widen it. 0: rows as wide as the task's channels.
  int padTo = 0;
  int targetSize = 0;
  /// The rows, [length, obsSize] float32, unless the trial was built in place (below).
  std::vector<float> inputs;
  /// Set by a caller that takes the rows straight into storage of its own (the Dataset's cache,
  /// saving a copy): when the trial has at most rowTargetRows steps and rows rowTargetWidth wide,
  /// the builder writes row t at rowTarget + t * rowTargetStride (zeroing it first unless
  /// rowTargetZeroed) and leaves `inputs` alone; otherwise it builds into `inputs` as usual.
  /// builtInPlace tells which; a copy of a trial built in place still reads the caller's rows.
  float* rowTarget = nullptr;
  size_t rowTargetStride = 0;
  int rowTargetRows = 0, rowTargetWidth = 0;
  bool rowTargetZeroed = false;  ///< the target rows hold zeros already: the builder skips zeroing
  bool builtInPlace = false;
  std::vector<int64_t> labels;
  std::vector<float> targets;
  TrialInfo info;
  std::vector<int> periodSlots;  ///< builder scratch: where each task period sits in info.periods
  std::vector<double> rowScratch;    ///< builder scratch: TrialBuilder::scratchRow
  std::vector<double> noiseScratch;  ///< builder scratch: the normals of one addNoise call
  int length() const { return info.length; }
  /// Row t of the inputs, wherever the trial was built.
  float* row(int t) {
    return builtInPlace ? rowTarget + static_cast<size_t>(t) * rowTargetStride : inputs.data() + static_cast<size_t>(t) * obsSize;
  }
  const float* row(int t) const { return const_cast<Trial*>(this)->row(t); }
  /// Input at step t, channel c.
  float input(int t, int c) const { return row(t)[c]; }
};

class Task;

/// A range of steps [begin, end) of the trial being built.
struct StepRange {
  int begin = 0, end = 0;
};

/// Fills one Trial for a Task subclass; see Task::build.
class TrialBuilder {
 public:
  TrialBuilder(const Task& task, Rng& rng, Trial& trial);

  /// Lays out the task's periods in order from t = 0, sampling each duration (floored to dt),
  /// then sizes the inputs (zeros) and labels (zeros). Call once, after drawing the trial
  /// variables and before any observation call. Shorthand for addPeriod(i, sampleDuration(i),
  /// end of period i-1) over every period, then finishLayout().
  void layoutPeriods();

  // Free layout, neurogym's add_period: periods may overlap, be left out, or take a duration the
  // task computes. Add periods, then call finishLayout() once before any observation call.

  /// neurogym's sample_time: period \p index's duration drawn from its timing and floored to dt
  /// (a truncExpObject timing draws from the period's companion stream).
  double sampleDuration(size_t index);
  /// Adds period \p index as [startMs, startMs + durationMs); its steps are int(start / dt) and
  /// int(end / dt). Each period at most once.
  void addPeriod(size_t index, double durationMs, double startMs);
  /// Where an added period ends, in ms.
  double endMs(size_t index) const;
  /// Ends the layout: the trial lasts int(latest end / dt) steps; inputs and labels become zeros.
  void finishLayout();

  /// The steps of the period called `name`.
  StepRange period(const std::string& name) const;
  /// The steps of period \p index (in the task's period order; see Task::periodIndex), without
  /// a lookup by name: build() runs once per trial, so a task may resolve names once instead.
  StepRange period(size_t index) const;
  /// Every step of the trial.
  StepRange all() const { return {0, trial_.info.length}; }

  /// Adds `value` to channel `channel` over `steps`.
  void addOb(StepRange steps, int channel, double value);
  /// Adds values[k] to channel firstChannel + k, k < count, on every step of `steps` (the same
  /// float arithmetic as addOb per channel, done row by row).
  void addObRow(StepRange steps, int firstChannel, const double* values, int count);
  /// Sets channel firstChannel + k to values[k], k < count, on every step of `steps` (setOb per
  /// channel, done row by row).
  void setObRow(StepRange steps, int firstChannel, const double* values, int count);
  /// A row of `count` doubles to compute addObRow's values in, valid until the next call; kept in
  /// the Trial so that building trials into the same Trial allocates nothing.
  double* scratchRow(int count);
  /// Adds a ring stimulus at angle `theta` over `steps`: channel firstChannel + k gets
  /// cos(prefs[k] − theta)·0.5 + 0.5, the tuning of a unit preferring prefs[k].
  void addRingStimulus(StepRange steps, int firstChannel, const std::vector<double>& prefs, double theta);
  /// Sets every channel of the task to `value` over `steps`.
  void setOb(StepRange steps, double value);
  /// Sets channel `channel` to `value` over `steps`.
  void setOb(StepRange steps, int channel, double value);
  /// Adds i.i.d. N(0, sigma²) noise to channels [firstChannel, firstChannel + count) over
  /// `steps`, drawn step-major, channel-minor.
  void addNoise(StepRange steps, double sigma, int firstChannel, int count);
  /// Adds noise to every channel of the task over `steps`.
  void addNoise(StepRange steps, double sigma);
  /// Sets the label over `steps` and records it as the trial's ground truth.
  void setGroundTruth(StepRange steps, int64_t label);
  /// Continuous targets: sets the target row (targetSize values, each rounded once to float32)
  /// on every step of `steps`.
  void setTarget(StepRange steps, const std::vector<double>& values);
  /// Records a named trial variable in the metadata.
  void setParam(const std::string& name, double value);
  /// Records the trial variable paramNames()[index] (no lookup by name).
  void setParam(size_t index, double value);
  /// Records a categorical trial variable: its index and its name.
  void setParam(size_t index, double value, const std::string& text);

  Rng& rng() { return *rng_; }
  /// Makes every later draw of this trial (layout, noise, rng()) come from `rng`: a task made of
  /// sub-tasks with generators of their own (Rng::stream) switches to the one it runs.
  void drawFrom(Rng& rng) { rng_ = &rng; }
  /// Whether the layout is finished.
  bool laidOut() const { return laidOut_; }
  /// The metadata of the trial being built (periods are valid after layoutPeriods()).
  const TrialInfo& info() const { return trial_.info; }

 private:
  float& at(int t, int c) { return rows_[static_cast<size_t>(t) * rowStride_ + static_cast<size_t>(c)]; }
  void requireLayout() const;

  const Task& task_;
  Rng* rng_;
  Trial& trial_;
  bool laidOut_ = false;
  double latestEndMs_ = 0;
  int periodCount_ = 0;  // periods added so far (entries of info.periods in use)
  float* rows_ = nullptr;  // where the rows are (finishLayout): the trial's inputs or its row target
  size_t rowStride_ = 0;
  std::vector<int>& slots_;  // per task period: its position in trial_.info.periods, or -1
};

/// A cognitive task: named periods with timings, observation channels, a label space and a
/// trial generator. Immutable after construction and safe to share between threads; all
/// randomness comes from the Rng passed in.
class Task {
 public:
  virtual ~Task() = default;

  /// The registry name, e.g. "DelayComparison-v0".
  const std::string& name() const { return name_; }
  double dt() const { return dt_; }
  /// Number of observation channels.
  int obsSize() const { return static_cast<int>(obsNames_.size()); }
  /// Number of labels (actions), including 0 = fixate.
  int actionSize() const { return static_cast<int>(actionNames_.size()); }
  /// Values per step of a continuous target (neurogym's Box action space), 0 for class labels.
  int targetSize() const { return targetSize_; }
  const std::vector<std::string>& obsNames() const { return obsNames_; }
  const std::vector<std::string>& actionNames() const { return actionNames_; }
  /// Period names in trial order.
  const std::vector<std::string>& periodNames() const { return periodNames_; }
  /// The position of period \p name in periodNames(); throws mnemo::Error if there is none.
  size_t periodIndex(const std::string& name) const;
  /// The timing in effect for each period (defaults merged with the config's overrides).
  const std::vector<TimingSpec>& periodTimings() const { return timings_; }
  /// Names of the per-trial parameters TrialInfo::params holds, in order.
  const std::vector<std::string>& paramNames() const { return paramNames_; }

  /// For a task made of several (a schedule): their names, indexed by TrialInfo::group; empty
  /// for a single task.
  virtual std::vector<std::string> groupNames() const { return {}; }

  /// Generates the next trial into `trial`, reusing its buffers (no allocation once they are
  /// large enough). Virtual so that a task made of whole sub-tasks (a schedule over tasks) can
  /// delegate the trial; an override must count it (rng.countTrial()).
  virtual void newTrial(Rng& rng, Trial& trial) const;
  /// Generates and returns a trial.
  Trial newTrial(Rng& rng) const;

 protected:
  /// What a subclass declares about itself.
  struct Spec {
    std::string name;
    std::vector<std::pair<std::string, TimingSpec>> periods;  ///< in order, with default timing
    std::vector<std::string> obsNames;
    std::vector<std::string> actionNames;
    std::vector<std::string> paramNames;
    double dt = 100;  ///< the default ms per step
    int targetSize = 0;  ///< values per step of a continuous target; 0 = class labels
  };
  /// Merges config.timing over the spec's default timings; an entry that names no period is an
  /// error (or a warning through config.warn, see TaskConfig). Throws mnemo::Error for a bad dt
  /// or sigma.
  Task(Spec spec, const TaskConfig& config);

  /// Draws one trial: sample the trial variables from `b.rng()`, call b.layoutPeriods(), then
  /// fill observations, noise and ground truth.
  virtual void build(TrialBuilder& b) const = 0;

  /// config.sigma / sqrt(dt): the per-step noise standard deviation.
  double noiseStd() const { return noiseStd_; }

 private:
  friend class TrialBuilder;
  std::string name_;
  double dt_;
  double noiseStd_;
  int targetSize_;
  std::vector<std::string> periodNames_;
  std::vector<TimingSpec> timings_;
  std::vector<double> constantMs_;  // per period: a constant timing floored to dt, or -1
  std::vector<std::string> obsNames_, actionNames_, paramNames_;
};

}  // namespace mnemo
