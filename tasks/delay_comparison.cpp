// DelayComparison-v0 (see delay_comparison.h).
#include "tasks/delay_comparison.h"

#include <algorithm>

#include "support/error.h"

namespace mnemo {

TaskConfig notebookConfig() {
  TaskConfig c;
  c.dt = 100;
  c.timing = {{"delay", TimingSpec::choice({200, 400, 800, 1600, 3200})},
              {"response", TimingSpec::constant(500)}};
  return c;
}

const std::vector<std::pair<double, double>>& DelayComparison::defaultPairs() {
  static const std::vector<std::pair<double, double>> pairs = {
      {18, 10}, {22, 14}, {26, 18}, {30, 22}, {34, 26}};
  return pairs;
}

DelayComparison::DelayComparison(const TaskConfig& config,
                                 std::vector<std::pair<double, double>> vpairs)
    : Task(Spec{kName,
                {{"fixation", 500}, {"stimulus1", 500}, {"delay", 1000}, {"stimulus2", 500},
                 {"decision", 100}},
                {"fixation", "stimulus"},
                {"fixate", "first larger", "second larger"},
                {"v1", "v2", "pair", "delay_ms", "gt", "vpair_0", "vpair_1"}},
           config),
      vpairs_(std::move(vpairs)) {
  if (vpairs_.empty()) MNEMO_FAIL(kName << ": the list of stimulus pairs is empty");
  vmin_ = vmax_ = vpairs_[0].first;
  for (const auto& [a, b] : vpairs_) {
    vmin_ = std::min({vmin_, a, b});
    vmax_ = std::max({vmax_, a, b});
  }
  if (!(vmax_ > vmin_)) MNEMO_FAIL(kName << ": stimulus pairs need at least two distinct values");
  stimulus1_ = periodIndex("stimulus1");
  stimulus2_ = periodIndex("stimulus2");
  delay_ = periodIndex("delay");
  decision_ = periodIndex("decision");
}

namespace {
enum Param : size_t { kV1, kV2, kPair, kDelayMs, kGroundTruth, kVpair0, kVpair1 };  // the order of the Spec's parameter names
}

void DelayComparison::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const int64_t gt = 1 + static_cast<int64_t>(rng.below(2));
  const size_t pair = rng.below(vpairs_.size());
  const double big = vpairs_[pair].first, small = vpairs_[pair].second;
  const double v1 = gt == 1 ? big : small;
  const double v2 = gt == 1 ? small : big;

  b.layoutPeriods();
  const StepRange stim1 = b.period(stimulus1_), stim2 = b.period(stimulus2_), decision = b.period(decision_);
  b.addOb(b.all(), 0, 1.0);
  b.addOb(stim1, 1, encode(v1));
  b.addOb(stim2, 1, encode(v2));
  b.setOb(decision, 0.0);
  b.addNoise(stim1, noiseStd());
  b.addNoise(stim2, noiseStd());
  b.setGroundTruth(decision, gt);

  const PeriodSpan& delay = b.info().periods[delay_];
  b.setParam(kV1, v1);
  b.setParam(kV2, v2);
  b.setParam(kPair, static_cast<double>(pair));
  b.setParam(kDelayMs, delay.endMs - delay.startMs);
  b.setParam(kGroundTruth, static_cast<double>(gt));
  b.setParam(kVpair0, big);
  b.setParam(kVpair1, small);
}

}  // namespace mnemo
