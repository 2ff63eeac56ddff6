// IntervalDiscrimination-v0 (see interval_discrimination.h).
#include "tasks/interval_discrimination.h"

namespace mnemo {

namespace {
enum Period : size_t { kFixation, kStim1, kDelay1, kStim2, kDelay2, kDecision };
}

IntervalDiscrimination::IntervalDiscrimination(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 300},
                 {"stim1", TimingSpec::uniform(300, 600)},
                 {"delay1", TimingSpec::uniform(800, 1500)},
                 {"stim2", TimingSpec::uniform(300, 600)},
                 {"delay2", 500},
                 {"decision", 300}},
                {"fixation", "stim1", "stim2"},
                {"fixate", "choice1", "choice2"},
                {"duration1", "duration2", "gt"},
                80},
           config) {}

void IntervalDiscrimination::build(TrialBuilder& b) const {
  const double duration1 = b.sampleDuration(kStim1);
  const double duration2 = b.sampleDuration(kStim2);
  const int64_t gt = duration1 > duration2 ? 1 : 2;
  double start = 0;
  for (size_t p : {kFixation, kStim1, kDelay1, kStim2, kDelay2, kDecision}) {
    const double d = p == kStim1 ? duration1 : p == kStim2 ? duration2 : b.sampleDuration(p);
    b.addPeriod(p, d, start);
    start = b.endMs(p);
  }
  b.finishLayout();

  b.addOb(b.all(), 0, 1.0);
  b.addOb(b.period(kStim1), 1, 1.0);
  b.addOb(b.period(kStim2), 2, 1.0);
  b.setOb(b.period(kDecision), 0.0);
  b.setGroundTruth(b.period(kDecision), gt);

  b.setParam(size_t{0}, duration1);
  b.setParam(size_t{1}, duration2);
  b.setParam(size_t{2}, static_cast<double>(gt));
}

}  // namespace mnemo
