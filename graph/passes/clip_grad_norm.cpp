// clip-grad-norm: scales every parameter gradient autodiff marked by one common factor, so that
// their global L2 norm is at most max_norm (as torch.nn.utils.clip_grad_norm_ does):
//
//   norm  = sqrt(sum over params p of sum(square(grad.p)))
//   scale = minimum(1, max_norm / (norm + 1e-6))
//   grad.p' = grad.p * scale           (marked as p's gradient in place of grad.p)
//
// It runs between autodiff and the optimizer pass, in the bwd stage, so the optimizer reads the
// clipped gradients; max_norm is a constant of the compiled graph (mnemo train --clip-grad-norm).
#include <cmath>

#include "ops/builder.h"
#include "support/error.h"
#include "graph/passes/passes.h"

namespace mnemo {

namespace {

class ClipGradNormPass : public Pass {
 public:
  explicit ClipGradNormPass(double maxNorm) : maxNorm_(maxNorm) {}
  const char* name() const override { return "clip-grad-norm"; }
  bool run(Graph& g, PassContext&) override {
    const std::vector<std::pair<Node*, Node*>> grads = g.gradients();
    if (grads.empty()) MNEMO_FAIL("clip-grad-norm: the graph marks no gradients (is the autodiff pass disabled?)");
    Builder b(g, Stage::Bwd);
    Node* total = nullptr;
    for (const auto& [param, grad] : grads) {
      std::vector<int64_t> axes;
      for (int64_t a = 0; a < grad->type().rank(); ++a) axes.push_back(a);
      Node* sq = b.square(grad);
      Node* part = axes.empty() ? sq : b.reduceSum(sq, axes);
      total = total ? b.add(total, part) : part;
    }
    Node* norm = b.create(OpKind::Sqrt, {total}, {}, "grad_norm");
    Node* ratio = b.div(b.constant(maxNorm_), b.add(norm, b.constant(1e-6)));
    Node* scale = b.create(OpKind::Minimum, {b.constant(1.0), ratio}, {}, "grad_scale");
    for (const auto& [param, grad] : grads)
      g.markRole(Role::Grad, b.create(OpKind::Mul, {grad, scale}, {}, "clipped." + param->name()), param);
    return true;
  }

 private:
  double maxNorm_;
};

}  // namespace

std::unique_ptr<Pass> createClipGradNormPass(double maxNorm) {
  if (!(maxNorm > 0) || !std::isfinite(maxNorm))
    MNEMO_FAIL("clip-grad-norm: the maximum norm must be a positive number, got " << maxNorm);
  return std::make_unique<ClipGradNormPass>(maxNorm);
}

}  // namespace mnemo
