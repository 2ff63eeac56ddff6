// sgd-momentum: appends the optimizer stage for SGD with momentum (ops/optim.cpp has the exact
// formula: v = momentum v + g; p -= lr v). One `state` %hyper f32[3] = [lr, momentum, t] is shared
// by all updates; each param gets one `state` velocity. Like adam, it reads the gradients from
// the graph's `grad` marks and marks what it adds, so the trainer and checkpoints need nothing
// optimizer-specific.
//
//   .stage bwd                                 .stage opt
//     %grad.w = matmul(...) : f32[I,H]     →      %hyper      = state : f32[3]
//                                                 %w.velocity = state : f32[I,H]
//                                                 %update.w   = sgd_update(%w, %grad.w, %w.velocity, %hyper) : ()
#include "graph/passes/sgd_momentum.h"

#include "graph/passes/adam.h"
#include "ops/builder.h"
#include "support/error.h"

namespace mnemo {

std::vector<Node*> addSgdMomentum(Graph& g, int64_t members) {
  const std::vector<std::pair<Node*, Node*>> grads = g.gradients();
  if (grads.empty()) MNEMO_FAIL("sgd-momentum: graph @" << g.name() << " marks no gradients (has autodiff run?)");
  Builder b(g, Stage::Opt);
  Node* hyper = b.state("hyper", optimizerHyperType(grads, 3, members, "sgd-momentum"));
  g.markRole(Role::Hyper, hyper);
  std::vector<Node*> velocities;
  for (const auto& [p, grad] : grads) {
    velocities.push_back(b.state(p->name() + ".velocity", p->type()));
    g.markRole(Role::OptState, velocities.back(), p);
  }
  std::vector<Node*> updates;
  for (size_t i = 0; i < grads.size(); ++i) {
    Node* p = grads[i].first;
    updates.push_back(b.create(OpKind::SgdUpdate, {p, grads[i].second, velocities[i], hyper}, {}, "update." + p->name()));
  }
  return updates;
}

std::vector<double> sgdHyper(double lr, double momentum, int64_t step) {
  if (step < 0) MNEMO_FAIL("sgd-momentum: the step counter cannot be negative, got " << step);
  return {lr, momentum, static_cast<double>(step)};
}

}  // namespace mnemo
