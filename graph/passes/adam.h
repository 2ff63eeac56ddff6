// The Adam pass: appends the `opt` stage, one side-effecting adam_update per parameter, with the
// hyper-parameters and the moment estimates held in `state` tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "ops/ref_tensor.h"

namespace mnemo {

/// BrainPy's Adam defaults (../shared/spec/delaycomparison.md §3): constant learning rate, no
/// weight decay, eps not bias-corrected.
struct AdamConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

/// The name of the hyper-parameter state that every adam_update reads.
inline constexpr const char* kAdamHyperName = "hyper";

/// What the Adam pass appended.
struct AdamResult {
  /// %hyper: f32[5] = [lr, beta1, beta2, eps, t]; bind it before every step (adamHyper()).
  Node* hyper = nullptr;
  /// Per parameter, in the order given: the parameter, its first and second moment states
  /// (%<param>.m, %<param>.v, bound to zeros before the first step) and its update node.
  struct Slot {
    Node* param;
    Node* m;
    Node* v;
    Node* update;
  };
  std::vector<Slot> slots;
};

/// Appends stage `opt` to \p g: declares %hyper and, for each param with a gradient marked in the
/// graph (autodiff marks them), the states %<param>.m and %<param>.v (the param's shape), then
/// adam_update(param, grad, m, v, hyper). Marks %hyper as `hyper` and the moments as `opt_state`
/// of their param, so checkpoints find them without knowing Adam. Throws mnemo::Error if the
/// graph has no gradients. With \p members > 0 (an ensemble's graph, every param stacked on a
/// leading member axis of that length), %hyper is f32[members, 5], one row per member, so each
/// member has its own learning rate; a param without that leading axis is an error.
AdamResult addAdam(Graph& g, int64_t members = 0);

/// The type of an optimizer's %hyper state of \p width values: f32[width], or f32[members, width]
/// when \p members > 0, after checking that every param in \p grads leads with that axis.
TensorType optimizerHyperType(const std::vector<std::pair<Node*, Node*>>& grads, int64_t width, int64_t members,
                              const char* pass);

/// \returns the values to bind to %hyper for step \p step (1-based): [lr, beta1, beta2, eps, t].
/// A new learning rate is a new binding, not a new graph.
std::vector<double> adamHyper(const AdamConfig& config, int64_t step);
/// adamHyper() as a tensor of %hyper's type, for the reference evaluator.
RefTensor adamHyperTensor(const AdamConfig& config, int64_t step);

}  // namespace mnemo
