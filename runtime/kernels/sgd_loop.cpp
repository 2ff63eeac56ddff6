// sgd_update as one loop over the parameter (see ops/optim.cpp): v = momentum v + g; p -= lr v.
#include "runtime/kernels/kernel.h"

namespace mnemo {

std::unique_ptr<Kernel> makeSgdKernel(const Node& n, KernelEnv& env) {
  float* p = env.f32(n.operand(0));
  const float* g = env.f32(n.operand(1));
  float* v = env.f32(n.operand(2));
  const float* hyper = env.f32(n.operand(3));
  size_t count = static_cast<size_t>(n.operand(0)->type().numel());
  auto k = std::make_unique<LoopKernel>("sgd_update", [=] {
    const float lr = hyper[0], momentum = hyper[1];
    for (size_t i = 0; i < count; ++i) {
      v[i] = momentum * v[i] + g[i];
      p[i] -= lr * v[i];
    }
  });
  k->node = &n;
  return k;
}

}  // namespace mnemo
