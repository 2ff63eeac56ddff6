// HierarchicalReasoning-v0 (see hierarchical_reasoning.h).
#include "tasks/hierarchical_reasoning.h"

#include <algorithm>

#include "support/error.h"

namespace mnemo {

namespace {

enum Param : size_t { kInterval, kRule, kStimulus, kLong, kPro };
enum Period : size_t { kFixation, kRuleTarget, kFixation2, kFlash1, kDelay, kFlash2, kDecision };
const int kFixationChannel = 0, kFirstRuleChannel = 1, kFirstStimulusChannel = 3;

// Rng::taskState slots: whether the stream has a state yet, then the state's three numbers.
enum Slot : size_t { kHasState, kRuleSlot, kBlockSizeSlot, kTrialSlot };

/// neurogym's new_block: the next block's size is randint(10, 21).
int drawBlockSize(Rng& rng) { return 10 + static_cast<int>(rng.below(11)); }

/// np.median(timing['delay'][1]): the second choice of a bare list, else the median of the
/// (dist, args) form's numbers.
double midDelay(const TimingSpec& delay) {
  std::vector<double> v = delay.values();
  if (delay.kind() == TimingSpec::Kind::Choice) {
    if (v.size() < 2) MNEMO_FAIL(HierarchicalReasoning::kName << ": the delay timing needs at least two choices");
    return v[1];
  }
  if (v.empty()) MNEMO_FAIL(HierarchicalReasoning::kName << ": the delay timing " << delay.str() << " has no numbers");
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

}  // namespace

HierarchicalReasoning::HierarchicalReasoning(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", TimingSpec::truncExpObject(600, 400, 800)},
                 {"rule_target", 1000},
                 {"fixation2", TimingSpec::truncExpObject(600, 400, 900)},
                 {"flash1", 100},
                 {"delay", TimingSpec({530, 610, 690, 770, 850, 930, 1010, 1090, 1170})},
                 {"flash2", 100},
                 {"decision", 700}},
                {"fixation", "rule1", "rule2", "stimulus1", "stimulus2"},
                {"fixate", "rule1", "rule2", "choice1", "choice2"},
                {"interval", "rule", "stimulus", "long_interval", "pro_choice"}},
           config) {
  midDelay_ = midDelay(periodTimings()[kDelay]);
  Rng unseeded(0, RngKind::Numpy);  // neurogym's unseeded generator, pinned as in the reference files
  initialBlockSize_ = drawBlockSize(unseeded);
}

HierarchicalReasoningState HierarchicalReasoning::state(Rng& rng) const {
  HierarchicalReasoningState s;
  s.blockSize = initialBlockSize_;
  if (rng.taskState(kHasState) == 0) return s;
  s.rule = static_cast<int>(rng.taskState(kRuleSlot));
  s.blockSize = static_cast<int>(rng.taskState(kBlockSizeSlot));
  s.trialInBlock = static_cast<int>(rng.taskState(kTrialSlot));
  return s;
}

void HierarchicalReasoning::setState(Rng& rng, const HierarchicalReasoningState& s) const {
  if (s.rule != 0 && s.rule != 1) MNEMO_FAIL(kName << ": rule " << s.rule << " is not 0 or 1");
  if (s.blockSize < 1 || s.blockSize > 20) MNEMO_FAIL(kName << ": block size " << s.blockSize << " is not in 1..20");
  if (s.trialInBlock < 0 || s.trialInBlock >= s.blockSize)
    MNEMO_FAIL(kName << ": trial " << s.trialInBlock << " of a block of " << s.blockSize);
  rng.taskState(kHasState) = 1;
  rng.taskState(kRuleSlot) = s.rule;
  rng.taskState(kBlockSizeSlot) = s.blockSize;
  rng.taskState(kTrialSlot) = s.trialInBlock;
}

HierarchicalReasoningState HierarchicalReasoning::neurogymDatasetStartState(int cacheLen) const {
  Rng rng(0, RngKind::Numpy);
  HierarchicalReasoningState s;
  s.blockSize = drawBlockSize(rng);  // the constructor's new_block (rule 0 -> 1)
  setState(rng, s);
  Trial trial;
  newTrial(rng, trial);  // env.reset()
  rng.seed(0);           // ds.seed(None): a fresh unseeded generator, and fresh TruncExp ones
  for (int filled = 0; filled < cacheLen; filled += trial.length()) newTrial(rng, trial);  // _cache()
  return state(rng);
}

void HierarchicalReasoning::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  HierarchicalReasoningState s = state(rng);
  const double interval = b.sampleDuration(kDelay);
  const int stimulus = static_cast<int>(rng.below(2));
  const bool longInterval = interval > midDelay_ + (rng.uniform() - 0.5);
  const bool pro = static_cast<int>(longInterval) == s.rule;
  const int choice = pro ? stimulus : 1 - stimulus;

  double start = 0;
  for (size_t p = kFixation; p <= kDecision; ++p) {
    b.addPeriod(p, b.sampleDuration(p), start);
    start = b.endMs(p);
  }
  b.finishLayout();
  b.addOb(b.all(), kFixationChannel, 1.0);
  b.setOb(b.period(kDecision), kFixationChannel, 0.0);
  for (int c : {kFirstRuleChannel, kFirstRuleChannel + 1}) b.addOb(b.period(kRuleTarget), c, 1.0);
  for (size_t flash : {kFlash1, kFlash2}) b.addOb(b.period(flash), kFirstStimulusChannel + stimulus, 1.0);
  // The rule label first, so that the trial's ground truth is the decision's.
  b.setGroundTruth(b.period(kRuleTarget), kFirstRuleChannel + s.rule);
  b.setGroundTruth(b.period(kDecision), kFirstStimulusChannel + choice);

  b.setParam(kInterval, interval);
  b.setParam(kRule, s.rule);
  b.setParam(kStimulus, stimulus);
  b.setParam(kLong, longInterval ? 1 : 0);
  b.setParam(kPro, pro ? 1 : 0);

  if (++s.trialInBlock >= s.blockSize) {  // neurogym's new_block
    s.blockSize = drawBlockSize(rng);
    s.rule = 1 - s.rule;
    s.trialInBlock = 0;
  }
  setState(rng, s);
}

}  // namespace mnemo
