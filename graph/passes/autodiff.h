// Reverse-mode automatic differentiation as a graph pass: appends the `bwd` stage that computes
// the gradient of a scalar loss with respect to parameters, from ordinary graph ops.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"
#include "ops/op_table.h"

namespace mnemo {

struct AutodiffOptions {
  /// Also return each gradient as a graph output (after the existing outputs, in parameter
  /// order), so tests and the runtime can read it. The Adam pass does not need this.
  bool returnGradients = false;
};

/// What autodiff appended: one gradient node per parameter.
struct AutodiffResult {
  /// The parameters, in the order they were given (or graph order by default).
  std::vector<Node*> params;
  /// grads[i] = dLoss/dparams[i], with params[i]'s type. A parameter the loss does not depend on
  /// gets a zero constant. Two parameters may share a node when their gradients are identical.
  std::vector<Node*> grads;
  /// The number of nodes the pass added to the graph.
  int64_t nodesAdded = 0;

  /// \returns the gradient of \p param; throws mnemo::Error if it was not differentiated.
  Node* gradientOf(const Node* param) const;
  /// \returns the gradient of the parameter named \p name (without '%').
  Node* gradientOf(const std::string& name) const;
};

/// Appends to \p g, at its end and in stage `bwd`, the gradient of \p loss (an f32[] value) with
/// respect to each of \p params (f32 `param` or `input` leaves; empty means every `param` node in
/// graph order that is not marked fixed=true). Only nodes on a parameter→loss path are differentiated; each op's gradient rule
/// (OpInfo::vjp) emits the ops; several uses of a value accumulate with `add`; a broadcast
/// operand's gradient is summed back to its shape. Gradients are named `%grad.<value>`.
/// Marks \p loss as the graph's loss and each gradient of a `param` as its `grad` (Graph::roles),
/// which is where the optimizer passes read them.
/// Throws mnemo::Error for a non-scalar loss, a bad parameter, or an op without a gradient rule
/// on a needed path: "autodiff: no gradient rule for op 'argmax' (node %7) on the path from %w
/// to %loss".
AutodiffResult autodiff(Graph& g, Node* loss, const std::vector<Node*>& params = {},
                        const AutodiffOptions& options = {});

}  // namespace mnemo
