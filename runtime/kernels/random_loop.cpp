// random_normal and random_uniform as one loop (see ops/random.cpp): each element is a pure
// function of the seed state, the node's stream and its index, computed in double by the same
// code as the reference evaluator and rounded to f32, so a run is the same at any thread count.
#include "ops/random_bits.h"
#include "runtime/kernels/kernel.h"

namespace mnemo {

std::unique_ptr<Kernel> makeRandomKernel(const Node& n, KernelEnv& env) {
  const int64_t* seed = env.i64(n.operand(0));
  float* out = env.f32(&n);
  const int64_t count = n.type().numel();
  const int64_t stream = n.attr<int64_t>("stream");
  const bool normal = n.kind() == OpKind::RandomNormal;
  auto k = std::make_unique<LoopKernel>(opName(n.kind()), [=] {
    const uint64_t key = random_bits::streamKey(seed[0], seed[1], stream);
    for (int64_t i = 0; i < count; ++i)
      out[i] = static_cast<float>(normal ? random_bits::normal(key, static_cast<uint64_t>(i))
                                         : random_bits::uniform(key, static_cast<uint64_t>(i)));
  });
  k->node = &n;
  return k;
}

}  // namespace mnemo
