// simplify: algebraic simplification and constant folding, repeated until nothing changes.
//
// Constants in mnemo are uniform fills, so any elementwise op, reduction or shape op whose
// operands are all constants folds to a constant. The algebraic rules remove what the unrolled
// notebook model leaves behind, chiefly the leak term with α = dt/τ = 1:
//
//   %l = mul(%h, %c0)        // h·(1−α) with 1−α = 0        %l  → constant 0
//   %d = mul(%ins, %c1)      // ins·α with α = 1             %d  → %ins
//   %s = add(%l, %d)                                         %s  → %ins
//
// Rules: x·0 → 0, x·1 → x, x+0 → x, x−0 → x, 0−x → −x, x/1 → x, −(−x) → x, matmul with a zero
// operand → 0, relu_grad with a zero operand → 0, reshape to the same shape → x,
// reshape(reshape(x)) → reshape(x), select(stack(parts), k) → parts[k],
// stack(select(X, 0), …, select(X, n−1)) → X, and stack over t of op(select(Y, t), c) →
// op(Y, c) (what time batching leaves of the per-step readout bias), and a sum of
// insert_slices into one shape → a stack of the per-index sums (below). A rule fires only when
// the replacement has the node's exact type.
//
// The insert_slice rule is what keeps a stacked parameter cheap: `w[k]` in an unrolled step
// block is a select per step, whose gradient is one insert_slice per step, all added up.
//
//   %g = add(add(insert_slice(%a0, k=0), insert_slice(%a1, k=1)), insert_slice(%a2, k=0))
//     → %g = stack(add(%a0, %a2), %a1)       (zeros for an index nobody writes)
//
// leaves sums of per-step products that time batching turns into one matmul each. Ranges of a
// param (`w[:, 0:H]`) work the same way: their gradients are zero-padded pieces (concat with
// zero constants), and a sum of them becomes one concat of the per-range sums. For the same
// reason a sum of products with one shared factor is factored, Σ_t A_t·c → (Σ_t A_t)·c: a
// param scaled in the step (`h @ (w * mask)`) has one such term per step in its gradient.
#include <cmath>
#include <map>

#include "ops/builder.h"
#include "support/error.h"
#include "graph/passes/passes.h"
#include "ops/ref_tensor.h"
#include "ops/match.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

bool isConstant(const Node* n, double v) {
  double c;
  return scalarConstant(n, &c) && c == v;
}

/// Folds \p n when every operand is a constant; \returns the constant's value.
bool foldConstant(const Node* n, double* value) {
  std::vector<double> values;
  for (const Node* op : n->operands()) {
    double v;
    if (!scalarConstant(op, &v)) return false;
    values.push_back(v);
  }
  if (values.empty()) return false;
  switch (opInfo(n->kind()).category) {
    case Category::Elementwise: {
      std::vector<RefTensor> ins;
      for (double v : values) ins.emplace_back(TensorType::f32({}), std::vector<double>{v});
      std::vector<RefTensor*> ptrs;
      for (RefTensor& t : ins) ptrs.push_back(&t);
      RefTensor out(TensorType::f32({}));
      opInfo(n->kind()).evaluate(*n, ptrs, out);
      *value = out[0];
      return true;
    }
    case Category::Shape:
      if (n->kind() == OpKind::InsertSlice) return false;  // zeros around the slice: not uniform
      for (double v : values)
        if (v != values[0]) return false;
      *value = values[0];
      return true;
    case Category::Reduction:
      if (n->kind() == OpKind::ArgMax) return false;
      *value = n->kind() == OpKind::ReduceMean || n->kind() == OpKind::ReduceMax
                   ? values[0]
                   : values[0] * static_cast<double>(n->operand(0)->type().numel() / std::max<int64_t>(n->type().numel(), 1));
      return true;
    default: return false;
  }
}

/// stack(select(X, ax, 0), ..., select(X, ax, n-1), axis=ax) is X itself: \returns X or null.
Node* stackOfSelects(Node* n) {
  int64_t axis = n->attr<int64_t>("axis");
  Node* source = nullptr;
  for (int k = 0; k < n->numOperands(); ++k) {
    Node* part = n->operand(k);
    if (part->kind() != OpKind::Select || part->attr<int64_t>("axis") != axis || part->attr<int64_t>("index") != k)
      return nullptr;
    if (source && part->operand(0) != source) return nullptr;
    source = part->operand(0);
  }
  return source;
}

/// stack(op(select(Y,0,0), c), …, op(select(Y,0,n−1), c)) along axis 0 is op(Y, c) when c is
/// one node whose rank does not exceed a part's (so it broadcasts the same way against Y) and
/// op broadcasts at all (relu_grad and the other same-shape ops do not: c cannot meet Y).
Node* sinkStack(Builder& b, Node* n) {
  if (n->attr<int64_t>("axis") != 0) return nullptr;
  Node* first = n->operand(0);
  const OpInfo& info = opInfo(first->kind());
  if (info.category != Category::Elementwise || first->numOperands() != 2 || !info.hasFlag(kBroadcast)) return nullptr;
  int sliced = first->operand(0)->kind() == OpKind::Select ? 0 : 1;
  Node* source = first->operand(sliced)->kind() == OpKind::Select ? first->operand(sliced)->operand(0) : nullptr;
  Node* shared = first->operand(1 - sliced);
  if (!source || source->dims() != n->dims() || shared->type().rank() > first->type().rank()) return nullptr;
  for (int k = 0; k < n->numOperands(); ++k) {
    Node* part = n->operand(k);
    if (part->kind() != first->kind() || part->operand(1 - sliced) != shared) return nullptr;
    Node* slice = part->operand(sliced);
    if (slice->kind() != OpKind::Select || slice->operand(0) != source || slice->attr<int64_t>("axis") != 0 ||
        slice->attr<int64_t>("index") != k)
      return nullptr;
  }
  std::vector<Node*> operands = {source, shared};
  if (sliced == 1) std::swap(operands[0], operands[1]);
  Node* whole = b.create(first->kind(), operands);
  return whole->type() == n->type() ? whole : nullptr;
}

/// The leaves of the add tree rooted at \p n: inner adds have one use and \p n's type.
void addLeaves(Node* n, bool root, const TensorType& type, std::vector<Node*>& leaves) {
  bool inner = n->kind() == OpKind::Add && (root || n->uses().size() == 1) && n->operand(0)->type() == type &&
               n->operand(1)->type() == type;
  if (!inner) {
    leaves.push_back(n);
    return;
  }
  addLeaves(n->operand(0), false, type, leaves);
  addLeaves(n->operand(1), false, type, leaves);
}

/// The root of a sum: an add that is not itself the only operand-use of a larger add tree.
bool isSumRoot(const Node* n) {
  if (n->kind() != OpKind::Add || n->operand(0)->type() != n->type() || n->operand(1)->type() != n->type()) return false;
  if (n->uses().size() != 1) return true;
  const Node* user = n->uses()[0].user;
  return !(user->kind() == OpKind::Add && user->type() == n->type());
}

/// A sum whose terms include two or more insert_slices along one axis → a stack of the
/// per-index sums, plus the other terms.
Node* sumOfInsertSlices(Builder& b, Node* n) {
  if (!n->hasUses() || !isSumRoot(n)) return nullptr;  // dead adds are left to dce
  std::vector<Node*> leaves, others;
  addLeaves(n, true, n->type(), leaves);
  int64_t axis = -1;
  std::vector<std::vector<Node*>> byIndex;
  size_t slices = 0;
  for (Node* leaf : leaves) {
    if (leaf->kind() != OpKind::InsertSlice || leaf->uses().size() != 1 ||
        (axis >= 0 && leaf->attr<int64_t>("axis") != axis)) {
      others.push_back(leaf);
      continue;
    }
    axis = leaf->attr<int64_t>("axis");
    byIndex.resize(static_cast<size_t>(leaf->attr<int64_t>("size")));
    byIndex[static_cast<size_t>(leaf->attr<int64_t>("index"))].push_back(leaf->operand(0));
    ++slices;
  }
  if (slices < 2) return nullptr;
  Dims part = n->dims();
  part.erase(part.begin() + axis);
  std::vector<Node*> parts;
  for (const std::vector<Node*>& terms : byIndex) {
    Node* sum = terms.empty() ? b.constant(0.0, part) : terms[0];
    for (size_t i = 1; i < terms.size(); ++i) sum = b.add(sum, terms[i]);
    parts.push_back(sum);
  }
  Node* result = b.stack(parts, axis);
  for (Node* other : others) result = b.add(result, other);
  return result;
}

/// A piece of a sum: concat(zeros, G, zeros) along one axis, G at [start, start + len).
struct PaddedPiece {
  int64_t start = 0, len = 0;
  Node* piece = nullptr;
};

/// \returns whether \p n is a single-use concat along \p axis (any axis if -1) of zero constants
/// and exactly one other part, which it describes in \p out.
bool paddedPiece(Node* n, int64_t axis, PaddedPiece* out) {
  if (n->kind() != OpKind::Concat || n->uses().size() != 1) return false;
  const int64_t at = n->attr<int64_t>("axis");
  if (axis >= 0 && at != axis) return false;
  int64_t offset = 0;
  out->piece = nullptr;
  for (Node* part : n->operands()) {
    const int64_t len = part->dims()[at];
    if (!isConstant(part, 0)) {
      if (out->piece) return false;
      *out = {offset, len, part};
    }
    offset += len;
  }
  return out->piece != nullptr;
}

/// A sum whose terms include two or more zero-padded pieces along one axis (the gradients of
/// per-step slices of one tensor, g[:, 0:H] .. g[:, 3H:4H]) → one concat of the per-range sums,
/// plus the other terms. Pieces at overlapping but unequal ranges are left alone.
Node* sumOfPaddedPieces(Builder& b, Node* n) {
  if (!n->hasUses() || !isSumRoot(n)) return nullptr;
  std::vector<Node*> leaves, others;
  addLeaves(n, true, n->type(), leaves);
  int64_t axis = -1;
  std::map<std::pair<int64_t, int64_t>, std::vector<Node*>> byRange;  // (start, len) → pieces
  size_t pieces = 0;
  for (Node* leaf : leaves) {
    PaddedPiece p;
    if (!paddedPiece(leaf, axis, &p)) {
      others.push_back(leaf);
      continue;
    }
    axis = leaf->attr<int64_t>("axis");
    byRange[{p.start, p.len}].push_back(p.piece);
    ++pieces;
  }
  if (pieces < 2) return nullptr;
  int64_t end = 0;
  for (const auto& entry : byRange) {
    if (entry.first.first < end) return nullptr;  // overlapping ranges
    end = entry.first.first + entry.first.second;
  }
  std::vector<Node*> parts;
  int64_t covered = 0;
  auto zeros = [&](int64_t len) {
    Dims d = n->dims();
    d[axis] = len;
    parts.push_back(b.constant(0.0, d));
  };
  for (const auto& [range, terms] : byRange) {
    if (range.first > covered) zeros(range.first - covered);
    Node* sum = terms[0];
    for (size_t i = 1; i < terms.size(); ++i) sum = b.add(sum, terms[i]);
    parts.push_back(sum);
    covered = range.first + range.second;
  }
  if (covered < n->dims()[axis]) zeros(n->dims()[axis] - covered);
  Node* result = parts.size() == 1 ? parts[0] : b.create(OpKind::Concat, parts, {{"axis", axis}});
  for (Node* other : others) result = b.add(result, other);
  return result;
}

/// A sum with two or more terms mul(A_i, c) sharing the factor c (each A_i of the sum's type) →
/// mul(ΣA_i, c) plus the other terms.
Node* factorSharedMul(Builder& b, Node* n) {
  if (!n->hasUses() || !isSumRoot(n)) return nullptr;
  std::vector<Node*> leaves;
  addLeaves(n, true, n->type(), leaves);
  // The factor: the first operand shared by two distinct single-use mul leaves.
  std::map<Node*, int> seen;
  Node* factor = nullptr;
  for (Node* leaf : leaves) {
    if (leaf->kind() != OpKind::Mul || leaf->uses().size() != 1 || leaf->type() != n->type()) continue;
    for (int k = 0; k < 2 && !factor; ++k) {
      const bool counted = k == 1 && leaf->operand(0) == leaf->operand(1);  // x·x is one leaf
      if (!counted && leaf->operand(1 - k)->type() == n->type() && ++seen[leaf->operand(k)] == 2)
        factor = leaf->operand(k);
    }
  }
  if (!factor) return nullptr;
  Node* sum = nullptr;
  std::vector<Node*> others;
  for (Node* leaf : leaves) {
    const bool shares = leaf->kind() == OpKind::Mul && leaf->uses().size() == 1 && leaf->type() == n->type();
    const int k = !shares ? -1 : leaf->operand(0) == factor ? 0 : leaf->operand(1) == factor ? 1 : -1;
    if (k < 0 || leaf->operand(1 - k)->type() != n->type()) {
      others.push_back(leaf);
      continue;
    }
    sum = sum ? b.add(sum, leaf->operand(1 - k)) : leaf->operand(1 - k);
  }
  Node* result = b.mul(sum, factor);
  for (Node* other : others) result = b.add(result, other);
  return result->type() == n->type() ? result : nullptr;
}

/// \returns the simpler value \p n can be replaced with, or null. New nodes go before \p n.
Node* simplifyNode(Builder& b, Node* n) {
  if (n->isLeaf() || n->hasSideEffect() || n->type().dtype != DType::F32) return nullptr;
  double folded;
  if (foldConstant(n, &folded)) return b.constant(folded, n->dims());
  auto same = [&](Node* x) { return x->type() == n->type() ? x : nullptr; };
  auto zeros = [&] { return b.constant(0.0, n->dims()); };
  Node* a = n->numOperands() > 0 ? n->operand(0) : nullptr;
  Node* c = n->numOperands() > 1 ? n->operand(1) : nullptr;
  switch (n->kind()) {
    case OpKind::Mul:
      if (isConstant(a, 0) || isConstant(c, 0)) return zeros();
      if (isConstant(c, 1)) return same(a);
      if (isConstant(a, 1)) return same(c);
      return nullptr;
    case OpKind::Add:
      if (isConstant(c, 0)) return same(a);
      if (isConstant(a, 0)) return same(c);
      if (Node* stacked = sumOfInsertSlices(b, n)) return stacked;
      if (Node* joined = sumOfPaddedPieces(b, n)) return joined;
      return factorSharedMul(b, n);
    case OpKind::Sub:
      if (isConstant(c, 0)) return same(a);
      if (isConstant(a, 0) && c->type() == n->type()) return b.neg(c);
      return nullptr;
    case OpKind::Div: return isConstant(c, 1) ? same(a) : nullptr;
    case OpKind::Neg: return a->kind() == OpKind::Neg ? same(a->operand(0)) : nullptr;
    case OpKind::MatMul:
    case OpKind::ReluGrad:
      return isConstant(a, 0) || isConstant(c, 0) ? zeros() : nullptr;
    case OpKind::SoftmaxXentGrad: return isConstant(n->operand(2), 0) ? zeros() : nullptr;
    case OpKind::Reshape:
      if (a->dims() == n->dims()) return same(a);
      if (a->kind() == OpKind::Reshape) return b.reshape(a->operand(0), n->dims());
      return nullptr;
    case OpKind::Select:
      if (a->kind() == OpKind::Stack && a->attr<int64_t>("axis") == n->attr<int64_t>("axis"))
        return same(a->operand(static_cast<int>(n->attr<int64_t>("index"))));
      return nullptr;
    case OpKind::Stack: return stackOfSelects(n) ? same(stackOfSelects(n)) : sinkStack(b, n);
    default: return nullptr;
  }
}

class SimplifyPass : public Pass {
 public:
  const char* name() const override { return "simplify"; }
  bool run(Graph& g, PassContext&) override {
    bool changed = false;
    for (int round = 0; round < 32; ++round) {
      bool roundChanged = false;
      for (Node* n : g.nodes()) {
        Builder b(g, n->stage());
        b.setInsertPoint(n);
        Node* replacement = simplifyNode(b, n);
        if (!replacement || replacement == n) continue;
        MNEMO_CHECK(replacement->type() == n->type(), "simplify changed the type of %" << n->name());
        g.replaceAndErase(n, replacement);
        roundChanged = true;
      }
      changed = changed || roundChanged;
      if (!roundChanged) break;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createSimplifyPass() { return std::make_unique<SimplifyPass>(); }

}  // namespace mnemo
