// The export of `mnemo fixedpoints` (fixed_points.npz). With C candidates, K points after
// merging, D the concatenated state size (StateLayout) and k = 2 PCs:
//
//   input [I] float32                  the constant input u
//   state_names uint8                  the states of the concatenated vector, "h,c" (UTF-8)
//   state_sizes [n] int64              each state's length in it, in that order
//   candidates_initial [C, D] float32  the candidates before the descent
//   candidates_final [C, D] float32    ... and after it
//   candidates_q [C] float32           q of each after it
//   points [K, D] float32              the fixed points (q below the tolerance, merged)
//   q [K] float64, merged [K] int64    q at each, and how many candidates ended there
//   jacobians [K, D, D] float64        ∂F_i/∂h_j at each point (autodiff)
//   eigenvalues_real, eigenvalues_imag [K, D] float64  sorted by modulus, largest first
//   unstable_modes [K] int64, stable [K] uint8         modes with |λ| > 1; none = stable
//   leading_direction [K, D] float64   the leading unstable direction (zeros where stable)
//   pc [K, k] float64                  the points in PC space
//   pca_mean [D], pca_components [k, D] float64       the PCA of the trajectories
//   tolerance, jacobian_check float64 ()              the keep threshold; max |J_ad − J_fd|
#pragma once

#include "analysis/fixed_points.h"
#include "analysis/pca.h"
#include "io/npz.h"

namespace mnemo {

NpzArchive exportFixedPoints(const FixedPointSearch& search, const Pca& pca, double tolerance);

}  // namespace mnemo
