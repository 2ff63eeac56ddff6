// autodiff and adam as pipeline passes. autodiff appends the bwd stage (the gradient of the
// graph's first output, the loss, with respect to every param); adam appends the opt stage (one
// adam_update per param with its m/v state and the shared %hyper state). The algorithms live in
// autodiff.cpp and adam.cpp; these wrappers only connect them to the pass manager.
#include "graph/error.h"
#include "graph/passes/adam.h"
#include "graph/passes/autodiff.h"
#include "graph/passes/passes.h"

namespace mnemo {

namespace {

class AutodiffPass : public Pass {
 public:
  explicit AutodiffPass(std::shared_ptr<AutodiffResult> result) : result_(std::move(result)) {}
  const char* name() const override { return "autodiff"; }
  bool run(Graph& g, PassContext&) override {
    if (g.outputs().empty()) MNEMO_FAIL("autodiff: graph @" << g.name() << " returns no loss");
    *result_ = autodiff(g, g.outputs()[0]);
    return result_->nodesAdded > 0;
  }

 private:
  std::shared_ptr<AutodiffResult> result_;
};

class AdamPass : public Pass {
 public:
  explicit AdamPass(std::shared_ptr<AutodiffResult> grads) : grads_(std::move(grads)) {}
  const char* name() const override { return "adam"; }
  bool run(Graph& g, PassContext&) override {
    if (grads_->params.empty()) MNEMO_FAIL("adam: no parameter gradients: the model has no trainable `param` (fixed tensors are not trained), or the autodiff pass is disabled");
    return !addAdam(g, *grads_).slots.empty();
  }

 private:
  std::shared_ptr<AutodiffResult> grads_;
};

}  // namespace

std::pair<std::unique_ptr<Pass>, std::unique_ptr<Pass>> createTrainingPasses() {
  auto shared = std::make_shared<AutodiffResult>();
  return {std::make_unique<AutodiffPass>(shared), std::make_unique<AdamPass>(shared)};
}

}  // namespace mnemo
