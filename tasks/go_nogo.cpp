// GoNogo-v0 (see go_nogo.h).
#include "tasks/go_nogo.h"

namespace mnemo {

GoNogo::GoNogo(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 0}, {"stimulus", 500}, {"delay", 500}, {"decision", 500}},
                {"fixation", "nogo", "go"},
                {"fixate", "go"},
                {"gt"}},
           config),
      stimulus_(periodIndex("stimulus")),
      decision_(periodIndex("decision")) {}

void GoNogo::build(TrialBuilder& b) const {
  const int64_t gt = static_cast<int64_t>(b.rng().below(2));
  b.layoutPeriods();
  const StepRange decision = b.period(decision_);
  b.addOb(b.all(), 0, 1.0);
  b.addOb(b.period(stimulus_), 1 + static_cast<int>(gt), 1.0);
  b.setOb(decision, 0.0);
  b.setGroundTruth(decision, gt);
  b.setParam(size_t{0}, static_cast<double>(gt));
}

}  // namespace mnemo
