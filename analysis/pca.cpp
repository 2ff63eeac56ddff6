// fitPca and Pca::transform (see analysis/pca.h), on Eigen's divide-and-conquer SVD.
#include "analysis/pca.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "support/error.h"

namespace mnemo {

Pca fitPca(const float* data, size_t rows, size_t features, size_t k) {
  if (rows < 2) MNEMO_FAIL("PCA needs at least two time points, got " << rows);
  if (features < 1) MNEMO_FAIL("PCA needs at least one feature");
  k = std::min({k, rows, features});

  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> raw(
      data, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(features));
  RowMatrix x = raw.cast<double>();
  Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;

  Eigen::BDCSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
  const Eigen::VectorXd& s = svd.singularValues();
  const Eigen::MatrixXd& v = svd.matrixV();
  const double dof = static_cast<double>(rows - 1);

  Pca p;
  p.features = features;
  p.mean.assign(mean.data(), mean.data() + features);
  p.totalVariance = x.squaredNorm() / dof;
  for (size_t c = 0; c < k; ++c) {
    Eigen::VectorXd comp = v.col(static_cast<Eigen::Index>(c));
    Eigen::Index big = 0;
    comp.cwiseAbs().maxCoeff(&big);
    if (comp(big) < 0) comp = -comp;
    p.components.emplace_back(comp.data(), comp.data() + features);
    const double var = s(static_cast<Eigen::Index>(c)) * s(static_cast<Eigen::Index>(c)) / dof;
    p.explainedVariance.push_back(var);
    p.explainedVarianceRatio.push_back(p.totalVariance > 0 ? var / p.totalVariance : 0.0);
  }
  return p;
}

std::vector<double> Pca::transform(const float* data, size_t rows) const {
  const size_t k = components.size();
  std::vector<double> out(rows * k, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = data + r * features;
    for (size_t c = 0; c < k; ++c) {
      double acc = 0;
      for (size_t f = 0; f < features; ++f) acc += (static_cast<double>(row[f]) - mean[f]) * components[c][f];
      out[r * k + c] = acc;
    }
  }
  return out;
}

}  // namespace mnemo
