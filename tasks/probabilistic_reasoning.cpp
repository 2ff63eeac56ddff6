// ProbabilisticReasoning-v0 (see probabilistic_reasoning.h).
#include "tasks/probabilistic_reasoning.h"

#include <cmath>

namespace mnemo {

namespace {

constexpr int kLocations = 4;
constexpr int kShapes = 10;
enum Period : size_t { kFixation, kStimulus0, kDelay = kStimulus0 + kLocations, kDecision };

std::vector<std::string> channelNames() {
  std::vector<std::string> names{"fixation"};
  for (int loc = 0; loc < kLocations; ++loc)
    for (int s = 0; s < kShapes; ++s) names.push_back("loc" + std::to_string(loc) + "_shape" + std::to_string(s));
  return names;
}

std::vector<std::string> trialParamNames() {
  std::vector<std::string> names;
  for (const char* what : {"locs_", "shapes_"})
    for (int i = 0; i < kLocations; ++i) names.push_back(what + std::to_string(i));
  names.push_back("log_odd");
  names.push_back("gt");
  return names;
}

}  // namespace

ProbabilisticReasoning::ProbabilisticReasoning(const TaskConfig& config)
    : Task(Spec{kName,
                {{"fixation", 500},
                 {"stimulus0", 500},
                 {"stimulus1", 500},
                 {"stimulus2", 500},
                 {"stimulus3", 500},
                 {"delay", TimingSpec::uniform(450, 550)},
                 {"decision", 500}},
                channelNames(),
                {"fixate", "choice1", "choice2"},
                trialParamNames()},
           config),
      weights_{-10, -0.9, -0.7, -0.5, -0.3, 0.3, 0.5, 0.7, 0.9, 10} {}

void ProbabilisticReasoning::build(TrialBuilder& b) const {
  Rng& rng = b.rng();
  const std::vector<int64_t> locs = rng.sampleWithoutReplacement(kLocations, kLocations);
  size_t shapes[kLocations];
  double logOdd = 0;
  for (size_t& s : shapes) s = rng.below(kShapes);
  for (size_t s : shapes) logOdd += weights_[s];
  const double p = 1.0 / (std::pow(10.0, -logOdd) + 1.0);
  const int64_t gt = rng.uniform() < p ? 1 : 0;

  b.layoutPeriods();
  b.addOb(b.all(), 0, 1.0);
  b.setOb(b.period(kDecision), 0, 0.0);
  for (int i = 0; i < kLocations; ++i) {
    const int channel = 1 + static_cast<int>(locs[static_cast<size_t>(i)]) * kShapes + static_cast<int>(shapes[i]);
    for (int j = i; j < kLocations; ++j) b.addOb(b.period(kStimulus0 + static_cast<size_t>(j)), channel, 1.0);
  }
  b.setGroundTruth(b.period(kDecision), gt + 1);

  for (size_t i = 0; i < kLocations; ++i) {
    b.setParam(i, static_cast<double>(locs[i]));
    b.setParam(kLocations + i, static_cast<double>(shapes[i]));
  }
  b.setParam(2 * kLocations, logOdd);
  b.setParam(2 * kLocations + 1, static_cast<double>(gt));
}

}  // namespace mnemo
