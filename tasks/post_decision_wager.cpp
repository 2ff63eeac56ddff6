// PostDecisionWager-v0 (see post_decision_wager.h).
#include "tasks/post_decision_wager.h"

#include <cmath>

#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {
enum Period : size_t { kFixation, kStimulus, kDelay, kPreSure, kDecision };
enum Param : size_t { kWager, kGt, kCoh };
const double kCohs[] = {0, 3.2, 6.4, 12.8, 25.6, 51.2};

std::vector<std::string> channelNames(int n) {
  std::vector<std::string> names = ringNames("fixation", "stimulus", n);
  names.push_back("sure");
  return names;
}
std::vector<std::string> choiceNames(int n) {
  std::vector<std::string> names = ringNames("fixate", "choice", n);
  names.push_back("sure");
  return names;
}
}  // namespace

PostDecisionWager::PostDecisionWager(const TaskConfig& config, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 100},
                 {"stimulus", TimingSpec::truncExpObject(180, 100, 900)},
                 {"delay", TimingSpec::truncExpObject(1350, 1200, 1800)},
                 {"pre_sure", TimingSpec::uniform(500, 750)},
                 {"decision", 100}},
                channelNames(dimRing),
                choiceNames(dimRing),
                {"wager", "gt", "coh"}},
           config),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)),
      cosines_(ringCosines(theta_, theta_)) {}

void PostDecisionWager::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const bool wager = rng.below(2) == 0;  // choice([True, False])
  const size_t gt = rng.below(static_cast<uint64_t>(dimRing_));
  const double coh = kCohs[rng.below(6)];

  double start = 0;
  for (size_t p : {kFixation, kStimulus, kDelay}) {
    b.addPeriod(p, b.sampleDuration(p), start);
    start = b.endMs(p);
  }
  if (wager) b.addPeriod(kPreSure, b.sampleDuration(kPreSure), b.endMs(kStimulus));
  b.addPeriod(kDecision, b.sampleDuration(kDecision), b.endMs(kDelay));
  b.finishLayout();

  for (size_t p : {kFixation, kStimulus, kDelay}) b.addOb(b.period(p), 0, 1.0);
  const StepRange stimulus = b.period(kStimulus);
  const double* cosines = &cosines_[gt * theta_.size()];
  double* row = b.scratchRow(dimRing_);
  for (int k = 0; k < dimRing_; ++k) row[k] = cosines[k] * (coh / 200) + 0.5;
  b.addObRow(stimulus, 1, row, dimRing_);
  b.addNoise(stimulus, noiseStd());
  const int sure = 1 + dimRing_;
  if (wager) {
    b.addOb(b.period(kDelay), sure, 1.0);
    b.addOb(b.period(kDecision), sure, 1.0);
    b.setOb(b.period(kPreSure), sure, 0.0);
  }
  b.setGroundTruth(b.period(kDecision), static_cast<int64_t>(gt) + 1);

  b.setParam(kWager, wager ? 1.0 : 0.0);
  b.setParam(kGt, static_cast<double>(gt));
  b.setParam(kCoh, coh);
}

}  // namespace mnemo
