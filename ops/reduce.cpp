// Reductions: reduce_sum, reduce_mean and reduce_max over a list of axes (removed from the
// result), and argmax along one axis (first maximum on ties; an i64 result with no gradient).
// reduce_max's gradient goes to the elements equal to the maximum, shared evenly among ties.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"
#include "ops/shape_util.h"

namespace mnemo {

namespace {

TensorType reduceType(const std::vector<TensorType>& ins, const OpAttrs& attrs) {
  requireF32(ins[0], "operand");
  std::vector<int64_t> axes = attrs.get<std::vector<int64_t>>("axes");
  if (axes.empty()) MNEMO_FAIL("axes must name at least one axis");
  for (size_t i = 0; i < axes.size(); ++i) {
    checkAxis(axes[i], ins[0].rank());
    if (i && axes[i] <= axes[i - 1]) MNEMO_FAIL("axes " << dimsStr(axes) << " must be strictly increasing");
  }
  Dims out;
  for (int i = 0; i < ins[0].rank(); ++i)
    if (!std::count(axes.begin(), axes.end(), i)) out.push_back(ins[0].dims[i]);
  return TensorType::f32(out);
}

/// The operand's dims with the reduced axes kept as 1 (the shape the result broadcasts from).
Dims keptDims(const Dims& in, const std::vector<int64_t>& axes) {
  Dims kept = in;
  for (int64_t a : axes) kept[a] = 1;
  return kept;
}

int64_t reducedCount(const Dims& in, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t a : axes) n *= in[a];
  return n;
}

void evalReduceSum(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<size_t> map = broadcastIndexMap(ins[0]->type.dims, keptDims(ins[0]->type.dims, n.attr<std::vector<int64_t>>("axes")));
  for (double& x : out.data) x = 0;
  for (size_t i = 0; i < ins[0]->size(); ++i) out[map[i]] += (*ins[0])[i];
}

void evalReduceMean(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  evalReduceSum(n, ins, out);
  double count = static_cast<double>(reducedCount(ins[0]->type.dims, n.attr<std::vector<int64_t>>("axes")));
  for (double& x : out.data) x /= count;
}

void evalReduceMax(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<size_t> map = broadcastIndexMap(ins[0]->type.dims, keptDims(ins[0]->type.dims, n.attr<std::vector<int64_t>>("axes")));
  for (double& x : out.data) x = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < ins[0]->size(); ++i) {
    const double v = (*ins[0])[i];
    double& m = out[map[i]];
    if (v > m || std::isnan(v)) m = std::isnan(m) ? m : v;  // NaN wins, as in the loop kernel
  }
}

Node* spreadBack(Builder& b, Node* n, Node* g) {
  const Dims& in = n->operand(0)->dims();
  Dims kept = keptDims(in, n->attr<std::vector<int64_t>>("axes"));
  Node* shaped = g->dims() == kept ? g : b.reshape(g, kept);
  return b.broadcast(shaped, in);
}

std::vector<Node*> vjpReduceSum(Builder& b, Node* n, Node* g) { return {spreadBack(b, n, g)}; }
std::vector<Node*> vjpReduceMean(Builder& b, Node* n, Node* g) {
  double count = static_cast<double>(reducedCount(n->operand(0)->dims(), n->attr<std::vector<int64_t>>("axes")));
  return {b.mul(spreadBack(b, n, g), b.constant(1.0 / count))};
}

/// g to the elements that equal the maximum, divided by how many there are along the axes.
std::vector<Node*> vjpReduceMax(Builder& b, Node* n, Node* g) {
  Node* x = n->operand(0);
  const std::vector<int64_t> axes = n->attr<std::vector<int64_t>>("axes");
  const Dims kept = keptDims(x->dims(), axes);
  auto asKept = [&](Node* v) { return v->dims() == kept ? v : b.reshape(v, kept); };  // broadcasts against x
  Node* atMax = b.create(OpKind::Equal, {x, asKept(n)});
  Node* share = b.create(OpKind::Div, {asKept(g), asKept(b.reduceSum(atMax, axes))});
  return {b.mul(atMax, share)};
}

TensorType argmaxType(const std::vector<TensorType>& ins, const OpAttrs& attrs) {
  requireF32(ins[0], "operand");
  int64_t axis = attrs.get<int64_t>("axis");
  checkAxis(axis, ins[0].rank());
  Dims out = ins[0].dims;
  out.erase(out.begin() + axis);
  return TensorType::i64(out);
}

void evalArgmax(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  const Dims& d = ins[0]->type.dims;
  int64_t axis = n.attr<int64_t>("axis");
  int64_t outer = 1, inner = 1, len = d[axis];
  for (int64_t i = 0; i < axis; ++i) outer *= d[i];
  for (size_t i = axis + 1; i < d.size(); ++i) inner *= d[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t k = 1; k < len; ++k)
        if ((*ins[0])[(o * len + k) * inner + i] > (*ins[0])[(o * len + best) * inner + i]) best = k;
      out[o * inner + i] = static_cast<double>(best);
    }
}

}  // namespace

void describeReduceOps(OpInfo* t) {
  define(t, OpKind::ReduceSum, {requiredAttr("axes", AttrKind::IntList)}, reduceType, evalReduceSum, vjpReduceSum);
  define(t, OpKind::ReduceMean, {requiredAttr("axes", AttrKind::IntList)}, reduceType, evalReduceMean, vjpReduceMean);
  define(t, OpKind::ReduceMax, {requiredAttr("axes", AttrKind::IntList)}, reduceType, evalReduceMax, vjpReduceMax);
  define(t, OpKind::ArgMax, {requiredAttr("axis", AttrKind::Int)}, argmaxType, evalArgmax, nullptr);
}

}  // namespace mnemo
