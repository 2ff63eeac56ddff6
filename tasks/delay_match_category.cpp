// DelayMatchCategory-v0 (see delay_match_category.h).
#include "tasks/delay_match_category.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
enum Param : size_t { kGt, kSampleCategory };
const char* const kAnswers[] = {"match", "non-match"};
}  // namespace

DelayMatchCategory::DelayMatchCategory(const TaskConfig& config, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 500}, {"sample", 650}, {"first_delay", 1000}, {"test", 650}},
                ringNames("fixation", "stimulus", dimRing),
                {"fixate", "match", "non-match"},
                {"gt", "sample_category"}},
           config),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)),
      sample_(periodIndex("sample")),
      test_(periodIndex("test")) {}

void DelayMatchCategory::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const size_t answer = rng.below(2);  // 0 = match, 1 = non-match
  const int64_t sampleCategory = static_cast<int64_t>(rng.below(2));
  const int64_t testCategory = answer == 0 ? sampleCategory : 1 - sampleCategory;
  const double sampleTheta = (static_cast<double>(sampleCategory) + rng.uniform()) * M_PI;
  const double testTheta = (static_cast<double>(testCategory) + rng.uniform()) * M_PI;

  b.layoutPeriods();
  const StepRange sample = b.period(sample_), test = b.period(test_);
  b.addOb(b.all(), 0, 1.0);
  b.setOb(test, 0, 0.0);
  b.addRingStimulus(sample, 1, theta_, sampleTheta);
  b.addRingStimulus(test, 1, theta_, testTheta);
  b.addNoise(sample, noiseStd(), 1, dimRing_);
  b.addNoise(test, noiseStd(), 1, dimRing_);
  const int64_t label = static_cast<int64_t>(answer) + 1;
  b.setGroundTruth(test, label);

  b.setParam(kGt, static_cast<double>(label), kAnswers[answer]);
  b.setParam(kSampleCategory, static_cast<double>(sampleCategory));
}

}  // namespace mnemo
