// sgd_update as one loop over the parameter (see ops/optim.cpp): v = momentum v + g; p -= lr v.
// A large parameter is split over the threads (parallel.h). With per-member hyper rows (hyper
// f32[K,3]) the param is K consecutive blocks, each with its own row's lr and momentum.
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

std::unique_ptr<Kernel> makeSgdKernel(const Node& n, KernelEnv& env) {
  float* p = env.f32(n.operand(0));
  const float* g = env.f32(n.operand(1));
  float* v = env.f32(n.operand(2));
  const float* hyper = env.f32(n.operand(3));
  const size_t count = static_cast<size_t>(n.operand(0)->type().numel());
  const size_t rows = static_cast<size_t>(n.operand(3)->type().numel()) / 3, per = count / rows;
  auto k = std::make_unique<LoopKernel>("sgd_update", [=] {
    for (size_t row = 0; row < rows; ++row) {
      const float lr = hyper[3 * row], momentum = hyper[3 * row + 1];
      const size_t at = row * per;
      parallelRanges(per, 3 * per, 16, [&](size_t begin, size_t end, int) {
        for (size_t i = at + begin; i < at + end; ++i) {
          v[i] = momentum * v[i] + g[i];
          p[i] -= lr * v[i];
        }
      });
    }
  });
  k->node = &n;
  return k;
}

}  // namespace mnemo
