// DelayComparison-v0: parametric working memory (Romo et al. 1999), as neurogym defines it.
//
// Two scalar stimuli separated by a delay; report whether the first (label 1) or the second
// (label 2) was larger. Periods, back to back: fixation 500 ms, stimulus1 500, delay 1000,
// stimulus2 500, decision 100 (defaults; overridable). Per trial: ground truth uniform in
// {1, 2}, a pair (big, small) uniform among vpairs; v1, v2 = (big, small) if gt = 1, else
// (small, big). Channel 0 "fixation" is 1 over the whole trial; channel 1 "stimulus" holds
// encode(v1) in stimulus1 and encode(v2) in stimulus2, with encode(v) = (1 + (v-vmin)/(vmax-vmin))/2;
// both channels are 0 in the decision period; N(0, (sigma/sqrt(dt))²) noise is added to both
// channels in the two stimulus periods only. The label is gt at the decision step(s), 0
// elsewhere. Draw order per trial: gt, pair, period durations, stimulus1 noise, stimulus2 noise.
//
// Metadata params: v1, v2, pair (index into vpairs), delay_ms, and as neurogym's trial dict
// names them: gt (its ground_truth, 1 or 2), vpair_0 / vpair_1 (the pair drawn).
#pragma once

#include <utility>
#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// The notebook's configuration for DelayComparison-v0 ("Train RNN to Solve Parametric Working
/// Memory"): dt = 100, delay = choice(200, 400, 800, 1600, 3200), and 'response' = 500 — an
/// entry that names no period of the task, so it warns and has no effect (the decision period
/// stays 100 ms). The default of `mnemo train`.
TaskConfig notebookConfig();

/// DelayComparison-v0.
class DelayComparison : public Task {
 public:
  /// Registry name.
  static constexpr const char* kName = "DelayComparison-v0";
  /// The default stimulus pairs (big, small).
  static const std::vector<std::pair<double, double>>& defaultPairs();

  explicit DelayComparison(const TaskConfig& config = {},
                           std::vector<std::pair<double, double>> vpairs = defaultPairs());

  /// The channel-1 value for stimulus value v: (1 + (v - vmin)/(vmax - vmin)) / 2, in [0.5, 1].
  double encode(double v) const { return (1.0 + (v - vmin_) / (vmax_ - vmin_)) / 2.0; }
  const std::vector<std::pair<double, double>>& pairs() const { return vpairs_; }

 protected:
  void build(TrialBuilder& b) const override;

 private:
  std::vector<std::pair<double, double>> vpairs_;
  double vmin_, vmax_;
  size_t stimulus1_, stimulus2_, delay_, decision_;  // period indices, resolved once
};

}  // namespace mnemo
