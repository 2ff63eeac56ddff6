// exportFixedPoints (see analysis/fixed_point_export.h).
#include "analysis/fixed_point_export.h"

namespace mnemo {

NpzArchive exportFixedPoints(const FixedPointSearch& s, const Pca& pca, double tolerance) {
  const int64_t C = s.candidates(), D = s.layout.total, K = static_cast<int64_t>(s.points.size());
  const int64_t k = static_cast<int64_t>(pca.components.size());
  std::string names;
  for (const std::string& n : s.layout.names) names += (names.empty() ? "" : ",") + n;

  std::vector<float> points;
  std::vector<double> q, jacobians, real, imag, directions, pcs, components;
  std::vector<int64_t> merged, unstable;
  std::vector<uint8_t> stable;
  for (const FixedPoint& p : s.points) {
    points.insert(points.end(), p.state.begin(), p.state.end());
    q.push_back(p.q);
    merged.push_back(p.merged);
    jacobians.insert(jacobians.end(), p.jacobian.begin(), p.jacobian.end());
    for (const std::complex<double>& e : p.eigenvalues) {
      real.push_back(e.real());
      imag.push_back(e.imag());
    }
    unstable.push_back(p.unstableModes);
    stable.push_back(p.stable() ? 1 : 0);
    if (p.leadingDirection.empty()) directions.insert(directions.end(), static_cast<size_t>(D), 0.0);
    else directions.insert(directions.end(), p.leadingDirection.begin(), p.leadingDirection.end());
    const std::vector<double> at = pca.transform(p.state.data(), 1);
    pcs.insert(pcs.end(), at.begin(), at.end());
  }
  for (const std::vector<double>& c : pca.components) components.insert(components.end(), c.begin(), c.end());

  NpzArchive out;
  out.add("input", NpyArray::from<float>({static_cast<int64_t>(s.input.size())}, s.input));
  out.add("state_names", NpyArray::from<uint8_t>({static_cast<int64_t>(names.size())},
                                                 std::vector<uint8_t>(names.begin(), names.end())));
  out.add("state_sizes", NpyArray::from<int64_t>({static_cast<int64_t>(s.layout.sizes.size())}, s.layout.sizes));
  out.add("candidates_initial", NpyArray::from<float>({C, D}, s.initial));
  out.add("candidates_final", NpyArray::from<float>({C, D}, s.final));
  out.add("candidates_q", NpyArray::from<float>({C}, s.finalQ));
  out.add("points", NpyArray::from<float>({K, D}, points));
  out.add("q", NpyArray::from<double>({K}, q));
  out.add("merged", NpyArray::from<int64_t>({K}, merged));
  out.add("jacobians", NpyArray::from<double>({K, D, D}, jacobians));
  out.add("eigenvalues_real", NpyArray::from<double>({K, D}, real));
  out.add("eigenvalues_imag", NpyArray::from<double>({K, D}, imag));
  out.add("unstable_modes", NpyArray::from<int64_t>({K}, unstable));
  out.add("stable", NpyArray::from<uint8_t>({K}, stable));
  out.add("leading_direction", NpyArray::from<double>({K, D}, directions));
  out.add("pc", NpyArray::from<double>({K, k}, pcs));
  out.add("pca_mean", NpyArray::from<double>({D}, pca.mean));
  out.add("pca_components", NpyArray::from<double>({k, D}, components));
  out.add("tolerance", NpyArray::scalar<double>(tolerance));
  out.add("jacobian_check", NpyArray::scalar<double>(s.jacobianCheck));
  return out;
}

}  // namespace mnemo
