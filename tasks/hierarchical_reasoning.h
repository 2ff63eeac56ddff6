// HierarchicalReasoning-v0 (Sarafyazd & Jazayeri 2019), ported from neurogym bit for bit (with the
// numpy generator).
//
// Two flashes at one of two locations, a delay apart: short or long? A rule, shown on the rule
// channels and reported during rule_target, says how to answer: rule 1 = go to the flashes'
// location after a long delay (the opposite one after a short one), rule 0 = the reverse. The
// rule alternates in unannounced blocks of 10 .. 20 trials.
//
// Periods: fixation TruncExp(600, 400, 800), rule_target 1000, fixation2 TruncExp(600, 400, 900),
// flash1 100, delay one of {530, 610, ..., 1170} (step 80), flash2 100, decision 700. Channels:
// fixation (1 except in decision), rule 1, rule 2 (both 1 in rule_target), stimulus 1, stimulus
// 2 (1 in flash1 and flash2 at the trial's location). Labels: 1 + rule in rule_target, 3 + the
// chosen location in decision. No noise.
//
// Draw order: the interval (a delay choice), the location (choice of 2), u = rand(); then the
// periods in order, the two fixations from their own TruncExp streams and the delay drawn AGAIN
// (neurogym samples it once for the trial variable and once for the period: the delay period is
// not the interval); then, when the block ends, the next block's size randint(10, 21).
// long = interval > mid + (u - 0.5) with mid = np.median(timing['delay'][1]): the second delay
// choice (610 ms), not the median of the list. For an overridden delay timing mnemo takes the
// second value of a choice and the median of the other forms' numbers.
//
// State across trials, kept per stream (Rng::taskState, like neurogym's env attributes, which
// env.seed keeps): the rule, the block size and the trials done in the block. A fresh stream
// starts where neurogym's constructor leaves an env: rule 1, trial 0 of a block whose size the
// constructor draws from the env's still UNSEEDED generator; mnemo takes RandomState(0)'s draw
// (15), as the reference files do.
//
// Metadata params: interval, rule, stimulus, long_interval, pro_choice (0/1).
#pragma once

#include <functional>

#include "tasks/task.h"

namespace mnemo {

/// Where a HierarchicalReasoning stream stands between trials.
struct HierarchicalReasoningState {
  int rule = 1;           ///< the current block's rule (0 or 1)
  int blockSize = 15;     ///< trials in the current block
  int trialInBlock = 0;   ///< trials of the block already drawn
};

/// HierarchicalReasoning-v0.
class HierarchicalReasoning : public Task {
 public:
  static constexpr const char* kName = "HierarchicalReasoning-v0";
  explicit HierarchicalReasoning(const TaskConfig& config = {});

  /// The state \p rng's stream is in (a fresh stream: the constructor's state).
  HierarchicalReasoningState state(Rng& rng) const;
  /// Sets the state of \p rng's stream; throws mnemo::Error for a rule other than 0 / 1, a block
  /// size outside 1 .. 20 or a trial count outside 0 .. blockSize - 1.
  void setState(Rng& rng, const HierarchicalReasoningState& s) const;

  /// The state neurogym's Dataset leaves each env in before it seeds them: its constructor
  /// builds the envs (block size drawn unseeded), resets each (one trial), seeds them with None
  /// and fills a cache of \p cacheLen steps, all from RandomState(0) where neurogym's generator
  /// is unseeded (as in the reference files). Seeding then keeps the block state.
  HierarchicalReasoningState neurogymDatasetStartState(int cacheLen) const;

 protected:
  void build(TrialBuilder& b) const override;

 private:
  double midDelay_;
  int initialBlockSize_;
};

}  // namespace mnemo
