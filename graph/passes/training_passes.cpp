// autodiff and adam as pipeline passes. autodiff appends the bwd stage (the gradient of the
// graph's first output, the loss, with respect to every param); adam appends the opt stage (one
// adam_update per param with its m/v state and the shared %hyper state), reading the gradients
// autodiff marked in the graph. The algorithms live in autodiff.cpp and adam.cpp; these wrappers
// only connect them to the pass manager.
#include "support/error.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/passes.h"
#include "graph/passes/sgd_momentum.h"

namespace mnemo {

namespace {

class AutodiffPass : public Pass {
 public:
  const char* name() const override { return "autodiff"; }
  bool run(Graph& g, PassContext&) override {
    if (g.outputs().empty()) MNEMO_FAIL("autodiff: graph @" << g.name() << " returns no loss");
    // Marking the loss changes the graph (the IR text prints the role) even when nothing is added.
    autodiff(g, g.outputs()[0]);
    return true;
  }
};

/// Reads the gradients autodiff marked in the graph (Graph::gradients): nothing travels beside
/// the IR from one pass to the next.
class AdamPass : public Pass {
 public:
  explicit AdamPass(int64_t rows) : rows_(rows) {}
  const char* name() const override { return "adam"; }
  bool run(Graph& g, PassContext&) override {
    if (g.gradients().empty())
      MNEMO_FAIL("adam: no parameter gradients: the model has no trainable `param` (fixed tensors are not trained), or the autodiff pass is disabled");
    return !addAdam(g, rows_).slots.empty();
  }

 private:
  int64_t rows_;  // hyper rows, one per member (0: one shared row)
};

class SgdMomentumPass : public Pass {
 public:
  explicit SgdMomentumPass(int64_t rows) : rows_(rows) {}
  const char* name() const override { return "sgd-momentum"; }
  bool run(Graph& g, PassContext&) override {
    if (g.gradients().empty()) MNEMO_FAIL("sgd-momentum: the graph marks no gradients (is the autodiff pass disabled?)");
    return !addSgdMomentum(g, rows_).empty();
  }

 private:
  int64_t rows_;
};

}  // namespace

std::unique_ptr<Pass> createSgdMomentumPass(int64_t optimizerRows) { return std::make_unique<SgdMomentumPass>(optimizerRows); }

std::pair<std::unique_ptr<Pass>, std::unique_ptr<Pass>> createTrainingPasses(int64_t optimizerRows) {
  return {std::make_unique<AutodiffPass>(), std::make_unique<AdamPass>(optimizerRows)};
}

}  // namespace mnemo
