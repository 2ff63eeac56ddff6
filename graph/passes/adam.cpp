// adam: appends the optimizer stage. One `state` %hyper f32[5] = [lr, beta1, beta2, eps, t] is
// shared by all updates (f32[K, 5], a row per member, for an ensemble's stacked params), so the
// learning rate and the step counter are data, not graph; each
// parameter gets two `state` moment tensors and one side-effecting adam_update that writes the
// parameter and both moments (ops/optim.cpp has the exact formula).
//
// Before / after (autodiff already produced %grad.w):
//
//   .stage bwd                                 .stage bwd
//     %grad.w = matmul(...) : f32[I,H]           %grad.w = matmul(...) : f32[I,H]
//                                              .stage opt
//                                                %hyper    = state : f32[5]
//                                                %w.m      = state : f32[I,H]
//                                                %w.v      = state : f32[I,H]
//                                                %update.w = adam_update(%w, %grad.w, %w.m, %w.v, %hyper) : ()
#include "graph/passes/adam.h"

#include "ops/builder.h"
#include "support/error.h"

namespace mnemo {

TensorType optimizerHyperType(const std::vector<std::pair<Node*, Node*>>& grads, int64_t width, int64_t members,
                              const char* pass) {
  if (members <= 0) return TensorType::f32({width});
  for (const auto& [p, grad] : grads)
    if (p->dims().empty() || p->dims()[0] != members)
      MNEMO_FAIL(pass << ": one hyper row per member needs every param stacked on a leading axis of " << members
                      << " members; %" << p->name() << " is " << p->type().str());
  return TensorType::f32({members, width});
}

AdamResult addAdam(Graph& g, int64_t members) {
  const std::vector<std::pair<Node*, Node*>> grads = g.gradients();
  if (grads.empty()) MNEMO_FAIL("adam: graph @" << g.name() << " marks no gradients (has autodiff run?)");
  Builder b(g, Stage::Opt);
  AdamResult result;
  result.hyper = b.state(kAdamHyperName, optimizerHyperType(grads, 5, members, "adam"));
  g.markRole(Role::Hyper, result.hyper);
  for (const auto& [p, grad] : grads) {
    Node* m = b.state(p->name() + ".m", p->type());
    Node* v = b.state(p->name() + ".v", p->type());
    g.markRole(Role::OptState, m, p);
    g.markRole(Role::OptState, v, p);
    result.slots.push_back({p, m, v, nullptr});
  }
  for (size_t i = 0; i < grads.size(); ++i) {
    AdamResult::Slot& s = result.slots[i];
    s.update = b.create(OpKind::AdamUpdate, {s.param, grads[i].second, s.m, s.v, result.hyper}, {},
                        "update." + s.param->name());
  }
  return result;
}

std::vector<double> adamHyper(const AdamConfig& config, int64_t step) {
  if (step < 1) MNEMO_FAIL("adam: the step counter starts at 1, got " << step);
  return {config.lr, config.beta1, config.beta2, config.eps, static_cast<double>(step)};
}

RefTensor adamHyperTensor(const AdamConfig& config, int64_t step) {
  return RefTensor(TensorType::f32({5}), adamHyper(config, step));
}

}  // namespace mnemo
