// time-batch: turns per-time-step matmuls that are off the recurrence into one large matmul.
//
// 1. Matmuls that share their right operand (a weight) and are independent of each other — no
//    member reaches another through the graph — are stacked along a new leading axis:
//
//      %a_t = matmul(%x_t, %w)   t = 0..T-1        %s = stack(%x_0, …, %x_T-1)      [T,B,K]
//                                            →     %y = matmul(reshape(%s), %w)     [T·B,N]
//                                                  %a_t = select(reshape(%y), t)    views
//
//    The input projection x_t·W_ir, the readout h_t·W_ro and its gradient δ_t·W_roᵀ qualify;
//    the recurrent h_t·W_rr does not (each step reaches the next). Members are grouped by how
//    many members lie on paths into them, so a group is always independent. With the
//    micro-kernel, a shallow product added to a recurrent one (microSecondProduct: x_t·W_ir with
//    two inputs) stays per step: the micro-kernel step computes both products in one tile.
// 2. A sum of per-step weight-gradient products Σ_t A_tᵀ·B_t (an add tree whose leaves are
//    matmuls with transpose_a) becomes one product of the stacked operands (batched products
//    [G,R,M]ᵀ·[G,R,N], an ensemble's, stack along axis 1: one product per batch index), and a sum
//    of equal reductions Σ_t reduce_sum(X_t) one reduction of the stacked X_t. Part 1 leaves
//    batched matmuls alone.
//
// Stacks of consecutive selects cancel in `simplify`, equal stacks merge in `cse`, and the old
// nodes are left for `dce`. The graph is then rescheduled so every new node comes after its
// operands while keeping the original order wherever it can.
#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include "ops/builder.h"
#include "support/error.h"
#include "support/limits.h"
#include "graph/passes/passes.h"
#include "runtime/target/fusion_rules.h"

namespace mnemo {

namespace {

/// Each node's position in the order when the pass looked, in a table indexed by Node::id (hash
/// maps keyed by node made this pass slow on long sequences); nodes made later have none.
struct Positions {
  explicit Positions(const Graph& g) : index(g.idBound(), -1) {
    int64_t i = 0;
    for (const Node* n : g.nodes()) index[n->id()] = i++;
  }
  std::vector<int64_t> index;
  bool has(const Node* n) const { return n->id() < index.size() && index[n->id()] >= 0; }
  int64_t of(const Node* n) const {
    MNEMO_CHECK(has(n), "time-batch: %" << n->name() << " has no position");
    return index[n->id()];
  }
};

/// Can \p count values of \p elements each be stacked into one tensor (support/limits.h)? A model
/// too large for that keeps its per-step products, and the memory plan then says what it needs.
bool stackable(int64_t count, int64_t elements) { return elements <= limits::kMaxElements / count; }

/// The order in which per-step operands are stacked: slices of one tensor by their index (so the
/// stack cancels against the slices), anything else by position.
using StackKey = std::pair<double, int64_t>;
StackKey stackKey(const Node* v, const std::function<double(const Node*)>& rank) {
  if (v->kind() == OpKind::Select && v->attr<int64_t>("axis") == 0)
    return {rank(v->operand(0)), v->attr<int64_t>("index")};
  return {rank(v), 0};
}

/// For each member (by id), the largest number of \p members on one path into it (the member
/// excluded); other entries are -1 or whatever the walk passed on the way. Walks operands from
/// the members only, rather than the whole graph in order: nodes an earlier group made stand at
/// the end of the graph until it is rescheduled, after their users, and an ensemble's graph has
/// one group per member and weight, so a whole-graph walk per group cost members² on it.
std::vector<int> membersAbove(const Graph& g, const std::vector<Node*>& members) {
  std::vector<char> isMember(g.idBound(), 0);
  for (const Node* m : members) isMember[m->id()] = 1;
  std::vector<int> count(g.idBound(), -1);  // -1: not counted yet
  auto counted = [&](const Node* n) { return count[n->id()] >= 0; };
  std::vector<std::pair<const Node*, bool>> todo;  // (node, operands already pushed)
  for (const Node* root : members) {
    todo.push_back({root, false});
    while (!todo.empty()) {
      auto [n, expanded] = todo.back();
      if (counted(n)) {
        todo.pop_back();
        continue;
      }
      if (!expanded) {
        todo.back().second = true;
        for (const Node* op : n->operands())
          if (!counted(op)) todo.push_back({op, false});
        continue;
      }
      todo.pop_back();
      int c = 0;
      for (const Node* op : n->operands()) c = std::max(c, count[op->id()] + isMember[op->id()]);
      count[n->id()] = c;
    }
  }
  return count;
}

bool batchSharedWeights(Graph& g, bool microKernels, std::unordered_map<const Node*, double>& priority,
                        std::vector<std::string>& notes) {
  Positions pos(g);
  std::map<std::string, std::vector<Node*>> groups;
  int keptPerStep = 0;
  for (Node* n : g.nodes()) {
    // A batched (rank-3) matmul is left alone: its rows are not the batch's.
    if (n->kind() != OpKind::MatMul || n->attr<bool>("transpose_a") || n->dims().size() != 2) continue;
    if (microKernels && microSecondProduct(n)) {  // cheaper inside its partner's micro-kernel step
      ++keptPerStep;
      continue;
    }
    std::string key = n->operand(1)->name() + "|" + (n->attr<bool>("transpose_b") ? "T" : "N") + "|" +
                      n->operand(0)->type().str() + "|" + stageName(n->stage());
    groups[key].push_back(n);
  }
  bool changed = false;
  for (auto& [key, candidates] : groups) {
    if (candidates.size() < 2) continue;
    std::vector<int> level = membersAbove(g, candidates);
    std::map<int, std::vector<Node*>> byLevel;
    for (Node* m : candidates) byLevel[level[m->id()]].push_back(m);
    for (auto& [lvl, group] : byLevel) {
      if (group.size() < 2) continue;
      // Nodes made for an earlier group have no position yet; their priority stands in for it.
      auto rank = [&](const Node* x) { return pos.has(x) ? static_cast<double>(pos.of(x)) : priority.at(x); };
      std::sort(group.begin(), group.end(),
                [&](Node* a, Node* b) { return stackKey(a->operand(0), rank) < stackKey(b->operand(0), rank); });
      const int64_t count = static_cast<int64_t>(group.size());
      if (!stackable(count, group[0]->operand(0)->type().numel()) || !stackable(count, group[0]->type().numel())) {
        notes.push_back("time-batch: " + std::to_string(count) + " matmuls with %" + group[0]->operand(1)->name() +
                        " stay per step: stacked they would pass the element limit");
        continue;
      }
      Node* first = *std::min_element(group.begin(), group.end(), [&](Node* a, Node* b) { return pos.of(a) < pos.of(b); });
      Builder b(g, first->stage());
      std::vector<Node*> made;  // listed as made, not found by a walk over the whole graph per group
      b.recordInto(&made);
      size_t before = g.size();
      std::vector<Node*> lhs;
      for (Node* m : group) lhs.push_back(m->operand(0));
      const Dims& a = lhs[0]->dims();
      const int64_t n = static_cast<int64_t>(group.size());
      Node* stacked = b.reshape(b.stack(lhs, 0), {n * a[0], a[1]});
      Node* product = b.matmul(stacked, group[0]->operand(1), false, group[0]->attr<bool>("transpose_b"));
      Node* perStep = b.reshape(product, {n, a[0], product->dims()[1]});
      for (int64_t k = 0; k < n; ++k) {
        Node* view = b.select(perStep, 0, k);
        priority[view] = static_cast<double>(pos.of(group[k])) - 0.5;
        g.replaceAllUsesThenReschedule(group[k], view);
      }
      for (Node* created : made)  // apart from the views
        if (!priority.count(created)) priority[created] = static_cast<double>(pos.of(first)) - 0.5;
      notes.push_back("time-batch: " + std::to_string(n) + " matmuls with %" + group[0]->operand(1)->name() +
                      " -> one " + product->type().str() + " matmul (+" + std::to_string(g.size() - before) + " nodes)");
      changed = true;
    }
  }
  if (keptPerStep > 0)
    notes.push_back("time-batch: " + std::to_string(keptPerStep) +
                    " shallow matmuls stay per step, each the second product of a micro-kernel step");
  return changed;
}

/// Collects the leaves of the add tree rooted at \p n (inner adds have one use and the same type).
void sumTerms(Node* n, bool root, std::vector<Node*>& terms) {
  bool inner = n->kind() == OpKind::Add && (root || n->uses().size() == 1) && n->operand(0)->type() == n->type() &&
               n->operand(1)->type() == n->type();
  if (!inner) {
    terms.push_back(n);
    return;
  }
  sumTerms(n->operand(0), false, terms);
  sumTerms(n->operand(1), false, terms);
}

bool isSumRoot(const Node* n) {
  if (n->kind() != OpKind::Add) return false;
  if (n->uses().size() != 1) return true;
  const Node* user = n->uses()[0].user;
  return !(user->kind() == OpKind::Add && user->type() == n->type());
}

bool allSelects(const std::vector<Node*>& terms, int operand) {
  for (const Node* t : terms)
    if (t->operand(operand)->kind() != OpKind::Select) return false;
  return true;
}

/// An existing stack along axis 0, placed before \p before, of exactly \p parts in any order
/// (a sum does not care about the order).
Node* existingStack(const std::vector<Node*>& parts) {
  std::vector<Node*> sorted = parts;
  std::sort(sorted.begin(), sorted.end());
  for (const Use& u : parts[0]->uses()) {
    Node* s = u.user;
    if (s->kind() != OpKind::Stack || s->attr<int64_t>("axis") != 0 ||
        s->numOperands() != static_cast<int>(parts.size()))
      continue;
    std::vector<Node*> ops = s->operands().vec();
    std::sort(ops.begin(), ops.end());
    if (ops == sorted) return s;
  }
  return nullptr;
}

/// \returns the batched replacement of a sum of \p terms, or null if they do not all match.
Node* batchSum(Builder& b, std::vector<Node*> terms, const Positions& pos) {
  const Node* t0 = terms[0];
  for (const Node* t : terms) {
    bool sameForm = t->kind() == t0->kind() && t->attrs() == t0->attrs() && t->uses().size() == 1;
    for (int i = 0; sameForm && i < t->numOperands(); ++i) sameForm = t->operand(i)->type() == t0->operand(i)->type();
    if (!sameForm) return nullptr;
  }
  const int64_t count = static_cast<int64_t>(terms.size());
  for (const Node* op : t0->operands())
    if (!stackable(count, op->type().numel())) return nullptr;
  // Order the terms so that a side made of slices stacks back into its source.
  auto rank = [&](const Node* v) { return static_cast<double>(pos.of(v)); };
  int by = t0->numOperands() > 1 && !allSelects(terms, 0) && allSelects(terms, 1) ? 1 : 0;
  std::sort(terms.begin(), terms.end(),
            [&](Node* a, Node* c) { return stackKey(a->operand(by), rank) < stackKey(c->operand(by), rank); });
  const int64_t n = static_cast<int64_t>(terms.size());
  auto stackOperand = [&](int i) {
    std::vector<Node*> parts;
    for (Node* t : terms) parts.push_back(t->operand(i));
    Node* reuse = t0->kind() == OpKind::ReduceSum ? existingStack(parts) : nullptr;
    return reuse ? reuse : b.stack(parts, 0);
  };
  if (t0->kind() == OpKind::MatMul && t0->attr<bool>("transpose_a") && !t0->attr<bool>("transpose_b") &&
      t0->dims().size() == 2) {
    const Dims& a = t0->operand(0)->dims();
    const Dims& c = t0->operand(1)->dims();
    return b.matmul(b.reshape(stackOperand(0), {n * a[0], a[1]}), b.reshape(stackOperand(1), {n * c[0], c[1]}), true, false);
  }
  if (t0->kind() == OpKind::MatMul && t0->attr<bool>("transpose_a") && !t0->attr<bool>("transpose_b")) {
    // Batched terms [G,R,M]ᵀ·[G,R,N] (an ensemble's members): the rows join per batch index.
    auto rowsOf = [&](int i) {
      std::vector<Node*> parts;
      for (Node* t : terms) parts.push_back(t->operand(i));
      const Dims& d = parts[0]->dims();
      return b.reshape(b.stack(parts, 1), {d[0], n * d[1], d[2]});
    };
    return b.matmul(rowsOf(0), rowsOf(1), true, false);
  }
  if (t0->kind() == OpKind::ReduceSum) {
    std::vector<int64_t> axes = {0};
    for (int64_t ax : t0->attr<std::vector<int64_t>>("axes")) axes.push_back(ax + 1);
    return b.reduceSum(stackOperand(0), axes);
  }
  return nullptr;
}

/// Batches the sums whose terms are of kind \p kind. The new nodes are built at the end of the
/// graph (a reused stack may stand after the sum) and placed by reschedule at the sum's position.
bool batchGradientSums(Graph& g, OpKind kind, std::vector<std::string>& notes) {
  Positions pos(g);
  std::unordered_map<const Node*, double> priority;
  for (Node* root : g.nodes()) {
    if (!isSumRoot(root)) continue;
    std::vector<Node*> terms;
    sumTerms(root, true, terms);
    if (terms.size() < 2 || terms[0]->kind() != kind) continue;
    Builder b(g, root->stage());
    std::vector<Node*> made;
    b.recordInto(&made);
    size_t before = g.size();
    Node* batched = batchSum(b, terms, pos);
    if (!batched) continue;
    for (Node* created : made) priority[created] = static_cast<double>(pos.of(root)) - 0.5;
    g.replaceAllUsesThenReschedule(root, batched);
    notes.push_back("time-batch: sum of " + std::to_string(terms.size()) + " " + opName(kind) + " terms -> " +
                    batched->type().str() + " (+" + std::to_string(g.size() - before) + " nodes)");
  }
  if (priority.empty()) return false;
  g.reschedule(priority);
  return true;
}

class TimeBatchPass : public Pass {
 public:
  explicit TimeBatchPass(bool microKernels) : microKernels_(microKernels) {}
  const char* name() const override { return "time-batch"; }
  bool run(Graph& g, PassContext& ctx) override {
    std::unordered_map<const Node*, double> priority;
    std::vector<std::string> notes;
    bool changed = batchSharedWeights(g, microKernels_, priority, notes);
    if (changed) g.reschedule(priority);
    // Products first: a sum of reductions then reuses a stack the products made, in any order.
    changed = batchGradientSums(g, OpKind::MatMul, notes) || changed;
    changed = batchGradientSums(g, OpKind::ReduceSum, notes) || changed;
    if (ctx.explain) ctx.notes.insert(ctx.notes.end(), notes.begin(), notes.end());
    return changed;
  }

 private:
  bool microKernels_;
};

}  // namespace

std::unique_ptr<Pass> createTimeBatchPass(bool microKernels) { return std::make_unique<TimeBatchPass>(microKernels); }

}  // namespace mnemo
