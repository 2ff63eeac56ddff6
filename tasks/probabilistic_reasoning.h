// ProbabilisticReasoning-v0 (Yang & Shadlen 2007, the weather-prediction task), ported from
// neurogym bit for bit (with the numpy generator).
//
// Four shapes appear one by one at four locations and stay on; each shape carries a log-odds
// weight for choice 1. Periods: fixation 500 ms, stimulus0..stimulus3 500 each, delay
// uniform(450, 550), decision 500. Channels: fixation (1 until the decision), then per location
// a one-hot over the 10 shapes. Draw order: the locations (a permutation of 0..3, numpy's
// choice(range(4), 4, replace=False)), the four shapes (each uniform over 10), u = rand(), then
// the durations (delay's uniform). The shape shown i-th appears at location locs[i] from
// stimulus i to the end of stimulus3. log_odd = the shapes' weights summed in order;
// ground truth = u < 1 / (10^-log_odd + 1); label 1 + ground truth in decision.
//
// Metadata params: locs_0..3, shapes_0..3, log_odd, gt.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// ProbabilisticReasoning-v0.
class ProbabilisticReasoning : public Task {
 public:
  static constexpr const char* kName = "ProbabilisticReasoning-v0";
  explicit ProbabilisticReasoning(const TaskConfig& config = {});

 protected:
  void build(TrialBuilder& b) const override;

 private:
  std::vector<double> weights_;
};

}  // namespace mnemo
