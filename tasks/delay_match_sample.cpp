// DelayMatchSample-v0 (see delay_match_sample.h).
#include "tasks/delay_match_sample.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
enum Param : size_t { kGt, kSampleTheta, kTestTheta };
}

DelayMatchSample::DelayMatchSample(const TaskConfig& config, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 300}, {"sample", 500}, {"delay", 1000}, {"test", 500}, {"decision", 900}},
                ringNames("fixation", "stimulus", dimRing),
                {"fixate", "match", "non-match"},
                {"gt", "sample_theta", "test_theta"}},
           config),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)),
      sample_(periodIndex("sample")),
      test_(periodIndex("test")),
      decision_(periodIndex("decision")) {}

void DelayMatchSample::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int64_t gt = 1 + static_cast<int64_t>(rng.below(2));
  const double sampleTheta = theta_[rng.below(theta_.size())];
  const double testTheta = gt == 1 ? sampleTheta : std::fmod(sampleTheta + M_PI, 2 * M_PI);

  b.layoutPeriods();
  const StepRange sample = b.period(sample_), test = b.period(test_), decision = b.period(decision_);
  b.addOb(b.all(), 0, 1.0);
  b.setOb(decision, 0, 0.0);
  b.addRingStimulus(sample, 1, theta_, sampleTheta);
  b.addRingStimulus(test, 1, theta_, testTheta);
  b.addNoise(sample, noiseStd(), 1, dimRing_);
  b.addNoise(test, noiseStd(), 1, dimRing_);
  b.setGroundTruth(decision, gt);

  b.setParam(kGt, static_cast<double>(gt));
  b.setParam(kSampleTheta, sampleTheta);
  b.setParam(kTestTheta, testTheta);
}

}  // namespace mnemo
