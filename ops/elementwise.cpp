// Elementwise ops: add sub mul div (numpy broadcasting), neg relu tanh sigmoid exp log sqrt
// square, relu_grad (relu's derivative applied to an incoming gradient), the comparisons less
// less_equal greater greater_equal equal (1.0 where true, 0.0 elsewhere; zero gradient) and
// where(cond, a, b) (a where cond != 0, else b; all three broadcast together).
// Each op's shape rule, reference evaluation and gradient rule are side by side.
#include <cmath>

#include "graph/builder.h"
#include "graph/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"
#include "ops/shape_util.h"

namespace mnemo {

namespace {

// ---- shape rules ----------------------------------------------------------------------------

TensorType binaryType(const std::vector<TensorType>& ins, const Attrs&) {
  requireF32(ins[0], "left operand");
  requireF32(ins[1], "right operand");
  return TensorType::f32(broadcastDims(ins[0].dims, ins[1].dims));
}

TensorType unaryType(const std::vector<TensorType>& ins, const Attrs&) {
  requireF32(ins[0], "operand");
  return ins[0];
}

TensorType whereType(const std::vector<TensorType>& ins, const Attrs&) {
  requireF32(ins[0], "condition");
  requireF32(ins[1], "second operand");
  requireF32(ins[2], "third operand");
  return TensorType::f32(broadcastDims(broadcastDims(ins[0].dims, ins[1].dims), ins[2].dims));
}

TensorType sameShapePairType(const std::vector<TensorType>& ins, const Attrs&) {
  requireF32(ins[0], "operand");
  if (ins[0] != ins[1])
    MNEMO_FAIL("operands must have the same type, got " << ins[0].str() << " and " << ins[1].str());
  return ins[0];
}

// ---- reference evaluation -------------------------------------------------------------------

template <typename F>
void evalBinary(const std::vector<RefTensor*>& ins, RefTensor& out, F f) {
  std::vector<size_t> ia = broadcastIndexMap(out.type.dims, ins[0]->type.dims);
  std::vector<size_t> ib = broadcastIndexMap(out.type.dims, ins[1]->type.dims);
  for (size_t i = 0; i < out.size(); ++i) out[i] = f((*ins[0])[ia[i]], (*ins[1])[ib[i]]);
}

template <typename F>
void evalUnary(const std::vector<RefTensor*>& ins, RefTensor& out, F f) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = f((*ins[0])[i]);
}

#define BINARY_EVAL(fn, expr)                                                 \
  void fn(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) { \
    evalBinary(ins, out, [](double a, double b) { return expr; });            \
  }
#define UNARY_EVAL(fn, expr)                                                  \
  void fn(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) { \
    evalUnary(ins, out, [](double a) { return expr; });                       \
  }

BINARY_EVAL(evalAdd, a + b)
BINARY_EVAL(evalSub, a - b)
BINARY_EVAL(evalMul, a * b)
BINARY_EVAL(evalDiv, a / b)
BINARY_EVAL(evalLess, a < b ? 1.0 : 0.0)
BINARY_EVAL(evalLessEqual, a <= b ? 1.0 : 0.0)
BINARY_EVAL(evalGreater, a > b ? 1.0 : 0.0)
BINARY_EVAL(evalGreaterEqual, a >= b ? 1.0 : 0.0)
BINARY_EVAL(evalEqual, a == b ? 1.0 : 0.0)
BINARY_EVAL(evalReluGrad, a > 0 ? b : 0.0)  // relu'(0) = 0, as jax.nn.relu
UNARY_EVAL(evalNeg, -a)
UNARY_EVAL(evalRelu, a > 0 ? a : 0.0)
UNARY_EVAL(evalTanh, std::tanh(a))
UNARY_EVAL(evalSigmoid, 1.0 / (1.0 + std::exp(-a)))
UNARY_EVAL(evalExp, std::exp(a))
UNARY_EVAL(evalLog, std::log(a))
UNARY_EVAL(evalSqrt, std::sqrt(a))
UNARY_EVAL(evalSquare, a * a)

void evalWhere(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<std::vector<size_t>> maps;
  for (const RefTensor* in : ins) maps.push_back(broadcastIndexMap(out.type.dims, in->type.dims));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = (*ins[0])[maps[0][i]] != 0 ? (*ins[1])[maps[1][i]] : (*ins[2])[maps[2][i]];
}

#undef BINARY_EVAL
#undef UNARY_EVAL

// ---- gradient rules (g is the gradient of the loss w.r.t. the result) -----------------------

using Grads = std::vector<Node*>;

Grads vjpAdd(Builder&, Node*, Node* g) { return {g, g}; }
Grads vjpSub(Builder& b, Node*, Node* g) { return {g, b.neg(g)}; }
Grads vjpMul(Builder& b, Node* n, Node* g) {
  return {b.mul(g, n->operand(1)), b.mul(g, n->operand(0))};
}
Grads vjpDiv(Builder& b, Node* n, Node* g) {
  Node* y = n->operand(1);
  // d(x/y)/dy = -x / y^2 = -(x/y) / y
  return {b.div(g, y), b.neg(b.div(b.mul(g, n), y))};
}
// A comparison is a step function: its derivative is zero wherever it exists.
Grads vjpCompare(Builder&, Node*, Node*) { return {nullptr, nullptr}; }
// The condition gets no gradient; a and b get g where each was chosen.
Grads vjpWhere(Builder& b, Node* n, Node* g) {
  Node* zero = b.constant(0.0);
  return {nullptr, b.create(OpKind::Where, {n->operand(0), g, zero}), b.create(OpKind::Where, {n->operand(0), zero, g})};
}
Grads vjpNeg(Builder& b, Node*, Node* g) { return {b.neg(g)}; }
// relu'(x) reads the output: relu(x) > 0 exactly where x > 0, and keeping the input out of the
// backward pass leaves it one use, so fusion can fold relu into the matmul that feeds it.
Grads vjpRelu(Builder& b, Node* n, Node* g) { return {b.reluGrad(n, g)}; }
Grads vjpTanh(Builder& b, Node* n, Node* g) {
  return {b.mul(g, b.sub(b.constant(1.0), b.square(n)))};  // 1 - tanh^2
}
Grads vjpSigmoid(Builder& b, Node* n, Node* g) {
  return {b.mul(g, b.mul(n, b.sub(b.constant(1.0), n)))};  // s (1 - s)
}
Grads vjpExp(Builder& b, Node* n, Node* g) { return {b.mul(g, n)}; }
Grads vjpLog(Builder& b, Node* n, Node* g) { return {b.div(g, n->operand(0))}; }
Grads vjpSqrt(Builder& b, Node* n, Node* g) {
  return {b.div(g, b.mul(b.constant(2.0), n))};  // 1 / (2 sqrt(x))
}
Grads vjpSquare(Builder& b, Node* n, Node* g) {
  return {b.mul(g, b.mul(b.constant(2.0), n->operand(0)))};
}

}  // namespace

void describeElementwiseOps(OpInfo* t) {
  struct Row {
    OpKind kind;
    ShapeFn shape;
    RefFn eval;
    VjpFn vjp;
  };
  const Row rows[] = {
      {OpKind::Add, binaryType, evalAdd, vjpAdd},
      {OpKind::Sub, binaryType, evalSub, vjpSub},
      {OpKind::Mul, binaryType, evalMul, vjpMul},
      {OpKind::Div, binaryType, evalDiv, vjpDiv},
      {OpKind::Neg, unaryType, evalNeg, vjpNeg},
      {OpKind::Relu, unaryType, evalRelu, vjpRelu},
      {OpKind::ReluGrad, sameShapePairType, evalReluGrad, nullptr},
      {OpKind::Tanh, unaryType, evalTanh, vjpTanh},
      {OpKind::Sigmoid, unaryType, evalSigmoid, vjpSigmoid},
      {OpKind::Exp, unaryType, evalExp, vjpExp},
      {OpKind::Log, unaryType, evalLog, vjpLog},
      {OpKind::Sqrt, unaryType, evalSqrt, vjpSqrt},
      {OpKind::Square, unaryType, evalSquare, vjpSquare},
      {OpKind::Less, binaryType, evalLess, vjpCompare},
      {OpKind::LessEqual, binaryType, evalLessEqual, vjpCompare},
      {OpKind::Greater, binaryType, evalGreater, vjpCompare},
      {OpKind::GreaterEqual, binaryType, evalGreaterEqual, vjpCompare},
      {OpKind::Equal, binaryType, evalEqual, vjpCompare},
      {OpKind::Where, whereType, evalWhere, vjpWhere},
  };
  for (const Row& r : rows) define(t, r.kind, {}, r.shape, r.eval, r.vjp);
}

}  // namespace mnemo
