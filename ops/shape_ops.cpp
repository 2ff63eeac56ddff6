// Shape ops: reshape, broadcast, select (one index along an axis, which is removed),
// insert_slice (select's inverse placement into zeros), stack (join along a new axis), slice
// (a contiguous range along an axis, which is kept), concat (join along an existing axis) and
// transpose (permute the axes).
#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"
#include "ops/shape_util.h"

namespace mnemo {

namespace {

using Grads = std::vector<Node*>;

int64_t product(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// ---- reshape ----

TensorType reshapeType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  Dims to = attrs.getInts("shape");
  for (int64_t d : to)
    if (d <= 0) MNEMO_FAIL("shape " << dimsStr(to) << " has a non-positive dimension");
  if (product(to) != ins[0].numel())
    MNEMO_FAIL("cannot reshape " << ins[0].str() << " (" << ins[0].numel() << " elements) to "
                                 << dimsStr(to) << " (" << product(to) << " elements)");
  return {ins[0].dtype, to};
}
void evalCopy(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) { out.data = ins[0]->data; }
Grads vjpReshape(Builder& b, Node* n, Node* g) { return {b.reshape(g, n->operand(0)->dims())}; }

// ---- broadcast ----

TensorType broadcastType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  Dims to = attrs.getInts("shape");
  for (int64_t d : to)
    if (d <= 0) MNEMO_FAIL("shape " << dimsStr(to) << " has a non-positive dimension");
  if (broadcastDims(ins[0].dims, to) != to)
    MNEMO_FAIL("cannot broadcast " << ins[0].str() << " to " << dimsStr(to));
  return {ins[0].dtype, to};
}
void evalBroadcast(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<size_t> map = broadcastIndexMap(out.type.dims, ins[0]->type.dims);
  for (size_t i = 0; i < out.size(); ++i) out[i] = (*ins[0])[map[i]];
}
Grads vjpBroadcast(Builder& b, Node* n, Node* g) { return {b.unbroadcast(g, n->operand(0)->dims())}; }

// ---- select / insert_slice ----
// A tensor viewed as [outer, axis, inner]: select copies one [outer, inner] plane out,
// insert_slice writes one plane into zeros.

struct Planes {
  int64_t outer, len, inner;
};
Planes planes(const Dims& full, int64_t axis) {
  Planes p{1, full[axis], 1};
  for (int64_t i = 0; i < axis; ++i) p.outer *= full[i];
  for (size_t i = axis + 1; i < full.size(); ++i) p.inner *= full[i];
  return p;
}

TensorType selectType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  int64_t axis = attrs.getInt("axis"), index = attrs.getInt("index");
  checkAxis(axis, ins[0].rank());
  if (index < 0 || index >= ins[0].dims[axis])
    MNEMO_FAIL("index " << index << " is out of range for axis " << axis << " of " << ins[0].str());
  Dims out = ins[0].dims;
  out.erase(out.begin() + axis);
  return {ins[0].dtype, out};
}
void evalSelect(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  Planes p = planes(ins[0]->type.dims, n.attrs().getInt("axis"));
  int64_t index = n.attrs().getInt("index");
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) out[o * p.inner + i] = (*ins[0])[(o * p.len + index) * p.inner + i];
}
Grads vjpSelect(Builder& b, Node* n, Node* g) {
  int64_t axis = n->attrs().getInt("axis");
  return {b.insertSlice(g, axis, n->attrs().getInt("index"), n->operand(0)->dims()[axis])};
}

TensorType insertSliceType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  int64_t axis = attrs.getInt("axis"), index = attrs.getInt("index"), size = attrs.getInt("size");
  if (axis < 0 || axis > ins[0].rank()) MNEMO_FAIL("axis " << axis << " is out of range for rank " << ins[0].rank() + 1);
  if (index < 0 || index >= size) MNEMO_FAIL("index " << index << " is out of range for size " << size);
  Dims out = ins[0].dims;
  out.insert(out.begin() + axis, size);
  return {ins[0].dtype, out};
}
void evalInsertSlice(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  Planes p = planes(out.type.dims, n.attrs().getInt("axis"));
  int64_t index = n.attrs().getInt("index");
  for (double& x : out.data) x = 0;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) out[(o * p.len + index) * p.inner + i] = (*ins[0])[o * p.inner + i];
}
Grads vjpInsertSlice(Builder& b, Node* n, Node* g) {
  return {b.select(g, n->attrs().getInt("axis"), n->attrs().getInt("index"))};
}

// ---- stack ----

TensorType stackType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  int64_t axis = attrs.getInt("axis");
  for (const TensorType& t : ins)
    if (t != ins[0]) MNEMO_FAIL("all parts must have the same type, got " << ins[0].str() << " and " << t.str());
  if (axis < 0 || axis > ins[0].rank()) MNEMO_FAIL("axis " << axis << " is out of range for rank " << ins[0].rank() + 1);
  Dims out = ins[0].dims;
  out.insert(out.begin() + axis, static_cast<int64_t>(ins.size()));
  return {ins[0].dtype, out};
}
void evalStack(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  Planes p = planes(out.type.dims, n.attrs().getInt("axis"));
  for (int64_t k = 0; k < p.len; ++k)
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t i = 0; i < p.inner; ++i) out[(o * p.len + k) * p.inner + i] = (*ins[k])[o * p.inner + i];
}
Grads vjpStack(Builder& b, Node* n, Node* g) {
  Grads grads;
  for (int k = 0; k < n->numOperands(); ++k) grads.push_back(b.select(g, n->attrs().getInt("axis"), k));
  return grads;
}

// ---- slice / concat ----
// slice keeps `size` planes from `start` along `axis`; concat joins its parts along `axis`. Each
// is the other's gradient: a slice's gradient is its g between zeros, a part's gradient the
// slice of g where the part sits.

TensorType sliceType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  int64_t axis = attrs.getInt("axis"), start = attrs.getInt("start"), size = attrs.getInt("size");
  checkAxis(axis, ins[0].rank());
  const int64_t len = ins[0].dims[axis];
  if (start < 0 || size <= 0 || start > len - size)
    MNEMO_FAIL("slice [" << start << ", " << start + size << ") is not inside axis " << axis << " of " << ins[0].str()
                         << " (length " << len << ")");
  Dims out = ins[0].dims;
  out[axis] = size;
  return {ins[0].dtype, out};
}
void evalSlice(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  Planes p = planes(ins[0]->type.dims, n.attrs().getInt("axis"));
  int64_t start = n.attrs().getInt("start"), size = n.attrs().getInt("size");
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t i = 0; i < p.inner; ++i) out[(o * size + k) * p.inner + i] = (*ins[0])[(o * p.len + start + k) * p.inner + i];
}
Grads vjpSlice(Builder& b, Node* n, Node* g) {
  int64_t axis = n->attrs().getInt("axis"), start = n->attrs().getInt("start"), size = n->attrs().getInt("size");
  const Dims& full = n->operand(0)->dims();
  std::vector<Node*> parts;
  auto zeros = [&](int64_t len) {
    Dims d = full;
    d[axis] = len;
    parts.push_back(b.constant(0.0, d));
  };
  if (start > 0) zeros(start);
  parts.push_back(g);
  if (start + size < full[axis]) zeros(full[axis] - start - size);
  if (parts.size() == 1) return {g};
  return {b.create(OpKind::Concat, parts, {{"axis", axis}})};
}

TensorType concatType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  int64_t axis = attrs.getInt("axis");
  checkAxis(axis, ins[0].rank());
  Dims out = ins[0].dims;
  out[axis] = 0;
  for (const TensorType& t : ins) {
    Dims same = t.dims;
    if (t.rank() == ins[0].rank()) same[axis] = ins[0].dims[axis];
    if (t.dtype != ins[0].dtype || same != ins[0].dims)
      MNEMO_FAIL("parts must agree on every axis but " << axis << ", got " << ins[0].str() << " and " << t.str());
    out[axis] += t.dims[axis];
  }
  return {ins[0].dtype, out};
}
void evalConcat(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  Planes p = planes(out.type.dims, n.attrs().getInt("axis"));
  int64_t offset = 0;
  for (const RefTensor* part : ins) {
    int64_t len = part->type.dims[n.attrs().getInt("axis")];
    for (int64_t o = 0; o < p.outer; ++o)
      for (int64_t k = 0; k < len; ++k)
        for (int64_t i = 0; i < p.inner; ++i) out[(o * p.len + offset + k) * p.inner + i] = (*part)[(o * len + k) * p.inner + i];
    offset += len;
  }
}
Grads vjpConcat(Builder& b, Node* n, Node* g) {
  int64_t axis = n->attrs().getInt("axis"), offset = 0;
  Grads grads;
  for (Node* part : n->operands()) {
    int64_t len = part->dims()[axis];
    grads.push_back(b.create(OpKind::Slice, {g}, {{"axis", axis}, {"start", offset}, {"size", len}}));
    offset += len;
  }
  return grads;
}

// ---- transpose ----
// Result axis i is operand axis perm[i].

TensorType transposeType(const std::vector<TensorType>& ins, const Attrs& attrs) {
  std::vector<int64_t> perm = attrs.getInts("perm");
  if (static_cast<int>(perm.size()) != ins[0].rank())
    MNEMO_FAIL("perm " << dimsStr(perm) << " must name each of the " << ins[0].rank() << " axes of " << ins[0].str() << " once");
  std::vector<bool> seen(perm.size(), false);
  Dims out;
  for (int64_t a : perm) {
    checkAxis(a, ins[0].rank(), "perm axis");
    if (seen[a]) MNEMO_FAIL("perm " << dimsStr(perm) << " names axis " << a << " twice");
    seen[a] = true;
    out.push_back(ins[0].dims[a]);
  }
  return {ins[0].dtype, out};
}
void evalTranspose(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<int64_t> perm = n.attrs().getInts("perm");
  std::vector<int64_t> inStrides = stridesOf(ins[0]->type.dims);
  const Dims& od = out.type.dims;
  std::vector<int64_t> idx(od.size(), 0);
  for (size_t flat = 0; flat < out.size(); ++flat) {
    int64_t src = 0;
    for (size_t i = 0; i < od.size(); ++i) src += idx[i] * inStrides[perm[i]];
    out[flat] = (*ins[0])[src];
    for (int i = static_cast<int>(od.size()) - 1; i >= 0; --i) {
      if (++idx[i] < od[i]) break;
      idx[i] = 0;
    }
  }
}
Grads vjpTranspose(Builder& b, Node* n, Node* g) {
  std::vector<int64_t> perm = n->attrs().getInts("perm"), inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  return {b.create(OpKind::Transpose, {g}, {{"perm", inverse}})};
}

// ---- views: results that need no copy -------------------------------------------------------

// A reshape keeps the bytes in order: always a view.
bool reshapeView(const Node&, size_t* offset) {
  *offset = 0;
  return true;
}
// A select along the outermost axis is one contiguous block of the operand.
bool selectView(const Node& n, size_t* offset) {
  if (n.attrs().getInt("axis") != 0) return false;
  *offset = static_cast<size_t>(n.attrs().getInt("index")) * static_cast<size_t>(n.type().numel());
  return true;
}

}  // namespace

void describeShapeOps(OpInfo* t) {
  define(t, OpKind::Reshape, {{"shape", AttrKind::IntList, true}}, reshapeType, evalCopy, vjpReshape);
  define(t, OpKind::Broadcast, {{"shape", AttrKind::IntList, true}}, broadcastType, evalBroadcast,
         vjpBroadcast);
  define(t, OpKind::Select, {{"axis", AttrKind::Int, true}, {"index", AttrKind::Int, true}},
         selectType, evalSelect, vjpSelect);
  row(t, OpKind::Reshape).view = reshapeView;
  row(t, OpKind::Select).view = selectView;
  define(t, OpKind::InsertSlice,
         {{"axis", AttrKind::Int, true}, {"index", AttrKind::Int, true}, {"size", AttrKind::Int, true}},
         insertSliceType, evalInsertSlice, vjpInsertSlice);
  define(t, OpKind::Stack, {{"axis", AttrKind::Int, false}}, stackType, evalStack, vjpStack);
  define(t, OpKind::Slice,
         {{"axis", AttrKind::Int, true}, {"start", AttrKind::Int, true}, {"size", AttrKind::Int, true}},
         sliceType, evalSlice, vjpSlice);
  define(t, OpKind::Concat, {{"axis", AttrKind::Int, true}}, concatType, evalConcat, vjpConcat);
  define(t, OpKind::Transpose, {{"perm", AttrKind::IntList, true}}, transposeType, evalTranspose, vjpTranspose);
}

}  // namespace mnemo
