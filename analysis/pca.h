// Principal component analysis for `mnemo analyze`, as scikit-learn's PCA does it for the
// notebook: center the data (rows = time points, columns = units), take the thin SVD of the
// centered matrix (Eigen's BDCSVD), keep the leading k right singular vectors as components.
// Explained variance = s² / (n − 1); the ratio divides by the total variance (the trace of the
// covariance), so the ratios of all components sum to 1.
//
// Sign convention (deterministic, unlike a raw SVD): each component is flipped so that its
// largest-magnitude loading is positive.
#pragma once

#include <cstddef>
#include <vector>

namespace mnemo {

struct Pca {
  size_t features = 0;                      ///< columns of the fitted data
  std::vector<double> mean;                 ///< [features]
  std::vector<std::vector<double>> components;  ///< k rows of [features], unit length, orthogonal
  std::vector<double> explainedVariance;    ///< [k], variance along each component
  std::vector<double> explainedVarianceRatio;  ///< [k], explainedVariance / totalVariance
  double totalVariance = 0;                 ///< sum of the per-column variances (ddof 1)

  /// Projects \p rows rows of \p data [rows, features] onto the components: [rows, k] row-major.
  std::vector<double> transform(const float* data, size_t rows) const;
};

/// Fits a \p k-component PCA to \p data [rows, features] (row-major). Needs at least two rows;
/// k is capped at min(rows, features).
Pca fitPca(const float* data, size_t rows, size_t features, size_t k = 2);

}  // namespace mnemo
