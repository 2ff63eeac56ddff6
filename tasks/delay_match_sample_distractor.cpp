// DelayMatchSampleDistractor1D-v0 (see delay_match_sample_distractor.h).
#include "tasks/delay_match_sample_distractor.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
constexpr int kRing = 32;
enum Period : size_t { kFixation, kSample, kDelay1, kTest1, kDelay2, kTest2, kDelay3, kTest3 };
const size_t kTests[] = {kTest1, kTest2, kTest3};
}  // namespace

DelayMatchSampleDistractor1D::DelayMatchSampleDistractor1D(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 300}, {"sample", 500}, {"delay1", 1000}, {"test1", 500},
                 {"delay2", 1000}, {"test2", 500}, {"delay3", 1000}, {"test3", 500}},
                ringNames("fixation", "stimulus", kRing),
                {"fixate", "match"},
                {"gt", "sample", "test1", "test2", "test3"}},
           config),
      ring_(kRing) {}

void DelayMatchSampleDistractor1D::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int64_t gt = 1 + static_cast<int64_t>(rng.below(3));
  const double sample = rng.uniform(0, 2 * M_PI);
  double tests[3];
  for (int i = 1; i <= 3; ++i) tests[i - 1] = i == gt ? sample : rng.uniform(0, 2 * M_PI);

  b.layoutPeriods();
  b.addOb(b.period(kFixation), 0, 1.0);
  auto show = [&](size_t period, double direction) {
    double* row = b.scratchRow(kRing);
    ring_.fill(direction, 1.0, b.rng().kind() == RngKind::Numpy, row);
    b.addObRow(b.period(period), 1, row, kRing);
  };
  show(kSample, sample);
  for (int i = 0; i < 3; ++i) show(kTests[i], tests[i]);
  b.setGroundTruth(b.period(kTests[gt - 1]), 1);

  b.setParam(size_t{0}, static_cast<double>(gt));
  b.setParam(size_t{1}, sample);
  for (size_t i = 0; i < 3; ++i) b.setParam(2 + i, tests[i]);
}

}  // namespace mnemo
