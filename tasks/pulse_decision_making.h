// PulseDecisionMaking-v0 (Scott et al. 2015), ported from neurogym bit for bit (with the numpy
// generator). Default dt 10 ms.
//
// Two streams of brief pulses; choose the side with more. Periods: fixation 500 ms, then for
// each of nBin (6) bins a cue (10 ms, the pulses) and a bin (240 ms, nothing), decision 500.
// Channels: fixation (1 until the decision), stimulus 1, stimulus 2. Draw order: u = rand()
// (u < 0.5 swaps the two pulse probabilities (0.3, 0.7)), nBin uniforms for stream 1 (pulse where
// u < p1), nBin for stream 2, a tie-break uniform(-0.1, 0.1) added to stream 2's count. Ground
// truth = count1 < count2 + tie-break; label 1 + ground truth in decision.
//
// Metadata params: pulse1_0.., pulse2_0.. (0 / 1), gt.
#pragma once

#include "tasks/task.h"

namespace mnemo {

/// PulseDecisionMaking-v0.
class PulseDecisionMaking : public Task {
 public:
  static constexpr const char* kName = "PulseDecisionMaking-v0";
  explicit PulseDecisionMaking(const TaskConfig& config = {}, double pLow = 0.3, double pHigh = 0.7,
                               int nBin = 6);

 protected:
  void build(TrialBuilder& b) const override;

 private:
  double pLow_, pHigh_;
  int nBin_;
};

}  // namespace mnemo
