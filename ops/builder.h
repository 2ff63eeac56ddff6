// Typed, checked node creation. Every creation runs the op's shape rule; a mismatch throws
// mnemo::Error naming the op, its operands and their types, e.g.
//   op 'add' (%a: f32[16,64], %b: f32[3]): shapes [16,64] and [3] do not broadcast
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

class Builder {
 public:
  explicit Builder(Graph& g, Stage stage = Stage::Fwd) : g_(g), stage_(stage) {}

  Graph& graph() { return g_; }
  Stage stage() const { return stage_; }
  void setStage(Stage s) { stage_ = s; }
  /// New nodes go before \p before (null: at the end of the graph).
  void setInsertPoint(Node* before) { before_ = before; }
  /// Every node this builder creates from now on is also appended to \p made (null: stop), so a
  /// pass can visit what it made without walking the graph.
  void recordInto(std::vector<Node*>* made) { made_ = made; }

  /// Generic checked creation: runs the shape rule and attribute schema of \p kind.
  Node* create(OpKind kind, std::vector<Node*> operands, Attrs attrs = {}, std::string name = "");

  // Leaves.
  Node* input(const std::string& name, TensorType type);
  Node* param(const std::string& name, Dims dims, const std::string& init = "");
  Node* state(const std::string& name, TensorType type);
  /// A constant tensor of \p dims filled with \p value (a scalar when \p dims is empty).
  Node* constant(double value, Dims dims = {}, const std::string& name = "");

  // Elementwise (binary ones broadcast like numpy).
  Node* add(Node* a, Node* b) { return create(OpKind::Add, {a, b}); }
  Node* sub(Node* a, Node* b) { return create(OpKind::Sub, {a, b}); }
  Node* mul(Node* a, Node* b) { return create(OpKind::Mul, {a, b}); }
  Node* div(Node* a, Node* b) { return create(OpKind::Div, {a, b}); }
  Node* neg(Node* a) { return create(OpKind::Neg, {a}); }
  Node* relu(Node* a) { return create(OpKind::Relu, {a}); }
  Node* reluGrad(Node* x, Node* g) { return create(OpKind::ReluGrad, {x, g}); }
  Node* tanh(Node* a) { return create(OpKind::Tanh, {a}); }
  Node* sigmoid(Node* a) { return create(OpKind::Sigmoid, {a}); }
  Node* exp(Node* a) { return create(OpKind::Exp, {a}); }
  Node* log(Node* a) { return create(OpKind::Log, {a}); }
  Node* sqrt(Node* a) { return create(OpKind::Sqrt, {a}); }
  Node* square(Node* a) { return create(OpKind::Square, {a}); }

  Node* matmul(Node* a, Node* b, bool transposeA = false, bool transposeB = false);

  // Shape ops.
  Node* reshape(Node* a, Dims dims);
  Node* broadcast(Node* a, Dims dims);
  /// a[..., index, ...] along \p axis (the axis is removed).
  Node* select(Node* a, int64_t axis, int64_t index);
  /// The inverse placement of select: a zero tensor with \p a at \p index of a new axis of
  /// length \p size.
  Node* insertSlice(Node* a, int64_t axis, int64_t index, int64_t size);
  Node* stack(std::vector<Node*> parts, int64_t axis = 0);

  // Reductions (the reduced axes are removed).
  Node* reduceSum(Node* a, std::vector<int64_t> axes);
  Node* reduceMean(Node* a, std::vector<int64_t> axes);
  Node* reduceMax(Node* a, std::vector<int64_t> axes);
  Node* argmax(Node* a, int64_t axis);

  // Losses.
  /// Mean over rows of logsumexp(logits) - logits[label]; logits [N,C] f32, labels [N] i64.
  Node* softmaxXent(Node* logits, Node* labels) { return create(OpKind::SoftmaxXent, {logits, labels}); }

  /// Sums \p g over the axes that broadcasting added or stretched, so the result has \p dims.
  Node* unbroadcast(Node* g, const Dims& dims);

 private:
  Graph& g_;
  Stage stage_;
  Node* before_ = nullptr;
  std::vector<Node*>* made_ = nullptr;
  Node* made(Node* n) {
    if (made_) made_->push_back(n);
    return n;
  }
};

/// "%a: f32[16,64], %b: f32[3]" for error messages.
std::string describeOperands(const std::vector<Node*>& operands);

}  // namespace mnemo
