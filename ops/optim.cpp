// adam_update(param, grad, m, v, hyper): one Adam step in BrainPy's form, written into param, m
// and v (a side effect; the node has no result). hyper is f32[5] = [lr, beta1, beta2, eps, t]
// with t the 1-based step number, so the learning rate and step live in graph state:
//   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  p -= lr_t m / (sqrt(v) + eps)
// sgd_update(param, grad, velocity, hyper): SGD with momentum, below.
//
// Per-member rows: for a param stacked on a leading member axis [K, ...] (an ensemble), hyper may
// be f32[K, 5] (sgd: f32[K, 3]), one row per member: row k updates param[k] (its own lr, and its
// own step counter), so K members train with K learning rates in one update.
#include <cmath>

#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

/// Checks \p hyper against \p param: f32[width], or f32[K, width] with K the param's leading
/// dim (one row per member). \p layout names the row, e.g. "[lr, momentum, t]".
void checkHyper(const TensorType& hyper, const TensorType& param, int64_t width, const char* layout) {
  if (hyper == TensorType::f32({width})) return;
  if (hyper.dtype == DType::F32 && hyper.dims.size() == 2 && hyper.dims[1] == width) {
    if (!param.dims.empty() && hyper.dims[0] == param.dims[0]) return;
    MNEMO_FAIL("hyper f32[K," << width << "] holds one row per member of the param's leading axis, so K must be "
                             << (param.dims.empty() ? std::string("that axis, but the param is a scalar")
                                                    : std::to_string(param.dims[0]) + ", got " + std::to_string(hyper.dims[0])));
  }
  MNEMO_FAIL("hyper must be f32[" << width << "] = " << layout << " or f32[K," << width << "] (one row per member), got "
                                  << hyper.str());
}

/// The hyper row that applies to element \p i of a param of \p count elements.
size_t hyperRow(const RefTensor& hyper, size_t width, size_t i, size_t count) {
  const size_t rows = hyper.size() / width;
  return i / (count / rows);
}

TensorType adamType(const std::vector<TensorType>& ins, const OpAttrs&) {
  const char* names[] = {"param", "grad", "m", "v"};
  for (int i = 0; i < 4; ++i) {
    if (ins[i].dtype != DType::F32 || ins[i].dims != ins[0].dims)
      MNEMO_FAIL(names[i] << " must be " << ins[0].str() << " like the param, got " << ins[i].str());
  }
  checkHyper(ins[4], ins[0], 5, "[lr, beta1, beta2, eps, t]");
  return TensorType::none();
}

void evalAdam(const Node&, const std::vector<RefTensor*>& ins, RefTensor&) {
  RefTensor& p = *ins[0];
  const RefTensor& g = *ins[1];
  RefTensor& m = *ins[2];
  RefTensor& v = *ins[3];
  const RefTensor& h = *ins[4];
  for (size_t i = 0; i < p.size(); ++i) {
    const size_t row = 5 * hyperRow(h, 5, i, p.size());
    double lr = h[row], b1 = h[row + 1], b2 = h[row + 2], eps = h[row + 3], t = h[row + 4];
    if (t < 1) MNEMO_FAIL("adam step counter must be at least 1, got " << t);
    double lrt = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= lrt * m[i] / (std::sqrt(v[i]) + eps);
  }
}

/// sgd_update(param, grad, velocity, hyper), hyper = [lr, momentum, t] (t only counts steps),
/// or one such row per member:
///   v = momentum v + g;  p -= lr v
TensorType sgdType(const std::vector<TensorType>& ins, const OpAttrs&) {
  const char* names[] = {"param", "grad", "velocity"};
  for (int i = 0; i < 3; ++i) {
    if (ins[i].dtype != DType::F32 || ins[i].dims != ins[0].dims)
      MNEMO_FAIL(names[i] << " must be " << ins[0].str() << " like the param, got " << ins[i].str());
  }
  checkHyper(ins[3], ins[0], 3, "[lr, momentum, t]");
  return TensorType::none();
}

void evalSgd(const Node&, const std::vector<RefTensor*>& ins, RefTensor&) {
  RefTensor& p = *ins[0];
  const RefTensor& g = *ins[1];
  RefTensor& v = *ins[2];
  const RefTensor& h = *ins[3];
  for (size_t i = 0; i < p.size(); ++i) {
    const size_t row = 3 * hyperRow(h, 3, i, p.size());
    const double lr = h[row], momentum = h[row + 1];
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
