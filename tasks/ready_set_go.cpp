// ReadySetGo-v0, MotorTiming-v0 and OneTwoThreeGo-v0 (see ready_set_go.h).
#include "tasks/ready_set_go.h"

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {

/// The production period's label: 1 at the step int(production / dt) into the period.
void markProduction(TrialBuilder& b, StepRange production, double productionMs, double dt) {
  const int step = production.begin + static_cast<int>(productionMs / dt);
  if (step < production.end) b.setGroundTruth({step, step + 1}, 1);
}

}  // namespace

namespace rsg {
enum Period : size_t { kFixation, kReady, kMeasure, kSet, kProduction };
enum Param : size_t { kMeasureMs, kGain, kProductionMs };
}  // namespace rsg

ReadySetGo::ReadySetGo(const TaskConfig& config, double gain)
    : Task(Spec{kName,
                {{"fixation", 100},
                 {"ready", 83},
                 {"measure", TimingSpec::uniform(800, 1500)},
                 {"set", 83},
                 {"production", derivedTiming("2 x measure x gain")}},
                {"fixation", "ready", "set"},
                {"fixate", "go"},
                {"measure", "gain", "production"},
                80},
           config),
      gain_(gain) {}

void ReadySetGo::build(TrialBuilder& b) const {
  using namespace rsg;
  const double measure = b.sampleDuration(kMeasure);
  const double production = measure * gain_;
  b.addPeriod(kFixation, b.sampleDuration(kFixation), 0);
  b.addPeriod(kReady, b.sampleDuration(kReady), b.endMs(kFixation));
  b.addPeriod(kMeasure, measure, b.endMs(kFixation));
  b.addPeriod(kSet, b.sampleDuration(kSet), b.endMs(kMeasure));
  b.addPeriod(kProduction, 2 * production, b.endMs(kSet));
  b.finishLayout();

  b.addOb(b.all(), 0, 1.0);
  b.setOb(b.period(kProduction), 0, 0.0);
  b.addOb(b.period(kReady), 1, 1.0);
  b.addOb(b.period(kSet), 2, 1.0);
  markProduction(b, b.period(kProduction), production, dt());

  b.setParam(kMeasureMs, measure);
  b.setParam(kGain, gain_);
  b.setParam(kProductionMs, production);
}

namespace mt {
enum Period : size_t { kFixation, kCue, kSet, kProduction };
const double kIntervals[] = {800, 1500};
}  // namespace mt

MotorTiming::MotorTiming(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 500},
                 {"cue", TimingSpec::uniform(1000, 3000)},
                 {"set", 50},
                 {"production", derivedTiming("2 x the cued interval")}},
                {"fixation", "cue 1", "cue 2", "set"},
                {"fixate", "go"},
                {"production_ind", "production"},
                80},
           config) {}

void MotorTiming::build(TrialBuilder& b) const {
  using namespace mt;
  const size_t ind = b.rng().below(2);
  const double production = kIntervals[ind];
  double start = 0;
  for (size_t p : {kFixation, kCue, kSet}) {
    b.addPeriod(p, b.sampleDuration(p), start);
    start = b.endMs(p);
  }
  b.addPeriod(kProduction, 2 * production, start);
  b.finishLayout();

  const int cue = 1 + static_cast<int>(ind);
  b.setOb(b.period(kFixation), 0.0);
  b.setOb(b.period(kFixation), 0, 1.0);
  for (size_t p : {kCue, kSet}) {
    b.setOb(b.period(p), 0, 1.0);
    b.setOb(b.period(p), cue, 1.0);
  }
  b.setOb(b.period(kSet), 3, 1.0);
  markProduction(b, b.period(kProduction), production, dt());

  b.setParam(size_t{0}, static_cast<double>(ind));
  b.setParam(size_t{1}, production);
}

namespace otg {
enum Period : size_t { kFixation, kTarget, kS1, kInterval1, kS2, kInterval2, kS3, kInterval3, kResponse };
}  // namespace otg

OneTwoThreeGo::OneTwoThreeGo(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", TimingSpec::truncExpObject(400, 100, 800)},
                 {"target", TimingSpec::truncExpObject(1000, 500, 1500)},
                 {"s1", 100},
                 {"interval1", TimingSpec::choice({600, 700, 800, 900, 1000})},
                 {"s2", 100},
                 {"interval2", derivedTiming("interval1")},
                 {"s3", 100},
                 {"interval3", derivedTiming("interval1")},
                 {"response", 1000}},
                {"fixation", "stimulus", "target"},
                {"fixate", "go"},
                {"interval"},
                80},
           config) {}

void OneTwoThreeGo::build(TrialBuilder& b) const {
  using namespace otg;
  const double interval = b.sampleDuration(kInterval1);
  double start = 0;
  for (size_t p : {kFixation, kTarget, kS1, kInterval1, kS2, kInterval2, kS3, kInterval3, kResponse}) {
    const bool isInterval = p == kInterval1 || p == kInterval2 || p == kInterval3;
    b.addPeriod(p, isInterval ? interval : b.sampleDuration(p), start);
    start = b.endMs(p);
  }
  b.finishLayout();

  b.addOb(b.all(), 0, 1.0);
  for (size_t p : {kS1, kS2, kS3}) b.addOb(b.period(p), 1, 1.0);
  b.addOb(b.all(), 2, 1.0);
  b.setOb(b.period(kFixation), 2, 0.0);
  b.setGroundTruth(b.period(kResponse), 1);

  b.setParam(size_t{0}, interval);
}

}  // namespace mnemo
