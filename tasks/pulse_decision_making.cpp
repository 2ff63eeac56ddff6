// PulseDecisionMaking-v0 (see pulse_decision_making.h).
#include "tasks/pulse_decision_making.h"

#include "support/error.h"

namespace mnemo {

namespace {

std::vector<std::pair<std::string, TimingSpec>> periods(int nBin) {
  if (nBin < 1) MNEMO_FAIL(PulseDecisionMaking::kName << ": needs at least one bin, got " << nBin);
  std::vector<std::pair<std::string, TimingSpec>> out{{"fixation", 500}};
  for (int i = 0; i < nBin; ++i) {
    out.push_back({"cue" + std::to_string(i), 10});
    out.push_back({"bin" + std::to_string(i), 240});
  }
  out.push_back({"decision", 500});
  return out;
}

std::vector<std::string> trialParamNames(int nBin) {
  std::vector<std::string> names;
  for (const char* stream : {"pulse1_", "pulse2_"})
    for (int i = 0; i < nBin; ++i) names.push_back(stream + std::to_string(i));
  names.push_back("gt");
  return names;
}

}  // namespace

PulseDecisionMaking::PulseDecisionMaking(const TaskConfig& config, double pLow, double pHigh, int nBin)
    : Task(Spec{kName, periods(nBin), {"fixation", "stimulus1", "stimulus2"},
                {"fixate", "choice1", "choice2"}, trialParamNames(nBin), 10},
           config),
      pLow_(pLow),
      pHigh_(pHigh),
      nBin_(nBin) {}

void PulseDecisionMaking::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  double p1 = pLow_, p2 = pHigh_;
  if (rng.uniform() < 0.5) std::swap(p1, p2);
  std::vector<double> pulses(2 * static_cast<size_t>(nBin_));
  for (size_t i = 0; i < pulses.size(); ++i) pulses[i] = rng.uniform() < (i < static_cast<size_t>(nBin_) ? p1 : p2) ? 1.0 : 0.0;
  double count1 = 0, count2 = 0;
  for (int i = 0; i < nBin_; ++i) {
    count1 += pulses[static_cast<size_t>(i)];
    count2 += pulses[static_cast<size_t>(nBin_ + i)];
  }
  count2 += rng.uniform(-0.1, 0.1);
  const int64_t gt = count1 < count2 ? 1 : 0;

  b.layoutPeriods();
  const size_t decision = periodNames().size() - 1;
  b.addOb(b.all(), 0, 1.0);
  for (int i = 0; i < nBin_; ++i) {
    const StepRange cue = b.period(1 + 2 * static_cast<size_t>(i));
    b.addOb(cue, 1, pulses[static_cast<size_t>(i)]);
    b.addOb(cue, 2, pulses[static_cast<size_t>(nBin_ + i)]);
  }
  b.setOb(b.period(decision), 0.0);
  b.setGroundTruth(b.period(decision), gt + 1);

  for (size_t i = 0; i < pulses.size(); ++i) b.setParam(i, pulses[i]);
  b.setParam(pulses.size(), static_cast<double>(gt));
}

}  // namespace mnemo
