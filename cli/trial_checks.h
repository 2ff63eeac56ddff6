// Checks on the single trials `mnemo analyze` and `mnemo fixedpoints` run through a checkpoint:
// a network whose activity leaves the finite numbers (a --set constant that makes it diverge, say)
// would otherwise be analysed as if nothing happened (an accuracy from NaN logits, a PCA of NaN).
#pragma once

#include <cmath>
#include <string>

#include "analysis/runner.h"
#include "cli/cli_flags.h"
#include "support/error.h"

namespace mnemo {

/// Refuses trials whose states or outputs hold a NaN or an infinity, naming the first (trial,
/// step, value) and the --set/--feed flags of \p flags, the likely cause (a checkpoint holds
/// finite parameters only).
inline void checkFiniteTrials(const AnalysisRun& run, const CheckpointFlags& flags) {
  std::string overrides;
  for (const std::string& s : flags.sets) overrides += (overrides.empty() ? "--set " : ", --set ") + s;
  for (const std::string& f : flags.feeds) overrides += (overrides.empty() ? "--feed " : ", --feed ") + f;
  for (size_t i = 0; i < run.trials.size(); ++i) {
    const TrialRecord& r = run.trials[i];
    auto check = [&](const std::vector<float>& values, int64_t width, const std::string& what) {
      for (size_t j = 0; j < values.size(); ++j)
        if (!std::isfinite(values[j]))
          MNEMO_FAIL("trial " << i << ", step " << static_cast<int64_t>(j) / width + 1 << ": " << what << " is " << values[j]
                              << "; the network diverges"
                              << (overrides.empty() ? "" : " with " + overrides) << ", so there is nothing to analyse");
    };
    for (const auto& [name, values] : r.states) check(values, run.stateSizes.at(name), "state " + name);
    check(r.logits, run.outputSize, "output");
  }
}

}  // namespace mnemo
