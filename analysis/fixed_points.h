// The fixed-point finder of `mnemo fixedpoints`: fixed and slow points of a trained model's
// state update h' = F(h, u) at a constant input u, found as the minima of
// q(h) = ½‖F(h, u) − h‖² (analysis/fixed_point_graph.h compiles the step).
//
//  1. All candidates descend together in one batched graph: each Adam step is mnemo's own
//     autodiff and Adam pass on the candidates; the learning rate decays geometrically from
//     FixedPointOptions::learningRate to finalLearningRate over the iterations.
//     Then (optional, FixedPointOptions::newtonSteps) a few guarded Newton steps polish the
//     candidates that Adam brought near a fixed point (q below newtonBelow): h ← h − (J − I)⁻¹
//     (F(h) − h) with the autodiff Jacobian J, accepted for a candidate only where q drops and
//     the step is short (at most 0.1·(1 + ‖h‖)). Adam finds the basins; Newton supplies the last
//     digits that a first-order method approaches slowly. Slow points (local minima of q above
//     newtonBelow) stay where Adam left them rather than being pulled to a distant root.
//  2. Candidates whose q is below the tolerance are kept; kept points closer than
//     mergeDistance to a point of smaller q are merged into it.
//  3. At each point the Jacobian ∂F/∂h comes from autodiff (one backward pass per state
//     dimension, all points at once) and is checked against central finite differences of F.
//  4. Eigen's eigenvalues of each Jacobian classify the point: F is a discrete-time map, so a
//     mode with |λ| > 1 is unstable; a point without one is stable. The leading unstable
//     direction is the (real part of the) eigenvector of the largest |λ|.
#pragma once

#include <complex>
#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/fixed_point_graph.h"
#include "training/checkpoint.h"

namespace mnemo {

struct FixedPointOptions {
  int64_t iterations = 5000;         ///< Adam steps
  double learningRate = 1.0;        ///< at the first step
  double finalLearningRate = 1e-5;   ///< at the last step (geometric decay in between)
  double tolerance = 1e-6;           ///< keep candidates with q below this
  double mergeDistance = 1e-3;       ///< Euclidean distance within which kept points are one
  int64_t newtonSteps = 3;           ///< guarded Newton steps after Adam (0: none)
  double newtonBelow = 1e-4;         ///< ... on the candidates with q below this
  double finiteDifferenceStep = 1e-3;  ///< the step of the finite-difference check of the Jacobians
  bool fuse = true;                  ///< compile with mnemo's optimizing passes
};

/// Progress of the descent: the iteration done (1-based), the total, and the candidates' q
/// before that step: median, smallest, and how many are below the tolerance.
using FixedPointProgress =
    std::function<void(int64_t iteration, int64_t iterations, double medianQ, double minQ, int64_t below)>;

/// One fixed (or slow) point after merging.
struct FixedPoint {
  std::vector<float> state;   ///< [D], the concatenated state (StateLayout)
  double q = 0;               ///< q at the point
  int64_t merged = 1;         ///< candidates that ended here (this one included)
  std::vector<double> jacobian;  ///< [D, D] row-major, J[i][j] = ∂F_i/∂h_j (autodiff)
  std::vector<std::complex<double>> eigenvalues;  ///< sorted by |λ|, largest first
  int64_t unstableModes = 0;                      ///< eigenvalues with |λ| > 1
  std::vector<double> leadingDirection;  ///< [D], unit; the leading unstable direction (empty if stable)
  bool stable() const { return unstableModes == 0; }
};

struct FixedPointSearch {
  StateLayout layout;
  std::vector<float> input;           ///< u
  std::vector<float> initial, final;  ///< the candidates before and after the descent, [C, D]
  std::vector<float> finalQ;          ///< q of each candidate after the descent (and polish), [C]
  std::vector<FixedPoint> points;     ///< kept and merged, by increasing q
  /// Largest |J_autodiff − J_finite differences| over every entry of every point (NaN: no point).
  double jacobianCheck = 0;
  int64_t newtonImproved = 0;         ///< candidates whose q a Newton step lowered
  double compileMs = 0, descentMs = 0, newtonMs = 0, jacobianMs = 0;
  int64_t candidates() const { return static_cast<int64_t>(finalQ.size()); }
};

/// Finds the fixed points of \p ckpt's model at input \p input (one step's input, I values)
/// from the candidate states \p initial ([C, D] row-major, D the concatenated state size).
/// \p progress (optional) is called about twenty times during the descent.
FixedPointSearch findFixedPoints(const Checkpoint& ckpt, const std::vector<float>& input,
                                 const std::vector<float>& initial, const FixedPointOptions& options,
                                 const FixedPointProgress& progress = {});

/// \p count rows drawn uniformly (with replacement) from \p rows ([n, D] row-major), each plus
/// Gaussian noise of standard deviation \p noise; deterministic for \p seed.
std::vector<float> sampleCandidates(const std::vector<float>& rows, int64_t D, int64_t count, double noise,
                                    uint64_t seed);

/// Jacobians of F at \p states ([K, D]) by central differences of step \p h through \p step's
/// forward pass (a Jacobian StepGraph for K candidates): [K, D, D] like StepGraph::jacobians.
std::vector<double> finiteDifferenceJacobians(StepGraph& step, const std::vector<float>& states, double h);

/// Eigenvalues and stability of \p point's Jacobian (fills eigenvalues, unstableModes and
/// leadingDirection).
void classify(FixedPoint& point, int64_t D);

}  // namespace mnemo
