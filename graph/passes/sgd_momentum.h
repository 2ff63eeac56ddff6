// The SGD-with-momentum pass: appends the `opt` stage, one side-effecting sgd_update per param,
// reading the gradients autodiff marked in the graph.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// Appends stage `opt` to \p g: declares %hyper f32[3] = [lr, momentum, t] (marked `hyper`) and,
/// for each param with a marked gradient, the state %<param>.velocity (marked `opt_state` of the
/// param, bound to zeros before the first step), then sgd_update(param, grad, velocity, hyper).
/// Throws mnemo::Error if the graph marks no gradients. \returns the update nodes. \p members > 0:
/// %hyper is f32[members, 3], one row per member of a stacked ensemble (as addAdam).
std::vector<Node*> addSgdMomentum(Graph& g, int64_t members = 0);

/// \returns the values to bind to %hyper after \p step steps: [lr, momentum, step].
std::vector<double> sgdHyper(double lr, double momentum, int64_t step);

}  // namespace mnemo
