#include "ops/composites.h"

namespace mnemo {

Node* mse(Builder& b, Node* pred, Node* target, const std::string& name) {
  Node* squared = b.square(b.sub(pred, target));
  std::vector<int64_t> axes;
  for (int64_t a = 0; a < squared->type().rank(); ++a) axes.push_back(a);
  if (axes.empty()) return squared;  // a scalar is its own mean
  return b.create(OpKind::ReduceMean, {squared}, {{"axes", axes}}, name);
}

Node* softmax(Builder& b, Node* x, int64_t axis, const std::string& name) {
  Node* e = b.exp(x);
  Dims kept = x->dims();
  if (axis >= 0 && axis < static_cast<int64_t>(kept.size())) kept[static_cast<size_t>(axis)] = 1;
  Node* total = b.reshape(b.reduceSum(e, {axis}), kept);  // broadcasts back along the axis
  return b.create(OpKind::Div, {e, total}, {}, name);
}

Node* logsumexp(Builder& b, Node* x, int64_t axis, const std::string& name) {
  return b.create(OpKind::Log, {b.reduceSum(b.exp(x), {axis})}, {}, name);
}

}  // namespace mnemo
