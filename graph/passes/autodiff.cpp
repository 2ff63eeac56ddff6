// autodiff: reverse-mode differentiation of a scalar loss, appended to the graph as stage `bwd`.
//
// Algorithm.
//   1. Mark the needed nodes: those that depend on a parameter (forward sweep) and that the loss
//      depends on (backward sweep). Only these are differentiated; a needed op without a gradient
//      rule (kNoGrad) is an error, reported at the first such node in graph order.
//   2. Seed dL/dL = constant 1.0 and walk the needed nodes in reverse graph order. When a node is
//      reached, every user comes later in the order and has already contributed, so its gradient
//      is complete: the op's VJP rule turns it into one contribution per operand.
//   3. A contribution in a broadcast shape is summed back to the operand's shape
//      (Builder::unbroadcast); contributions to a value with several uses are chained with `add`
//      (an unrolled RNN's weight gets T of them: T-1 adds, so the graph stays linear in T).
//   4. Gradients of named values are named `%grad.<name>`; contributions the loss does not need
//      (the gradient for an input x of matmul(x, W)) are erased at the end.
//
// Before / after (loss = sum(x·w + b) with x: [B,I], w: [I,H], b: [H]):
//
//   %0    = matmul(%x, %w)                     %0    = matmul(%x, %w)
//   %1    = add(%0, %b)                        %1    = add(%0, %b)
//   %loss = reduce_sum(%1) {axes=[0,1]}        %loss = reduce_sum(%1) {axes=[0,1]}
//                                            .stage bwd
//                                              %grad.loss = constant {value=1.0} : f32[]
//                                              %2 = reshape(%grad.loss) {shape=[1,1]}
//                                              %3 = broadcast(%2) {shape=[B,H]}
//                                              %grad.b = reduce_sum(%3) {axes=[0]}
//                                              %grad.w = matmul(%x, %3) {transpose_a=true}
#include "graph/passes/autodiff.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "graph/node_map.h"
#include "ops/builder.h"
#include "support/error.h"
#include "ops/match.h"
#include "ops/op_table.h"

namespace mnemo {

Node* AutodiffResult::gradientOf(const Node* param) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i] == param) return grads[i];
  MNEMO_FAIL("autodiff: %" << (param ? param->name() : std::string("?")) << " was not differentiated");
}

Node* AutodiffResult::gradientOf(const std::string& name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i]->name() == name) return grads[i];
  MNEMO_FAIL("autodiff: %" << name << " was not differentiated");
}

namespace {

/// One run of the pass: the marks, the gradient of each needed value and the pass's own nodes.
class Differentiator {
 public:
  Differentiator(Graph& g, Node* loss)
      : g_(g), b_(g, Stage::Bwd), loss_(loss), origin_(g), needed_(g, 0), grad_(g), holders_(g, 0), named_(g, 0) {}

  AutodiffResult run(std::vector<Node*> params, const AutodiffOptions& options) {
    checkLoss();
    if (params.empty())
      for (Node* n : g_.nodes())
        if (n->kind() == OpKind::Param && !n->attr<bool>("fixed")) params.push_back(n);
    checkParams(params);
    order_ = g_.nodes();
    firstNew_ = g_.idBound();
    lossPos_ = std::find(order_.begin(), order_.end(), loss_) - order_.begin();
    markNeeded(params);
    checkRules();

    const size_t sizeBefore = g_.size();
    Node* seed = b_.constant(1.0, {}, "grad." + loss_->name());
    named_[seed] = 1;
    set(loss_, seed);
    for (size_t i = lossPos_ + 1; i-- > 0;) backprop(order_[i]);

    AutodiffResult result;
    result.params = params;
    for (Node* p : params) {
      Node* gp = grad_.get(p) ? grad_.get(p) : b_.constant(0.0, p->dims(), "grad." + p->name());
      result.grads.push_back(gp);
    }
    eraseUnused(result.grads);
    if (options.returnGradients)
      for (Node* gp : result.grads) g_.addOutput(gp);
    result.nodesAdded = static_cast<int64_t>(g_.size()) - static_cast<int64_t>(sizeBefore);
    return result;
  }

 private:
  void checkLoss() {
    MNEMO_CHECK(loss_ != nullptr, "autodiff without a loss");
    if (g_.find(loss_->name()) != loss_) MNEMO_FAIL("autodiff: the loss %" << loss_->name() << " is not in graph @" << g_.name());
    if (loss_->type() != TensorType::f32({}))
      MNEMO_FAIL("autodiff: the loss %" << loss_->name() << " must be an f32[] scalar, got " << loss_->type().str());
    for (Node* n : g_.nodes())
      if (!n->isLeaf() && n->stage() == Stage::Opt)
        MNEMO_FAIL("autodiff: graph @" << g_.name() << " already has an opt stage (%" << n->name() << "); differentiate before adding the optimizer");
  }

  void checkParams(const std::vector<Node*>& params) {
    std::unordered_set<const Node*> seen;
    for (Node* p : params) {
      MNEMO_CHECK(p != nullptr, "null parameter");
      if (g_.find(p->name()) != p) MNEMO_FAIL("autodiff: parameter %" << p->name() << " is not in graph @" << g_.name());
      if ((p->kind() != OpKind::Param && p->kind() != OpKind::Input) || p->type().dtype != DType::F32)
        MNEMO_FAIL("autodiff: can only differentiate with respect to f32 param or input leaves, %"
                   << p->name() << " is " << opName(p->kind()) << " : " << p->type().str());
      if (!seen.insert(p).second) MNEMO_FAIL("autodiff: parameter %" << p->name() << " is listed twice");
    }
  }

  // A node is needed when it depends on a parameter (origin_ says which one reaches it first)
  // and the loss depends on it.
  void markNeeded(const std::vector<Node*>& params) {
    for (Node* p : params) origin_[p] = p;
    for (size_t i = 0; i <= lossPos_; ++i) {
      Node* n = order_[i];
      if (origin_.get(n)) continue;
      for (Node* op : n->operands()) {
        if (origin_.get(op)) {
          origin_[n] = origin_.get(op);
          break;
        }
      }
    }
    NodeMap<char> reachesLoss(g_, 0);
    reachesLoss[loss_] = 1;
    for (size_t i = lossPos_ + 1; i-- > 0;)
      if (reachesLoss.get(order_[i]))
        for (Node* op : order_[i]->operands()) reachesLoss[op] = 1;
    for (Node* n : order_)
      if (origin_.get(n) && reachesLoss.get(n)) needed_[n] = 1;
  }

  void checkRules() {
    for (size_t i = 0; i <= lossPos_; ++i) {
      Node* n = order_[i];
      if (needed_.get(n) && !n->isLeaf() && !opInfo(n->kind()).differentiable())
        MNEMO_FAIL("autodiff: no gradient rule for op '" << opName(n->kind()) << "' (node %" << n->name()
                                                        << ") on the path from %" << origin_.get(n)->name()
                                                        << " to %" << loss_->name());
    }
  }

  // ---- the gradient map: dLoss/dn for each needed n reached so far ----

  void set(const Node* n, Node* gradient) {
    if (grad_.get(n)) --holders_[grad_.get(n)];
    grad_[n] = gradient;
    ++holders_[gradient];
  }

  void accumulate(Node* operand, Node* contribution) {
    Node* sofar = grad_.get(operand);
    set(operand, sofar ? b_.add(sofar, contribution) : contribution);
  }

  /// Gives \p n's complete gradient the name grad.<name> when the pass created it and nothing
  /// else refers to it yet. Names are fixed at creation, so a rename re-creates the node at the
  /// end of the graph (gradient rules emit plain ops: kind, operands, type and attributes are
  /// all there is to copy) and erases the original.
  Node* nameGradient(Node* n, Node* gradient) {
    bool wanted = !isAnonymousName(n->name()) && !existed(gradient) && !named_.get(gradient);
    if (!wanted || gradient->hasUses() || holders_.get(gradient) != 1 || g_.isOutput(gradient)) return gradient;
    Node* renamed = g_.create(gradient->kind(), gradient->operands().vec(), gradient->type(), gradient->attrs(),
                              "grad." + n->name(), Stage::Bwd);
    holders_[gradient] = 0;
    g_.erase(gradient);
    named_[renamed] = 1;
    grad_[n] = renamed;
    holders_[renamed] = 1;
    return renamed;
  }

  void backprop(Node* n) {
    if (!needed_.get(n)) return;
    if (!grad_.get(n)) return;  // only non-differentiable slots use n: its gradient is zero
    Node* gn = nameGradient(n, grad_.get(n));
    if (n->isLeaf()) return;
    std::vector<Node*> contributions = opInfo(n->kind()).vjp(b_, n, gn);
    MNEMO_CHECK(static_cast<int>(contributions.size()) == n->numOperands(),
                "gradient rule of '" << opName(n->kind()) << "' returned " << contributions.size()
                                     << " gradients for " << n->numOperands() << " operands");
    for (int k = 0; k < n->numOperands(); ++k) {
      Node* op = n->operand(k);
      Node* c = contributions[k];
      if (!c || !needed_.get(op)) continue;
      if (c->dims() != op->dims()) c = b_.unbroadcast(c, op->dims());
      MNEMO_CHECK(c->type() == op->type(), "gradient rule of '" << opName(n->kind()) << "' (node %" << n->name()
                                               << ") gives " << c->type().str() << " for operand %" << op->name()
                                               << " of type " << op->type().str());
      accumulate(op, c);
    }
  }

  /// Erases the pass's nodes that nothing uses (contributions for values the loss does not need),
  /// last first so that chains go at once.
  void eraseUnused(const std::vector<Node*>& keep) {
    std::unordered_set<const Node*> kept(keep.begin(), keep.end());
    std::vector<Node*> all = g_.nodes();
    for (size_t i = all.size(); i-- > 0;) {
      Node* n = all[i];
      if (existed(n)) break;  // the pass only appends: everything earlier was there before
      if (!n->hasUses() && !kept.count(n) && !g_.isOutput(n) && !n->hasSideEffect()) g_.erase(n);
    }
  }

  Graph& g_;
  Builder b_;
  Node* loss_;
  std::vector<Node*> order_;
  size_t lossPos_ = 0;
  // Side tables by node id (hash maps keyed by node made this pass slow on long sequences).
  // Ids grow in creation order, so the nodes that existed before the pass are those below firstNew_.
  size_t firstNew_ = 0;
  bool existed(const Node* n) const { return n->id() < firstNew_; }
  NodeMap<Node*> origin_;  // the param that reaches a node first
  NodeMap<char> needed_;
  NodeMap<Node*> grad_;    // dLoss/dn so far
  NodeMap<int> holders_;   // how many entries of grad_ hold a gradient node
  NodeMap<char> named_;
};

}  // namespace

AutodiffResult autodiff(Graph& g, Node* loss, const std::vector<Node*>& params, const AutodiffOptions& options) {
  AutodiffResult result = Differentiator(g, loss).run(params, options);
  // The graph itself says what the loss and the gradients are, for the optimizer pass and dumps.
  g.markRole(Role::Loss, loss);
  for (size_t i = 0; i < result.params.size(); ++i)
    if (result.params[i]->kind() == OpKind::Param) g.markRole(Role::Grad, result.grads[i], result.params[i]);
  return result;
}

}  // namespace mnemo
