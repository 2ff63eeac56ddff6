// psychometrics, choiceTrials and psychometricTable (see analysis/behavior.h).
#include "analysis/behavior.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace mnemo {

Psychometrics psychometrics(const std::vector<ChoiceTrial>& trials) {
  std::map<std::pair<double, double>, PairStats> byPair;
  std::map<double, DifferenceStats> byDiff;
  Psychometrics p;
  for (const ChoiceTrial& t : trials) {
    const bool correct = t.choice == t.groundTruth;
    const bool first = t.choice == 1;
    PairStats& ps = byPair[{t.f1, t.f2}];
    ps.f1 = t.f1;
    ps.f2 = t.f2;
    DifferenceStats& ds = byDiff[t.f1 - t.f2];
    ds.difference = t.f1 - t.f2;
    for (int64_t* n : {&ps.trials, &ds.trials, &p.trials}) ++*n;
    if (correct)
      for (int64_t* n : {&ps.correct, &ds.correct, &p.correct}) ++*n;
    if (first) {
      ++ps.choseFirst;
      ++ds.choseFirst;
    }
  }
  for (const auto& entry : byPair) p.pairs.push_back(entry.second);
  for (const auto& entry : byDiff) p.differences.push_back(entry.second);
  return p;
}

std::vector<ChoiceTrial> choiceTrials(const AnalysisRun& run) {
  const auto has = [&](const char* name) {
    return std::find(run.paramNames.begin(), run.paramNames.end(), name) != run.paramNames.end();
  };
  std::vector<ChoiceTrial> out;
  if (!has("v1") || !has("v2")) return out;
  for (const TrialRecord& r : run.trials)
    out.push_back({r.trial.info.param("v1"), r.trial.info.param("v2"), r.trial.info.groundTruth, r.choice});
  return out;
}

std::string psychometricTable(const Psychometrics& p) {
  std::string out = "    f1    f2  f1-f2  trials  correct  P(first larger)\n";
  char line[128];
  for (const PairStats& s : p.pairs) {
    std::snprintf(line, sizeof line, "%6g %5g %6g %7lld %7.1f%% %16.2f\n", s.f1, s.f2, s.f1 - s.f2,
                  static_cast<long long>(s.trials), s.percentCorrect(), s.pFirst());
    out += line;
  }
  out += "  f1-f2  trials  correct  P(first larger)\n";
  for (const DifferenceStats& d : p.differences) {
    std::snprintf(line, sizeof line, "%7g %7lld %7.1f%% %16.2f\n", d.difference, static_cast<long long>(d.trials),
                  d.trials ? 100.0 * d.correct / d.trials : 0.0, d.pFirst());
    out += line;
  }
  return out;
}

}  // namespace mnemo
