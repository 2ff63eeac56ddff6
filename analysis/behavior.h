// Behaviour of a trained network on a two-stimulus comparison task (DelayComparison-v0): percent
// correct for each (f1, f2) pair and the psychometric view P(choice "first larger") against
// f1 − f2, as Romo-task papers show them. Action 1 is "first larger", action 2 "second larger";
// any other choice (e.g. 0 = still fixating) counts as neither, and as an error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/runner.h"

namespace mnemo {

/// What behaviour needs to know about one trial.
struct ChoiceTrial {
  double f1 = 0, f2 = 0;    ///< the two stimulus values (v1, v2)
  int64_t groundTruth = 0;  ///< 1 = first larger, 2 = second larger
  int64_t choice = 0;       ///< the network's action at the decision step
};

/// Trials of one (f1, f2) pair.
struct PairStats {
  double f1 = 0, f2 = 0;
  int64_t trials = 0, correct = 0, choseFirst = 0;
  double percentCorrect() const { return trials ? 100.0 * correct / trials : 0.0; }
  double pFirst() const { return trials ? static_cast<double>(choseFirst) / trials : 0.0; }
};

/// Trials of one difference f1 − f2.
struct DifferenceStats {
  double difference = 0;
  int64_t trials = 0, correct = 0, choseFirst = 0;
  double pFirst() const { return trials ? static_cast<double>(choseFirst) / trials : 0.0; }
};

struct Psychometrics {
  std::vector<PairStats> pairs;              ///< sorted by (f1, f2)
  std::vector<DifferenceStats> differences;  ///< sorted by f1 − f2
  int64_t trials = 0, correct = 0;
  double accuracy() const { return trials ? static_cast<double>(correct) / trials : 0.0; }
};

/// Tallies \p trials by pair and by difference. Choice 1 means "first larger".
Psychometrics psychometrics(const std::vector<ChoiceTrial>& trials);

/// The trials of \p run as ChoiceTrials, from the task parameters "v1" and "v2"; empty if the
/// task has no such parameters (the behaviour analysis then does not apply).
std::vector<ChoiceTrial> choiceTrials(const AnalysisRun& run);

/// The table printed by `mnemo analyze`: one row per pair (f1, f2, f1−f2, trials, % correct,
/// P(first larger)), then one row per difference.
std::string psychometricTable(const Psychometrics& p);

}  // namespace mnemo
