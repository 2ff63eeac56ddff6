// PostDecisionWager-v0 (Kiani & Shadlen 2009), ported from neurogym bit for bit (with the numpy
// generator).
//
// A two-choice motion discrimination where, on wager trials, a "sure" option appears during the
// delay. Periods: fixation 100 ms, stimulus TruncExp(180, 100, 900), delay TruncExp(1350, 1200,
// 1800) (timing objects with their own generators), on wager trials pre_sure uniform(500, 750)
// starting after the stimulus (it overlaps the delay), decision 100 after the delay. Channels:
// fixation (1 until the decision), stimulus 1..2, sure. Draw order: wager (True/False), ground
// truth g, coh from {0, 3.2, 6.4, 12.8, 25.6, 51.2}, fixation/stimulus/delay durations, the
// pre_sure duration (wager trials only), then noise on every channel over the stimulus. Stimulus
// unit k: cos(theta_k - theta_g) * coh/200 + 0.5. On wager trials the sure channel is 1 in delay
// and decision, except during pre_sure. Label 1 + g in decision.
//
// Metadata params: wager (0 / 1), gt, coh.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// PostDecisionWager-v0.
class PostDecisionWager : public Task {
 public:
  static constexpr const char* kName = "PostDecisionWager-v0";
  explicit PostDecisionWager(const TaskConfig& config = {}, int dimRing = 2);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  std::vector<double> theta_;
  std::vector<double> cosines_;  // row g: cos(theta_k - theta_g)
};

}  // namespace mnemo
