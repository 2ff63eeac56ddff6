// ReachingDelayResponse-v0 (see reaching_delay_response.h).
#include "tasks/reaching_delay_response.h"

namespace mnemo {

ReachingDelayResponse::ReachingDelayResponse(const TaskConfig& config, double lowbound, double highbound)
    : Task(Spec{kName,
                {{"stimulus", 500}, {"delay", TimingSpec({0, 1000, 2000})}, {"decision", 500}},
                {"go", "stimulus"},
                {"go", "direction"},
                {"gt"},
                100,
                2},
           config),
      low_(lowbound),
      high_(highbound) {}

void ReachingDelayResponse::build(TrialBuilder& b) const {
  enum Period : size_t { kStimulus, kDelay, kDecision };
  const double direction = b.rng().uniform(low_, high_);
  b.layoutPeriods();
  b.addOb(b.period(kStimulus), 1, direction);
  for (size_t p : {kDelay, kDecision}) {
    b.setOb(b.period(p), 0, p == kDecision ? 1.0 : 0.0);
    b.setOb(b.period(p), 1, -0.5);
  }
  b.setTarget(b.period(kStimulus), {-1, -0.5});
  b.setTarget(b.period(kDelay), {-1, -0.5});
  b.setTarget(b.period(kDecision), {1, direction});
  b.setParam(size_t{0}, direction);
}

}  // namespace mnemo
