// The picture of `mnemo fixedpoints`: the PCA trajectories of `mnemo analyze`
// (analysis/plots.h) with the fixed points drawn over them in both panels: stable
// points as filled black dots, unstable ones as open circles, each unstable point with a short
// line along its leading unstable direction. The line is that unit direction projected onto
// PC1–PC2 and scaled by a fixed length, so a direction mostly outside the plane draws short.
#pragma once

#include <vector>

#include "analysis/fixed_points.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "io/svg.h"

namespace mnemo {

/// \p pca is fitted on the concatenated state of every step of \p run (the fixed points' space)
/// and \p projected is its projection, [run.totalSteps(), k >= 2].
Figure fixedPointFigure(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected,
                        const FixedPointSearch& search);

}  // namespace mnemo
