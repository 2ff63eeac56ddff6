// sgd_update as one loop over the parameter (see ops/optim.cpp): v = momentum v + g; p -= lr v.
// A large parameter is split over the threads (parallel.h).
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

std::unique_ptr<Kernel> makeSgdKernel(const Node& n, KernelEnv& env) {
  float* p = env.f32(n.operand(0));
  const float* g = env.f32(n.operand(1));
  float* v = env.f32(n.operand(2));
  const float* hyper = env.f32(n.operand(3));
  size_t count = static_cast<size_t>(n.operand(0)->type().numel());
  auto k = std::make_unique<LoopKernel>("sgd_update", [=] {
    const float lr = hyper[0], momentum = hyper[1];
    parallelRanges(count, 3 * count, 16, [&](size_t begin, size_t end, int) {
      for (size_t i = begin; i < end; ++i) {
        v[i] = momentum * v[i] + g[i];
        p[i] -= lr * v[i];
      }
    });
  });
  k->node = &n;
  return k;
}

}  // namespace mnemo
