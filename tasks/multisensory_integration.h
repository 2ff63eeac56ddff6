// MultiSensoryIntegration-v0 (Raposo et al. 2014), ported from neurogym bit for bit (with the
// numpy generator).
//
// Two modalities, each a ring of n = dimRing units, both show evidence for the same choice; the
// coherence is split between them. Periods: fixation 300 ms, stimulus 750, decision 100.
// Channels: fixation, mod1 1..n, mod2 1..n. Draw order: ground truth g (0..n-1), coh from
// {5, 15, 50}, p = rand(), period durations, then noise on EVERY channel (fixation included) over
// the stimulus period. Modality 1 unit k: cos(theta_k - theta_g) * (coh*p/200) + 0.5, modality 2
// the same with coh*(1-p). Fixation is 1 until the decision, where all channels are 0; the
// label there is 1 + g.
//
// Metadata params: gt, coh, coh_prop.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// MultiSensoryIntegration-v0.
class MultiSensoryIntegration : public Task {
 public:
  static constexpr const char* kName = "MultiSensoryIntegration-v0";
  explicit MultiSensoryIntegration(const TaskConfig& config = {}, int dimRing = 2);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  int dimRing_;
  std::vector<double> theta_;
  std::vector<double> cosines_;  // row g: cos(theta_k - theta_g)
};

}  // namespace mnemo
