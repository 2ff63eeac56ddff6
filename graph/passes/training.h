// The training graph in one call: autodiff (stage `bwd`) then Adam (stage `opt`) on a forward
// graph such as training/rnn_model.h's buildNotebookRnn.
#pragma once

#include <string>
#include <vector>

#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"

namespace mnemo {

struct TrainingOptions {
  /// The loss to minimise; empty means the graph's first output.
  std::string loss;
  /// The parameters to train, by name; empty means every `param` node.
  std::vector<std::string> params;
  /// Also return the gradients as graph outputs (AutodiffOptions::returnGradients).
  bool returnGradients = false;
};

/// The nodes the training passes added.
struct TrainingGraph {
  Node* loss = nullptr;
  AutodiffResult gradients;
  AdamResult adam;
};

/// Turns the forward graph \p g into a training step: appends the gradients of the loss and one
/// Adam update per parameter, then verifies the result. Throws mnemo::Error when the loss or a
/// parameter is missing, or when autodiff or the verifier reject the graph.
TrainingGraph buildTrainingGraph(Graph& g, const TrainingOptions& options = {});

}  // namespace mnemo
