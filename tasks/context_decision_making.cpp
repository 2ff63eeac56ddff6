// ContextDecisionMaking-v0 (see context_decision_making.h).
#include "tasks/context_decision_making.h"

#include <cmath>

#include "support/error.h"
#include "tasks/neurogym_util.h"

namespace mnemo {

namespace {

enum Param : size_t { kGt, kOther, kContext, kCoh1, kCoh2 };
const double kCohs[] = {5, 15, 50};

std::vector<std::string> channelNames(int n, bool withContext) {
  std::vector<std::string> names{"fixation"};
  for (int mod = 1; mod <= 2; ++mod)
    for (int i = 1; i <= n; ++i) names.push_back("stim" + std::to_string(i) + "_mod" + std::to_string(mod));
  if (withContext) {
    names.push_back("context1");
    names.push_back("context2");
  }
  return names;
}

}  // namespace

ContextDecisionMaking::ContextDecisionMaking(const TaskConfig& config, bool useExplicitContext,
                                             int implicitContext, int dimRing)
    : Task(Spec{kName,
                {{"fixation", 300},
                 {"stimulus", 750},
                 {"delay", TimingSpec::truncExpObject(600, 300, 3000)},
                 {"decision", 100}},
                channelNames(dimRing, useExplicitContext),
                ringNames("fixate", "choice", dimRing),
                {"gt", "other_choice", "context", "coh_1", "coh_2"}},
           config),
      explicit_(useExplicitContext),
      dimRing_(dimRing),
      theta_(ringAngles(dimRing)),
      cosines_(ringCosines(theta_, theta_)) {
  if (useExplicitContext) {
    contexts_ = {0, 1};
  } else {
    if (implicitContext != 0 && implicitContext != 1)
      MNEMO_FAIL(kName << ": the implicit context modality must be 0 or 1, got " << implicitContext);
    contexts_ = {implicitContext};
  }
  fixation_ = periodIndex("fixation");
  stimulus_ = periodIndex("stimulus");
  decision_ = periodIndex("decision");
}

void ContextDecisionMaking::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const uint64_t n = static_cast<uint64_t>(dimRing_);
  const int64_t gt = 1 + static_cast<int64_t>(rng.below(n));
  const int64_t other = 1 + static_cast<int64_t>(rng.below(n));
  const int64_t context = contexts_[rng.below(contexts_.size())];
  const double coh1 = kCohs[rng.below(3)];
  const double coh2 = kCohs[rng.below(3)];
  const int64_t choice1 = context == 1 ? other : gt;
  const int64_t choice2 = context == 1 ? gt : other;

  b.layoutPeriods();
  const StepRange stimulus = b.period(stimulus_);
  b.addOb(b.period(fixation_), 0, 1.0);
  const double* cos1 = &cosines_[static_cast<size_t>(choice1 - 1) * theta_.size()];
  const double* cos2 = &cosines_[static_cast<size_t>(choice2 - 1) * theta_.size()];
  double* row = b.scratchRow(2 * dimRing_);
  for (int i = 0; i < dimRing_; ++i) {
    row[i] = cos1[i] * (coh1 / 200) + 0.5;
    row[dimRing_ + i] = cos2[i] * (coh2 / 200) + 0.5;
  }
  b.addObRow(stimulus, 1, row, 2 * dimRing_);
  // neurogym's noise goes unit by unit, both modalities of a unit before the next unit.
  for (int i = 0; i < dimRing_; ++i) {
    b.addNoise(stimulus, noiseStd(), 1 + i, 1);
    b.addNoise(stimulus, noiseStd(), 1 + dimRing_ + i, 1);
  }
  b.setOb(b.period(decision_), 0.0);
  if (explicit_) b.addOb(b.all(), 1 + 2 * dimRing_ + static_cast<int>(context), 1.0);
  b.setGroundTruth(b.period(decision_), gt);

  b.setParam(kGt, static_cast<double>(gt));
  b.setParam(kOther, static_cast<double>(other));
  b.setParam(kContext, static_cast<double>(context));
  b.setParam(kCoh1, coh1);
  b.setParam(kCoh2, coh2);
}

}  // namespace mnemo
