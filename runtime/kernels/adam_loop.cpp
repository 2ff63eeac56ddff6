// adam_update as one loop over the parameter (BrainPy's form, see ops/optim.cpp): oneDNN has no
// optimizer primitive, and a fused loop touches each of p, g, m, v once. A large parameter is
// split over the threads (parallel.h). With per-member hyper rows (hyper f32[K,5]) the param is
// K consecutive blocks, each updated with its own row's rate.
#include <cmath>

#include "support/error.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

std::unique_ptr<Kernel> makeAdamKernel(const Node& n, KernelEnv& env) {
  float* p = env.f32(n.operand(0));
  const float* g = env.f32(n.operand(1));
  float* m = env.f32(n.operand(2));
  float* v = env.f32(n.operand(3));
  const float* hyper = env.f32(n.operand(4));
  const size_t count = static_cast<size_t>(n.operand(0)->type().numel());
  const size_t rows = static_cast<size_t>(n.operand(4)->type().numel()) / 5, per = count / rows;
  auto k = std::make_unique<LoopKernel>("adam_update", [=] {
    for (size_t row = 0; row < rows; ++row) {
      const float* h = hyper + 5 * row;
      double lr = h[0], b1 = h[1], b2 = h[2], t = h[4];
      float eps = h[3];
      if (t < 1) MNEMO_FAIL("adam step counter must be at least 1, got " << t);
      float lrt = static_cast<float>(lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)));
      float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2);
      const size_t at = row * per;
      parallelRanges(per, 4 * per, 16, [&](size_t begin, size_t end, int) {
        // Distinct buffers (the memory plan never shares a parameter, its gradient and moments):
        // with __restrict and no errno from sqrt (-fno-math-errno), the loop vectorises.
        float* __restrict pp = p + at;
        const float* __restrict gg = g + at;
        float* __restrict mm = m + at;
        float* __restrict vv = v + at;
        const float c1 = fb1, c2 = fb2, rate = lrt, e = eps;  // locals, not the closure's
        for (size_t i = begin; i < end; ++i) {
          mm[i] = c1 * mm[i] + (1 - c1) * gg[i];
          vv[i] = c2 * vv[i] + (1 - c2) * gg[i] * gg[i];
          pp[i] -= rate * mm[i] / (std::sqrt(vv[i]) + e);
        }
      });
    }
  });
  k->node = &n;
  return k;
}

}  // namespace mnemo
