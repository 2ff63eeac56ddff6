// adam_update(param, grad, m, v, hyper): one Adam step in BrainPy's form, written into param, m
// and v (a side effect; the node has no result). hyper is f32[5] = [lr, beta1, beta2, eps, t]
// with t the 1-based step number, so the learning rate and step live in graph state:
//   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  p -= lr_t m / (sqrt(v) + eps)
// sgd_update(param, grad, velocity, hyper): SGD with momentum, below.
#include <cmath>

#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

TensorType adamType(const std::vector<TensorType>& ins, const Attrs&) {
  const char* names[] = {"param", "grad", "m", "v"};
  for (int i = 0; i < 4; ++i) {
    if (ins[i].dtype != DType::F32 || ins[i].dims != ins[0].dims)
      MNEMO_FAIL(names[i] << " must be " << ins[0].str() << " like the param, got " << ins[i].str());
  }
  if (ins[4] != TensorType::f32({5}))
    MNEMO_FAIL("hyper must be f32[5] = [lr, beta1, beta2, eps, t], got " << ins[4].str());
  return TensorType::none();
}

void evalAdam(const Node&, const std::vector<RefTensor*>& ins, RefTensor&) {
  RefTensor& p = *ins[0];
  const RefTensor& g = *ins[1];
  RefTensor& m = *ins[2];
  RefTensor& v = *ins[3];
  const RefTensor& h = *ins[4];
  double lr = h[0], b1 = h[1], b2 = h[2], eps = h[3], t = h[4];
  if (t < 1) MNEMO_FAIL("adam step counter must be at least 1, got " << t);
  double lrt = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
  for (size_t i = 0; i < p.size(); ++i) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= lrt * m[i] / (std::sqrt(v[i]) + eps);
  }
}

/// sgd_update(param, grad, velocity, hyper), hyper = [lr, momentum, t] (t only counts steps):
///   v = momentum v + g;  p -= lr v
TensorType sgdType(const std::vector<TensorType>& ins, const Attrs&) {
  const char* names[] = {"param", "grad", "velocity"};
  for (int i = 0; i < 3; ++i) {
    if (ins[i].dtype != DType::F32 || ins[i].dims != ins[0].dims)
      MNEMO_FAIL(names[i] << " must be " << ins[0].str() << " like the param, got " << ins[i].str());
  }
  if (ins[3] != TensorType::f32({3})) MNEMO_FAIL("hyper must be f32[3] = [lr, momentum, t], got " << ins[3].str());
  return TensorType::none();
}

void evalSgd(const Node&, const std::vector<RefTensor*>& ins, RefTensor&) {
  RefTensor& p = *ins[0];
  const RefTensor& g = *ins[1];
  RefTensor& v = *ins[2];
  const double lr = (*ins[3])[0], momentum = (*ins[3])[1];
  for (size_t i = 0; i < p.size(); ++i) {
    v[i] = momentum * v[i] + g[i];
    p[i] -= lr * v[i];
  }
}

}  // namespace

void describeOptimizerOps(OpInfo* t) {
  define(t, OpKind::AdamUpdate, {}, adamType, evalAdam, nullptr);
  define(t, OpKind::SgdUpdate, {}, sgdType, evalSgd, nullptr);
}

}  // namespace mnemo
