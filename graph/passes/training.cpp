// buildTrainingGraph: the `train` pipeline without a pass manager — autodiff, then adam, then the
// verifier. A forward graph returning %loss becomes fwd → bwd (%grad.<param>) → opt
// (adam_update per param), the same graph object edited in place.
#include "graph/passes/training.h"

#include "support/error.h"
#include "graph/passes/verifier.h"

namespace mnemo {

TrainingGraph buildTrainingGraph(Graph& g, const TrainingOptions& options) {
  TrainingGraph out;
  if (options.loss.empty()) {
    if (g.outputs().empty()) MNEMO_FAIL("training: graph @" << g.name() << " returns nothing, so it has no loss");
    out.loss = g.outputs().front();
  } else {
    out.loss = g.find(options.loss);
    if (!out.loss) MNEMO_FAIL("training: graph @" << g.name() << " has no loss %" << options.loss);
  }
  std::vector<Node*> params;
  for (const std::string& name : options.params) {
    Node* p = g.find(name);
    if (!p) MNEMO_FAIL("training: graph @" << g.name() << " has no parameter %" << name);
    params.push_back(p);
  }
  AutodiffOptions adOptions;
  adOptions.returnGradients = options.returnGradients;
  out.gradients = autodiff(g, out.loss, params, adOptions);
  out.adam = addAdam(g);
  verifyOrThrow(g, "training");
  return out;
}

}  // namespace mnemo
