// ContextDecisionMaking-v0: context-dependent integration (Mante et al. 2013), ported from
// neurogym bit for bit (with the numpy generator).
//
// Two modalities, each a ring of n = dimRing units, show evidence for two (possibly different)
// choices; the context says which modality counts. Periods: fixation 300 ms, stimulus 750,
// delay TruncExp(600, 300, 3000) (a timing object with its own generator), decision 100.
// Channels: fixation, stim1_mod1..stimN_mod1, stim1_mod2..stimN_mod2 [, context1, context2 with
// explicit context]. Draw order: ground truth (1..n), other choice (1..n), context, coh_1, coh_2
// (each from {5, 15, 50}), period durations, then per ring unit i: noise on mod1 unit i, then on
// mod2 unit i, over the stimulus period. Context 0: modality 1 shows the ground truth with coh_1
// and modality 2 the other choice with coh_2; context 1 swaps the choices. Unit k of a modality
// showing choice c at coherence h holds cos(theta_k - theta_{c-1}) * h/200 + 0.5. Fixation is 1
// in fixation only; every channel is 0 in decision; the label is the ground truth there.
//
// Metadata params: gt, other_choice, context, coh_1, coh_2.
#pragma once

#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// ContextDecisionMaking-v0.
class ContextDecisionMaking : public Task {
 public:
  static constexpr const char* kName = "ContextDecisionMaking-v0";

  /// useExplicitContext: contexts {0, 1} drawn per trial and shown on two extra channels;
  /// otherwise the context is always implicitContext (0 or 1; mnemo::Error otherwise).
  explicit ContextDecisionMaking(const TaskConfig& config = {}, bool useExplicitContext = false,
                                 int implicitContext = 0, int dimRing = 2);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  bool explicit_;
  int dimRing_;
  std::vector<int64_t> contexts_;
  std::vector<double> theta_;
  std::vector<double> cosines_;  // row g: cos(theta_k - theta_g)
  size_t fixation_, stimulus_, decision_;
};

}  // namespace mnemo
