// Random ops: random_normal(seed) and random_uniform(seed) {shape, stream} fill a tensor of
// `shape` with N(0, 1) or U(0, 1] values drawn from the i64[2] state `seed` = [seed, counter]
// (ops/random_bits.h). The graph stays static: a new draw is a new counter in the state, which
// the session advances every training step. No gradient: the values depend on no param, so
// autodiff never reaches these nodes (it reports an error if a path would need one).
#include "support/error.h"
#include "graph/node.h"
#include "ops/op_table.h"
#include "ops/random_bits.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

TensorType randomType(const std::vector<TensorType>& ins, const OpAttrs& attrs) {
  if (ins[0] != TensorType::i64({2}))
    MNEMO_FAIL("seed must be i64[2] = [seed, counter], got " << ins[0].str());
  const int64_t stream = attrs.get<int64_t>("stream");
  if (stream < 0) MNEMO_FAIL("stream must be non-negative, got " << stream);
  Dims shape = attrs.get<std::vector<int64_t>>("shape");
  for (int64_t d : shape)
    if (d <= 0) MNEMO_FAIL("shape " << dimsStr(shape) << " must have positive dimensions");
  return TensorType::f32(shape);
}

template <double (*Draw)(uint64_t, uint64_t)>
void evalRandom(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  const RefTensor& seed = *ins[0];
  const uint64_t key = random_bits::streamKey(static_cast<int64_t>(seed[0]), static_cast<int64_t>(seed[1]),
                                              n.attr<int64_t>("stream"));
  for (size_t i = 0; i < out.size(); ++i) out[i] = Draw(key, i);
}

}  // namespace

void describeRandomOps(OpInfo* t) {
  const std::vector<AttrSpec> attrs = {requiredAttr("shape", AttrKind::IntList), requiredAttr("stream", AttrKind::Int)};
  define(t, OpKind::RandomNormal, attrs, randomType, evalRandom<random_bits::normal>, nullptr);
  define(t, OpKind::RandomUniform, attrs, randomType, evalRandom<random_bits::uniform>, nullptr);
}

}  // namespace mnemo
