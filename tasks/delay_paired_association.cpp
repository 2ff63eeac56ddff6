// DelayPairedAssociation-v0 (see delay_paired_association.h).
#include "tasks/delay_paired_association.h"

namespace mnemo {

namespace {
enum Period : size_t { kFixation, kStim1, kDelayBetween, kStim2, kDelayAfter, kDecision };
const int kPairs[][2] = {{1, 3}, {1, 4}, {2, 3}, {2, 4}};
}  // namespace

DelayPairedAssociation::DelayPairedAssociation(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 0}, {"stim1", 1000}, {"delay_btw_stim", 1000}, {"stim2", 1000},
                 {"delay_aft_stim", 1000}, {"decision", 500}},
                {"fixation", "stimulus1", "stimulus2", "stimulus3", "stimulus4"},
                {"fixate", "go"},
                {"pair_0", "pair_1", "gt"}},
           config) {}

void DelayPairedAssociation::build(TrialBuilder& b) const {
  const int* pair = kPairs[b.rng().below(4)];
  const int64_t gt = (pair[1] - pair[0]) % 2 == 0 ? 1 : 0;

  b.layoutPeriods();
  b.addOb(b.all(), 0, 1.0);
  b.addOb(b.period(kStim1), pair[0], 1.0);
  b.addOb(b.period(kStim2), pair[1], 1.0);
  b.setOb(b.period(kDecision), 0.0);
  b.setGroundTruth(b.period(kDecision), gt);

  b.setParam(size_t{0}, pair[0]);
  b.setParam(size_t{1}, pair[1]);
  b.setParam(size_t{2}, static_cast<double>(gt));
}

}  // namespace mnemo
