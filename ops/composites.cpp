#include "ops/composites.h"

#include "support/error.h"

namespace mnemo {

Node* mse(Builder& b, Node* pred, Node* target, const std::string& name) {
  Node* squared = b.square(b.sub(pred, target));
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < squared->type().rank(); ++a) axes.push_back(a);
  if (axes.empty()) return squared;  // a scalar is its own mean
  return b.create(OpKind::ReduceMean, {squared}, {{"axes", axes}}, name);
}

Node* mse(Builder& b, Node* pred, Node* target, Node* weights, const std::string& name) {
  Node* squared = b.square(b.sub(pred, target));
  const Dims& d = squared->dims();
  Dims perPosition(d.begin(), d.end() - (d.empty() ? 0 : 1));
  const bool full = weights->type() == TensorType::f32(d);
  const bool positions = !d.empty() && weights->type() == TensorType::f32(perPosition);
  if (!full && !positions)
    MNEMO_FAIL("mse(pred, target, weights): weights must be f32" << dimsStr(d) << " or f32" << dimsStr(perPosition)
                                                                << " (one per position), got " << weights->type().str());
  if (!full) {
    Dims kept = d;
    kept.back() = 1;
    weights = b.reshape(weights, kept);  // broadcasts over the last axis
  }
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < squared->type().rank(); ++a) axes.push_back(a);
  Node* weighted = b.mul(squared, weights);
  if (axes.empty()) return weighted;
  return b.create(OpKind::ReduceMean, {weighted}, {{"axes", axes}}, name);
}

namespace {

/// x less its maximum along \p axis, kept as 1 in \p *maxKept so that it broadcasts back: exp
/// of it cannot overflow, and softmax and logsumexp are unchanged by the shift (their gradient
/// through the maximum is zero, up to rounding). A bad axis fails in reduce_max's shape rule,
/// which names the op.
Node* shiftedByMax(Builder& b, Node* x, int64_t axis, Node** maxKept) {
  Node* m = b.reduceMax(x, {axis});
  Dims kept = x->dims();
  kept[static_cast<size_t>(axis)] = 1;
  *maxKept = b.reshape(m, kept);
  return b.sub(x, *maxKept);
}

}  // namespace

Node* softmax(Builder& b, Node* x, int64_t axis, const std::string& name) {
  Node* maxKept;
  Node* e = b.exp(shiftedByMax(b, x, axis, &maxKept));
  Node* total = b.reshape(b.reduceSum(e, {axis}), maxKept->dims());  // broadcasts back along the axis
  return b.create(OpKind::Div, {e, total}, {}, name);
}

Node* logsumexp(Builder& b, Node* x, int64_t axis, const std::string& name) {
  Node* maxKept;
  Node* sum = b.reduceSum(b.exp(shiftedByMax(b, x, axis, &maxKept)), {axis});
  return b.create(OpKind::Add, {b.log(sum), b.reshape(maxKept, sum->dims())}, {}, name);
}

}  // namespace mnemo
