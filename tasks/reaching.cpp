// Reaching1D-v0 and Reaching1DWithSelfDistraction-v0 (see reaching.h).
#include "tasks/reaching.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {

enum Period : size_t { kFixation, kReach };

std::vector<std::string> reachChannels(int n) {
  std::vector<std::string> names;
  for (const char* part : {"target", "self"})
    for (int k = 1; k <= n; ++k) names.push_back(part + std::to_string(k));
  return names;
}

/// The draw, layout and labels both reaching tasks share; returns the target angle.
double reachTrial(TrialBuilder& b) {
  const double target = b.rng().uniform(0, 2 * M_PI);
  b.layoutPeriods();
  // neurogym stores the angles in an int64 array: truncation toward zero.
  b.setGroundTruth(b.period(kFixation), static_cast<int64_t>(M_PI));
  b.setGroundTruth(b.period(kReach), static_cast<int64_t>(target));
  b.setParam(size_t{0}, target);
  return target;
}

}  // namespace

Reaching1D::Reaching1D(const TaskConfig& config, int dimRing)
    : Task(Spec{kName, {{"fixation", 500}, {"reach", 500}}, reachChannels(dimRing),
                {"fixate", "left", "right"}, {"gt"}},
           config),
      dimRing_(dimRing),
      ring_(dimRing) {}

void Reaching1D::build(TrialBuilder& b) const {
  const double target = reachTrial(b);
  double* row = b.scratchRow(dimRing_);
  ring_.fill(target, 1.0, b.rng().kind() == RngKind::Numpy, row);
  b.addObRow(b.period(kReach), 0, row, dimRing_);
}

Reaching1DWithSelfDistraction::Reaching1DWithSelfDistraction(const TaskConfig& config)
    : Task(Spec{kName, {{"fixation", 500}, {"reach", 500}}, ringNames("unit0", "unit", 31),
                {"fixate", "left", "right"}, {"gt"}},
           config),
      ring_(32) {}

void Reaching1DWithSelfDistraction::build(TrialBuilder& b) const {
  const double target = reachTrial(b);
  double* row = b.scratchRow(32);
  ring_.fill(target, 0.3, b.rng().kind() == RngKind::Numpy, row);
  b.addObRow(b.period(kReach), 0, row, 32);
}

}  // namespace mnemo
