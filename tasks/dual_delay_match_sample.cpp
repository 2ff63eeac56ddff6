// DualDelayMatchSample-v0 (see dual_delay_match_sample.h).
#include "tasks/dual_delay_match_sample.h"

#include <cmath>

namespace mnemo {

namespace {

enum Period : size_t { kFixation, kSample, kDelay1, kCue1, kTest1, kDelay2, kCue2, kTest2 };
enum Param : size_t { kGt1, kGt2, kSample1, kSample2, kOrder, kTest1Value, kTest2Value };
const double kSamples[] = {0, 0.5};

/// Shows value x as (cos(x pi), sin(x pi)) on the two units from `first`.
void showValue(TrialBuilder& b, StepRange steps, int first, double x) {
  const double theta = x * M_PI;
  b.addOb(steps, first, std::cos(theta));
  b.addOb(steps, first + 1, std::sin(theta));
}

}  // namespace

DualDelayMatchSample::DualDelayMatchSample(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 500}, {"sample", 500}, {"delay1", 500}, {"cue1", 500},
                 {"test1", 500}, {"delay2", 500}, {"cue2", 500}, {"test2", 500}},
                {"fixation", "stimulus1_1", "stimulus1_2", "stimulus2_1", "stimulus2_2", "cue1", "cue2"},
                {"fixate", "match", "non-match"},
                {"ground_truth1", "ground_truth2", "sample1", "sample2", "test_order", "test1", "test2"}},
           config) {}

void DualDelayMatchSample::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int64_t gt1 = 1 + static_cast<int64_t>(rng.below(2));
  const int64_t gt2 = 1 + static_cast<int64_t>(rng.below(2));
  const double sample1 = kSamples[rng.below(2)];
  const double sample2 = kSamples[rng.below(2)];
  const int64_t order = static_cast<int64_t>(rng.below(2));
  const double test1 = gt1 == 1 ? sample1 : 0.5 - sample1;
  const double test2 = gt2 == 1 ? sample2 : 0.5 - sample2;
  const size_t probe1Test = order == 0 ? kTest1 : kTest2, probe2Test = order == 0 ? kTest2 : kTest1;
  const size_t probe1Cue = order == 0 ? kCue1 : kCue2, probe2Cue = order == 0 ? kCue2 : kCue1;

  b.layoutPeriods();
  b.addOb(b.all(), 0, 1.0);
  showValue(b, b.period(kSample), 1, sample1);
  showValue(b, b.period(kSample), 3, sample2);
  b.addOb(b.period(probe1Cue), 5, 1.0);
  b.addOb(b.period(probe2Cue), 6, 1.0);
  showValue(b, b.period(probe1Test), 1, test1);
  showValue(b, b.period(probe2Test), 3, test2);
  for (size_t p : {kSample, kTest1, kTest2}) b.addNoise(b.period(p), noiseStd());
  b.setGroundTruth(b.period(probe1Test), gt1);
  b.setGroundTruth(b.period(probe2Test), gt2);

  b.setParam(kGt1, static_cast<double>(gt1));
  b.setParam(kGt2, static_cast<double>(gt2));
  b.setParam(kSample1, sample1);
  b.setParam(kSample2, sample2);
  b.setParam(kOrder, static_cast<double>(order));
  b.setParam(kTest1Value, test1);
  b.setParam(kTest2Value, test2);
}

}  // namespace mnemo
