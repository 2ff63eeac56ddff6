// The pictures of `mnemo analyze`, as io/svg.h Figures:
//  - PCA trajectories (the notebook's final plot): every trial's hidden states projected onto
//    PC1–PC2, a line with a dot per step, red for ground truth 1 and blue for 2, a black marker
//    at each trial's first step; left panel all trials, right panel the first three; both
//    panels share their axis limits, as the notebook's sharex/sharey subplots do.
//  - Behaviour: percent correct for each (f1, f2) pair against f1, one curve for f1 > f2 and
//    one for f1 < f2; and P(choice "first larger") against f1 − f2, per pair and pooled.
#pragma once

#include <vector>

#include "analysis/behavior.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "io/svg.h"

namespace mnemo {

/// The trajectory figure; \p projected is [run.totalSteps(), k >= 2] row-major (Pca::transform
/// of the concatenated activity).
Figure pcaFigure(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected);

/// The behaviour figure.
Figure psychometricFigure(const Psychometrics& p);

}  // namespace mnemo
