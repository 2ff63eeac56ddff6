// Elementwise ops: add sub mul div (numpy broadcasting), neg relu tanh sigmoid exp log sqrt
// square, relu_grad (relu's derivative applied to an incoming gradient), the comparisons less
// less_equal greater greater_equal equal (1.0 where true, 0.0 elsewhere; zero gradient) and
// where(cond, a, b) (a where cond != 0, else b; all three broadcast together), softplus, abs,
// maximum and minimum. Each op's row holds its scalar function (float and double, from one
// expression), shape rule, gradient rule, oneDNN lowering and fusion properties side by side.

#include <cmath>

#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"
#include "ops/scalar_op.h"
#include "ops/shape_util.h"

namespace mnemo {

namespace {

// ---- shape rules ----------------------------------------------------------------------------

TensorType binaryType(const std::vector<TensorType>& ins, const OpAttrs&) {
  requireF32(ins[0], "left operand");
  requireF32(ins[1], "right operand");
  return TensorType::f32(broadcastDims(ins[0].dims, ins[1].dims));
}

TensorType unaryType(const std::vector<TensorType>& ins, const OpAttrs&) {
  requireF32(ins[0], "operand");
  return ins[0];
}

TensorType whereType(const std::vector<TensorType>& ins, const OpAttrs&) {
  requireF32(ins[0], "condition");
  requireF32(ins[1], "second operand");
  requireF32(ins[2], "third operand");
  return TensorType::f32(broadcastDims(broadcastDims(ins[0].dims, ins[1].dims), ins[2].dims));
}

TensorType sameShapePairType(const std::vector<TensorType>& ins, const OpAttrs&) {
  requireF32(ins[0], "operand");
  if (ins[0] != ins[1])
    MNEMO_FAIL("operands must have the same type, got " << ins[0].str() << " and " << ins[1].str());
  return ins[0];
}

// ---- scalar functions (the op's meaning at one element, at both precisions) ----------------

#define UNARY_FN(name, expr)                 \
  struct name {                              \
    template <typename T>                    \
    static T f(T a) { return expr; }         \
  };
#define BINARY_FN(name, expr)                \
  struct name {                              \
    template <typename T>                    \
    static T f(T a, T b) { return expr; }    \
  };

BINARY_FN(AddFn, a + b)
BINARY_FN(SubFn, a - b)
BINARY_FN(MulFn, a * b)
BINARY_FN(DivFn, a / b)
BINARY_FN(LessFn, a < b ? T(1) : T(0))
BINARY_FN(LessEqualFn, a <= b ? T(1) : T(0))
BINARY_FN(GreaterFn, a > b ? T(1) : T(0))
BINARY_FN(GreaterEqualFn, a >= b ? T(1) : T(0))
BINARY_FN(EqualFn, a == b ? T(1) : T(0))
// relu'(0) = 0, as jax.nn.relu. b is read on both paths so a loop vectorises it as a select.
BINARY_FN(ReluGradFn, a > T(0) ? b : T(0))
UNARY_FN(NegFn, -a)
UNARY_FN(ReluFn, a > T(0) ? a : T(0))
UNARY_FN(TanhFn, std::tanh(a))
UNARY_FN(SigmoidFn, T(1) / (T(1) + std::exp(-a)))
UNARY_FN(ExpFn, std::exp(a))
UNARY_FN(LogFn, std::log(a))
UNARY_FN(SqrtFn, std::sqrt(a))
UNARY_FN(SquareFn, a * a)
// log(1 + exp(x)) without overflow: x + log(1 + exp(-x)) for positive x.
UNARY_FN(SoftplusFn, a > T(0) ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)))
UNARY_FN(AbsFn, std::abs(a))
BINARY_FN(MaximumFn, a >= b ? a : b)
BINARY_FN(MinimumFn, a <= b ? a : b)
UNARY_FN(EluFn, a > T(0) ? a : std::expm1(a))

#undef UNARY_FN
#undef BINARY_FN

// ---- reference evaluation: the row's double-precision scalar function over the elements -----

void evalUnary(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  double (*f)(double) = opInfo(n.kind()).elementwise.scalar.d1;
  for (size_t i = 0; i < out.size(); ++i) out[i] = f((*ins[0])[i]);
}

void evalBinary(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out) {
  double (*f)(double, double) = opInfo(n.kind()).elementwise.scalar.d2;
  std::vector<size_t> ia = broadcastIndexMap(out.type.dims, ins[0]->type.dims);
  std::vector<size_t> ib = broadcastIndexMap(out.type.dims, ins[1]->type.dims);
  for (size_t i = 0; i < out.size(); ++i) out[i] = f((*ins[0])[ia[i]], (*ins[1])[ib[i]]);
}

void evalWhere(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<std::vector<size_t>> maps;
  for (const RefTensor* in : ins) maps.push_back(broadcastIndexMap(out.type.dims, in->type.dims));
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = (*ins[0])[maps[0][i]] != 0 ? (*ins[1])[maps[1][i]] : (*ins[2])[maps[2][i]];
}

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
Grads vjpSoftplus(Builder& b, Node* n, Node* g) {
  return {b.mul(g, b.create(OpKind::Sigmoid, {n->operand(0)}))};  // softplus' = sigmoid
}
// elu'(x) = 1 for x > 0 and exp(x) = elu(x) + 1 otherwise: min(elu(x), 0) + 1 either way.
Grads vjpElu(Builder& b, Node* n, Node* g) {
  return {b.mul(g, b.add(b.create(OpKind::Minimum, {n, b.constant(0.0)}), b.constant(1.0)))};
}
// abs'(x) = sign(x), taken as 0 at 0.
Grads vjpAbs(Builder& b, Node* n, Node* g) {
  Node* x = n->operand(0);
  Node* zero = b.constant(0.0);
  Node* sign = b.sub(b.create(OpKind::Greater, {x, zero}), b.create(OpKind::Less, {x, zero}));
  return {b.mul(g, sign)};
}
// The gradient goes to the operand chosen: the first one where they tie (as the scalar function).
Grads vjpChoice(Builder& b, Node* firstChosen, Node* g) {
  Node* zero = b.constant(0.0);
  return {b.create(OpKind::Where, {firstChosen, g, zero}), b.create(OpKind::Where, {firstChosen, zero, g})};
}
Grads vjpMaximum(Builder& b, Node* n, Node* g) {
  return vjpChoice(b, b.create(OpKind::GreaterEqual, {n->operand(0), n->operand(1)}), g);
}
Grads vjpMinimum(Builder& b, Node* n, Node* g) {
  return vjpChoice(b, b.create(OpKind::LessEqual, {n->operand(0), n->operand(1)}), g);
}

// oneDNN's lowering of an op (see DnnlLowering).
DnnlLowering eltwise(DnnlAlg algorithm, float alpha = 0.f, float beta = 0.f) {
  return {DnnlLowering::Eltwise, algorithm, alpha, beta};
}
DnnlLowering binary(DnnlAlg algorithm) { return {DnnlLowering::Binary, algorithm, 0.f, 0.f}; }
const DnnlLowering kNoDnnl{};

// A libm call per element: the loop does not vectorise it.
constexpr bool kScalarLibm = false;
// Comparisons could run in a fused loop (their span form vectorises) but are kept out: as before
// the row existed, they stay separate kernels, so fused graphs and dumps are unchanged.
constexpr const char* kComparisonOutOfLoops =
    "is kept out of fused loops (comparisons are rare: masks, gates); it runs as its own loop kernel";

}  // namespace

void describeElementwiseOps(OpInfo* t) {
  struct Row {
    OpKind kind;
    ShapeFn shape;
    ScalarFns scalar;
    VjpFn vjp;
    DnnlLowering dnnl;
    bool loopVectorises = true;
    const char* keepOutOfLoops = nullptr;
  };
  const Row rows[] = {
      {OpKind::Add, binaryType, binaryScalar<AddFn>(), vjpAdd, binary(DnnlAlg::Add)},
      {OpKind::Sub, binaryType, binaryScalar<SubFn>(), vjpSub, binary(DnnlAlg::Sub)},
      {OpKind::Mul, binaryType, binaryScalar<MulFn>(), vjpMul, binary(DnnlAlg::Mul)},
      {OpKind::Div, binaryType, binaryScalar<DivFn>(), vjpDiv, binary(DnnlAlg::Div)},
      {OpKind::Neg, unaryType, unaryScalar<NegFn>(), vjpNeg, eltwise(DnnlAlg::Linear, -1.f)},
      {OpKind::Relu, unaryType, unaryScalar<ReluFn>(), vjpRelu, eltwise(DnnlAlg::Relu)},
      // A loop: oneDNN's relu backward measured 1–2 µs per [16,64] call here, the loop a tenth
      // of that, and the recurrence runs it once per time step.
      {OpKind::ReluGrad, sameShapePairType, binaryScalar<ReluGradFn>(), nullptr, kNoDnnl},
      {OpKind::Tanh, unaryType, unaryScalar<TanhFn>(), vjpTanh, eltwise(DnnlAlg::Tanh), kScalarLibm},
      {OpKind::Sigmoid, unaryType, unaryScalar<SigmoidFn>(), vjpSigmoid, eltwise(DnnlAlg::Logistic), kScalarLibm},
      {OpKind::Exp, unaryType, unaryScalar<ExpFn>(), vjpExp, eltwise(DnnlAlg::Exp), kScalarLibm},
      // log, softplus and elu run on mnemo's loops (libm's logf, log1pf, expm1f), never on
      // oneDNN: oneDNN 2.6's eltwise log errs by up to 1.4e-6 absolute near 1 (log(1) =
      // -1.43e-6, log(1.001) 0.14% low), soft_relu by 2% at x = -9.8 and elu by 200 ulps near 0
      // (exp(x) − 1 cancels), measured on AVX-512 (tests/test_elementwise_accuracy.cpp).
      {OpKind::Log, unaryType, unaryScalar<LogFn>(), vjpLog, kNoDnnl, kScalarLibm},
      {OpKind::Sqrt, unaryType, unaryScalar<SqrtFn>(), vjpSqrt, eltwise(DnnlAlg::Sqrt)},
      {OpKind::Square, unaryType, unaryScalar<SquareFn>(), vjpSquare, eltwise(DnnlAlg::Square)},
      // Comparisons are rare (masks, gates): a loop over the broadcast index tables.
      {OpKind::Less, binaryType, binaryScalar<LessFn>(), vjpCompare, kNoDnnl, true, kComparisonOutOfLoops},
      {OpKind::LessEqual, binaryType, binaryScalar<LessEqualFn>(), vjpCompare, kNoDnnl, true, kComparisonOutOfLoops},
      {OpKind::Greater, binaryType, binaryScalar<GreaterFn>(), vjpCompare, kNoDnnl, true, kComparisonOutOfLoops},
      {OpKind::GreaterEqual, binaryType, binaryScalar<GreaterEqualFn>(), vjpCompare, kNoDnnl, true, kComparisonOutOfLoops},
      {OpKind::Equal, binaryType, binaryScalar<EqualFn>(), vjpCompare, kNoDnnl, true, kComparisonOutOfLoops},
      // where has three operands: no scalar function; its own loop kernel.
      {OpKind::Where, whereType, ScalarFns{}, vjpWhere, kNoDnnl},
      {OpKind::Softplus, unaryType, unaryScalar<SoftplusFn>(), vjpSoftplus, kNoDnnl, kScalarLibm},
      {OpKind::Abs, unaryType, unaryScalar<AbsFn>(), vjpAbs, eltwise(DnnlAlg::Abs)},
      {OpKind::Maximum, binaryType, binaryScalar<MaximumFn>(), vjpMaximum, binary(DnnlAlg::Max)},
      {OpKind::Minimum, binaryType, binaryScalar<MinimumFn>(), vjpMinimum, binary(DnnlAlg::Min)},
      {OpKind::Elu, unaryType, unaryScalar<EluFn>(), vjpElu, kNoDnnl, kScalarLibm},
  };
  for (const Row& r : rows) {
    RefFn eval = r.scalar.arity == 1 ? evalUnary : r.scalar.arity == 2 ? evalBinary : evalWhere;
    define(t, r.kind, {}, r.shape, eval, r.vjp);
    ElementwiseTraits& e = row(t, r.kind).elementwise;
    e.scalar = r.scalar;
    e.dnnl = r.dnnl;
    e.loopVectorises = r.loopVectorises;
    e.keepOutOfLoops = r.keepOutOfLoops;
  }
}

}  // namespace mnemo
