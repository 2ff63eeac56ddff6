// What a training run was: the model (its source text, so a checkpoint can rebuild it), the
// task, the sizes, the optimizer settings and the seed. Stored as JSON inside every checkpoint
// and beside it as config.json.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace mnemo {

struct RunConfig {
  std::string modelFile;    ///< where the model came from (diagnostics only)
  std::string modelSource;  ///< the model's DSL text
  std::string task = "DelayComparison-v0";
  int64_t batch = 16;
  int64_t seqLen = 100;
  std::map<std::string, int64_t> sizes;  ///< size overrides (e.g. H for --hidden, I bound by the task)
  std::map<std::string, double> consts;  ///< constant overrides (--set NAME=VALUE)
  /// What feeds each input after the first (--feed NAME=SPEC; see training/input_feeds.h).
  std::map<std::string, std::string> feeds;
  double lr = 1e-3;
  std::string optimizer = "adam";  ///< adam, or sgd (with momentum)
  double momentum = 0.9;           ///< sgd's momentum
  uint64_t seed = 0;
  int64_t steps = 2000;
  std::string rng = "mnemo";  ///< the task's generator: mnemo, or numpy (neurogym's trials)

  /// > 0: gradients clipped to this global L2 norm (--clip-grad-norm; the clip-grad-norm pass).
  double clipGradNorm = 0;
  /// The learning rate over the steps (--lr-schedule; training/lr_schedule.h): constant, step
  /// (times lrGamma every lrStepEvery steps) or cosine (from lr down to lrMin over lrPeriod
  /// steps, 0 meaning `steps`).
  std::string lrSchedule = "constant";
  int64_t lrStepEvery = 500;
  double lrGamma = 0.5;
  double lrMin = 0;
  int64_t lrPeriod = 0;

  /// A flat JSON object; size overrides are keys "size.<name>", constant overrides
  /// "const.<name>", input feeds "feed.<name>"; "optimizer" and "momentum" only for sgd (a
  /// config without them trains with Adam); "rng" only for the numpy generator; "clip_grad_norm" and the "lr_schedule" keys only
  /// when set.
  std::string toJson() const;
  /// Reads what toJson wrote; \p what names the source in errors.
  static RunConfig fromJson(const std::string& text, const std::string& what);
};

/// Throws a one-line mnemo::Error (prefixed by \p what, if any) unless \p run names a known optimizer
/// (adam, sgd) with a momentum in [0, 1).
void checkOptimizer(const RunConfig& run, const std::string& what);

/// How an error names a run setting: the flag ("--lr-step-every") when \p what is empty, otherwise
/// the key stored in \p what (a checkpoint): "<what>: config \"lr_step_every\"".
std::string settingName(const std::string& what, const std::string& flag);

}  // namespace mnemo
