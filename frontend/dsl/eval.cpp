// Expression evaluation for the model DSL: constant folding, operators, built-in functions and
// time-step selection.
#include "frontend/dsl/eval.h"

#include <cmath>

#include "frontend/init.h"
#include "frontend/dsl/model.h"
#include "ops/composites.h"
#include "support/error.h"
#include "support/limits.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

/// An elementwise op with a scalar function of \p arity operands, which a call on numbers folds.
const ScalarFns* foldable(OpKind kind, int arity) {
  const ScalarFns& s = opInfo(kind).elementwise.scalar;
  return s.arity == arity ? &s : nullptr;
}

/// \returns the elementwise op of one operand named \p name (relu, tanh, ...), or nullptr.
const OpInfo* findUnary(const std::string& name) {
  OpKind kind;
  if (!opByName(name, &kind) || !foldable(kind, 1)) return nullptr;
  return &opInfo(kind);
}

/// Ops callable by their IR name, e.g. matmul(a, b): computing ops with no required attribute.
bool callableOp(const std::string& name, OpKind* kind) {
  if (!opByName(name, kind)) return false;
  const OpInfo& info = opInfo(*kind);
  if (info.category == Category::Leaf || info.hasFlag(kSideEffect)) return false;
  for (const AttrSpec& a : info.attrs)
    if (a.required) return false;
  return true;
}

}  // namespace

std::string DslEvaluator::knownFunctions() {
  std::string s;
  for (int k = 0; k < kNumOps; ++k)
    if (foldable(static_cast<OpKind>(k), 1)) s += std::string(opName(static_cast<OpKind>(k))) + ", ";
  return s + "randn, rand, mean, sum, cross_entropy, mse, softmax, logsumexp, slice, concat, reshape, transpose, or an op of ops.def such as matmul, "
             "less, greater, where";
}

void DslEvaluator::fail(SrcLoc at, const std::string& msg) const {
  MNEMO_FAIL(file_ << ":" << at.line << ":" << at.col << ": " << msg);
}

double DslEvaluator::finite(SrcLoc at, double v) const {
  if (!std::isfinite(v)) fail(at, "constant expression is not finite (" + formatNumber(v) + ")");
  return v;
}

Node* DslEvaluator::make(SrcLoc at, OpKind kind, std::vector<Node*> operands, Attrs attrs, const std::string& name) {
  try {
    return b_.create(kind, std::move(operands), std::move(attrs), name);
  } catch (const Error& e) {
    fail(at, e.what());
  }
}

Node* DslEvaluator::tensor(DslValue v) { return v.isNumber() ? b_.constant(v.number) : v.node; }

double DslEvaluator::evalNumber(const DslExpr& e, const std::string& what) {
  DslValue v = eval(e);
  if (!v.isNumber()) fail(e.loc, what + " must be a constant number, got a tensor " + v.node->type().str());
  return v.number;
}

DslValue DslEvaluator::eval(const DslExpr& e, const std::string& name) {
  // The parser bounds expression depth; this guard keeps the recursion bounded whatever built e.
  static thread_local int depth = 0;
  struct Deeper {
    Deeper() { ++depth; }
    ~Deeper() { --depth; }
  } deeper;
  if (depth > 2 * limits::kMaxNestingDepth)
    fail(e.loc, "expression nests deeper than " + std::to_string(limits::kMaxNestingDepth) + " levels (the limit)");
  switch (e.kind) {
    case DslExpr::Kind::Number: return DslValue::of(e.number);
    case DslExpr::Kind::Name: return lookup_(e.name, e.loc);
    case DslExpr::Kind::Neg: {
      DslValue v = eval(*e.args[0]);
      if (v.isNumber()) return DslValue::of(-v.number);
      return DslValue::of(make(e.loc, OpKind::Neg, {v.node}, {}, name));
    }
    case DslExpr::Kind::Binary: return binary(e, name);
    case DslExpr::Kind::Call: return call(e, name);
    case DslExpr::Kind::Index: return index(e, name);
    case DslExpr::Kind::String: fail(e.loc, "a quoted name is only allowed as the file of npy(\"FILE\")");
    case DslExpr::Kind::Range: fail(e.loc, "a range 'lo:hi' is only allowed inside an index, e.g. g[:, 0:H]");
  }
  fail(e.loc, "unknown expression");
}

/// The infix operators and the ops they emit ('@' aside).
const struct {
  const char* text;
  OpKind kind;
} kOperators[] = {{"<", OpKind::Less},          {"<=", OpKind::LessEqual}, {">", OpKind::Greater},
                  {">=", OpKind::GreaterEqual}, {"==", OpKind::Equal},     {"+", OpKind::Add},
                  {"-", OpKind::Sub},           {"*", OpKind::Mul},        {"/", OpKind::Div}};

DslValue DslEvaluator::binary(const DslExpr& e, const std::string& name) {
  DslValue l = eval(*e.args[0]);
  DslValue r = eval(*e.args[1]);
  if (e.name == "@") {
    if (l.isNumber() && r.isNumber()) fail(e.loc, "'@' (matrix product) needs two tensors, got two numbers");
    if (l.isNumber() || r.isNumber())
      fail(e.loc, "'@' (matrix product) needs two tensors, got a number " + formatNumber(l.isNumber() ? l.number : r.number));
    return DslValue::of(make(e.loc, OpKind::MatMul, {l.node, r.node}, {}, name));
  }
  for (const auto& o : kOperators) {
    if (e.name != o.text) continue;
    if (l.isNumber() && r.isNumber()) {  // folded with the op's own scalar function
      if (o.kind == OpKind::Div && r.number == 0) fail(e.loc, "division by zero in a constant expression");
      return DslValue::of(finite(e.loc, opInfo(o.kind).elementwise.scalar.d2(l.number, r.number)));
    }
    return DslValue::of(make(e.loc, o.kind, {tensor(l), tensor(r)}, {}, name));
  }
  fail(e.loc, "unknown operator '" + e.name + "'");
}

DslValue DslEvaluator::index(const DslExpr& e, const std::string& name) {
  DslValue base = eval(*e.args[0]);
  if (base.isNumber()) fail(e.loc, "cannot index a number");
  Node* n = base.node;
  const size_t items = e.args.size() - 1;
  if (static_cast<int>(items) > n->type().rank())
    fail(e.loc, "too many indices: " + std::to_string(items) + " for a tensor " + n->type().str());
  // Items apply left to right: an index i selects along the current axis (which disappears), a
  // range lo:hi keeps hi - lo planes of it and moves on to the next axis.
  int64_t axis = 0;
  for (size_t i = 1; i < e.args.size(); ++i) {
    const DslExpr& item = *e.args[i];
    const std::string nodeName = i == items ? name : "";
    const int64_t len = n->dims()[axis];
    if (item.kind != DslExpr::Kind::Range) {
      const double v = evalNumber(item, "an index");
      if (v != std::floor(v)) fail(item.loc, "an index must be an integer, got " + formatNumber(v));
      if (std::fabs(v) > static_cast<double>(limits::kMaxDimension))
        fail(item.loc, "index " + formatNumber(v) + " is out of range (the limit is " +
                           std::to_string(limits::kMaxDimension) + ")");
      n = make(e.loc, OpKind::Select, {n}, {{"axis", axis}, {"index", static_cast<int64_t>(v)}}, nodeName);
      continue;
    }
    auto bound = [&](const DslExprPtr& b, int64_t fallback) -> int64_t {
      if (!b) return fallback;
      const double v = evalNumber(*b, "a range bound");
      if (v != std::floor(v)) fail(b->loc, "a range bound must be an integer, got " + formatNumber(v));
      if (std::fabs(v) > static_cast<double>(limits::kMaxDimension))
        fail(b->loc, "range bound " + formatNumber(v) + " is out of range (the limit is " +
                         std::to_string(limits::kMaxDimension) + ")");
      return static_cast<int64_t>(v);
    };
    const int64_t lo = bound(item.args[0], 0), hi = bound(item.args[1], len);
    if (lo < 0 || hi > len || lo >= hi)
      fail(item.loc, "range " + std::to_string(lo) + ":" + std::to_string(hi) + " is not a non-empty part of axis " +
                         std::to_string(axis) + " (length " + std::to_string(len) + ") of " + n->type().str());
    if (hi - lo < len)
      n = make(e.loc, OpKind::Slice, {n}, {{"axis", axis}, {"start", lo}, {"size", hi - lo}}, nodeName);
    ++axis;
  }
  return DslValue::of(n);
}

DslValue DslEvaluator::call(const DslExpr& e, const std::string& name) {
  // mean(x, axes..., keepdims) and sum(...): a trailing bare `keepdims` is a flag, not a value.
  const bool reduction = e.name == "mean" || e.name == "sum";
  const bool keepdims = reduction && e.args.size() > 1 && e.args.back()->kind == DslExpr::Kind::Name &&
                        e.args.back()->name == "keepdims";
  std::vector<DslValue> args;
  for (size_t i = 0; i < e.args.size() - (keepdims ? 1 : 0); ++i) args.push_back(eval(*e.args[i]));
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      std::string want = lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
      fail(e.loc, e.name + "() takes " + want + " argument(s), got " + std::to_string(args.size()));
    }
  };
  if (const OpInfo* f = findUnary(e.name)) {
    arity(1, 1);
    if (args[0].isNumber()) return DslValue::of(finite(e.loc, f->elementwise.scalar.d1(args[0].number)));
    return DslValue::of(make(e.loc, f->kind, {args[0].node}, {}, name));
  }
  if (reduction) {
    arity(1, 8);
    return reduce(e, e.name == "mean", args, keepdims, name);
  }
  if (e.name == "cross_entropy") {
    arity(2, 3);
    return crossEntropy(e, args, name);
  }
  if (e.name == "mse" || e.name == "softmax" || e.name == "logsumexp") {
    arity(2, e.name == "mse" ? 3 : 2);
    return composite(e, args, name);
  }
  if (e.name == "randn" || e.name == "rand") return randomCall(e, args, name);
  if (e.name == "slice" || e.name == "concat" || e.name == "reshape" || e.name == "transpose") return shapeCall(e, args, name);
  OpKind kind;
  if (callableOp(e.name, &kind)) {
    const ScalarFns* s = foldable(kind, 2);
    if (s && args.size() == 2 && args[0].isNumber() && args[1].isNumber())
      return DslValue::of(finite(e.loc, s->d2(args[0].number, args[1].number)));
    std::vector<Node*> operands;
    for (const DslValue& v : args) operands.push_back(tensor(v));
    return DslValue::of(make(e.loc, kind, std::move(operands), {}, name));
  }
  fail(e.loc, "unknown function '" + e.name + "' (known: " + knownFunctions() + ")");
}

DslValue DslEvaluator::randomCall(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name) {
  if (args.empty()) fail(e.loc, e.name + "(d0, d1, ...) needs the dimensions of the draw, e.g. " + e.name + "(B, H)");
  Dims dims;
  for (size_t i = 0; i < args.size(); ++i) {
    const DslValue& a = args[i];
    if (!a.isNumber() || a.number != std::floor(a.number) || a.number < 1 || a.number > limits::kMaxDimension)
      fail(e.args[i]->loc, e.name + "(): a dimension must be a positive integer constant");
    dims.push_back(static_cast<int64_t>(a.number));
  }
  const bool normal = e.name == "randn";
  if (!noise_) return DslValue::of(b_.constant(normal ? 0.0 : 0.5, dims, name));
  if (!seed_) seed_ = b_.state(kRandomSeedName, TensorType::i64({2}));
  return DslValue::of(make(e.loc, normal ? OpKind::RandomNormal : OpKind::RandomUniform, {seed_},
                           {{"shape", dims}, {"stream", nextStream_++}}, name));
}

DslValue DslEvaluator::composite(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name) {
  if (e.name == "mse" && args[0].isNumber() && args[1].isNumber()) fail(e.loc, "mse(pred, target) needs a tensor");
  if (e.name != "mse") {
    if (args[0].isNumber()) fail(e.args[0]->loc, e.name + "(): argument 1 must be a tensor");
    if (!args[1].isNumber() || args[1].number != std::floor(args[1].number))
      fail(e.args[1]->loc, e.name + "(): the axis must be an integer constant");
  }
  Node* out = nullptr;
  try {
    if (e.name == "mse" && args.size() == 3) {
      if (args[2].isNumber()) fail(e.args[2]->loc, "mse(pred, target, weights): the weights must be a tensor");
      out = mse(b_, tensor(args[0]), tensor(args[1]), args[2].node, name);
    } else if (e.name == "mse") {
      out = mse(b_, tensor(args[0]), tensor(args[1]), name);
    } else {
      int64_t axis = static_cast<int64_t>(args[1].number);
      if (axis < 0) axis += args[0].node->type().rank();
      out = e.name == "softmax" ? softmax(b_, args[0].node, axis, name) : logsumexp(b_, args[0].node, axis, name);
    }
  } catch (const Error& err) {
    fail(e.loc, err.what());
  }
  return DslValue::of(out);
}

DslValue DslEvaluator::reduce(const DslExpr& e, bool mean, const std::vector<DslValue>& args, bool keepdims,
                              const std::string& name) {
  if (args[0].isNumber()) {
    if (args.size() > 1) fail(e.loc, e.name + "() of a number takes no axes");
    return args[0];
  }
  Node* x = args[0].node;
  std::vector<int64_t> axes;
  for (size_t i = 1; i < args.size(); ++i) {
    if (!args[i].isNumber() || args[i].number != std::floor(args[i].number) || std::fabs(args[i].number) > limits::kMaxRank)
      fail(e.args[i]->loc, e.name + "(): an axis must be an integer within the tensor's rank");
    int64_t axis = static_cast<int64_t>(args[i].number);
    if (axis < 0) axis += x->type().rank();
    axes.push_back(axis);
  }
  if (args.size() == 1)
    for (int64_t a = 0; a < x->type().rank(); ++a) axes.push_back(a);
  if (!keepdims) return DslValue::of(make(e.loc, mean ? OpKind::ReduceMean : OpKind::ReduceSum, {x}, {{"axes", axes}}, name));
  // keepdims: the reduced axes stay as 1s, so the result broadcasts against x (x - mean(x, 1, keepdims)).
  Node* r = make(e.loc, mean ? OpKind::ReduceMean : OpKind::ReduceSum, {x}, {{"axes", axes}});
  Dims kept = x->dims();
  for (int64_t a : axes)
    if (a >= 0 && a < static_cast<int64_t>(kept.size())) kept[a] = 1;
  return DslValue::of(make(e.loc, OpKind::Reshape, {r}, {{"shape", kept}}, name));
}

DslValue DslEvaluator::shapeCall(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name) {
  // Every argument after the tensor(s) is an integer: an axis, a bound, a dimension.
  auto integer = [&](size_t i, const char* what) {
    if (!args[i].isNumber() || args[i].number != std::floor(args[i].number))
      fail(e.args[i]->loc, e.name + "(): " + what + " must be an integer constant");
    return static_cast<int64_t>(args[i].number);
  };
  auto tensorArg = [&](size_t i) {
    if (args[i].isNumber()) fail(e.args[i]->loc, e.name + "(): argument " + std::to_string(i + 1) + " must be a tensor");
    return args[i].node;
  };
  auto axisOf = [&](size_t i, const Node* x) {
    int64_t axis = integer(i, "the axis");
    return axis < 0 ? axis + x->type().rank() : axis;
  };
  if (args.empty()) fail(e.loc, e.name + "() needs a tensor argument");
  if (e.name == "slice") {
    if (args.size() != 4) fail(e.loc, "slice(x, axis, start, len) takes 4 arguments, got " + std::to_string(args.size()));
    Node* x = tensorArg(0);
    return DslValue::of(make(e.loc, OpKind::Slice, {x},
                             {{"axis", axisOf(1, x)}, {"start", integer(2, "the start")}, {"size", integer(3, "the length")}},
                             name));
  }
  if (e.name == "concat") {
    if (args.size() < 3) fail(e.loc, "concat(a, b, ..., axis) takes two or more tensors and an axis");
    std::vector<Node*> parts;
    for (size_t i = 0; i + 1 < args.size(); ++i) parts.push_back(tensorArg(i));
    return DslValue::of(make(e.loc, OpKind::Concat, parts, {{"axis", axisOf(args.size() - 1, parts[0])}}, name));
  }
  Node* x = tensorArg(0);
  std::vector<int64_t> list;
  for (size_t i = 1; i < args.size(); ++i) list.push_back(integer(i, e.name == "reshape" ? "a dimension" : "an axis"));
  if (e.name == "reshape") {
    if (list.empty()) fail(e.loc, "reshape(x, d0, d1, ...) needs the new dimensions");
    return DslValue::of(make(e.loc, OpKind::Reshape, {x}, {{"shape", list}}, name));
  }
  if (list.empty()) {  // transpose(x): reverse the axes (swap the two of a matrix)
    for (int64_t a = x->type().rank(); a-- > 0;) list.push_back(a);
  }
  return DslValue::of(make(e.loc, OpKind::Transpose, {x}, {{"perm", list}}, name));
}

DslValue DslEvaluator::crossEntropy(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name) {
  for (const DslValue& a : args)
    if (a.isNumber()) fail(e.loc, "cross_entropy(logits, labels[, weights]) needs tensors, got the number " + formatNumber(a.number));
  Node* logits = args[0].node;
  Node* labels = args[1].node;
  const Dims& ld = logits->dims();
  const Dims& yd = labels->dims();
  if (ld.size() < 2 || yd.size() + 1 != ld.size() || !std::equal(yd.begin(), yd.end(), ld.begin()))
    fail(e.loc, "cross_entropy(logits, labels): logits " + logits->type().str() + " and labels " + labels->type().str() +
                    " do not match (labels must have the logits' shape without the class axis)");
  // Mean over every leading position: flatten [..., C] to [N, C] and the labels to [N].
  const int64_t classes = ld.back();
  const int64_t n = logits->type().numel() / classes;
  if (ld.size() > 2) {
    logits = make(e.loc, OpKind::Reshape, {logits}, {{"shape", Dims{n, classes}}});
    labels = make(e.loc, OpKind::Reshape, {labels}, {{"shape", Dims{n}}});
  }
  if (args.size() == 2) return DslValue::of(make(e.loc, OpKind::SoftmaxXent, {logits, labels}, {}, name));
  // Weighted: mean over the N positions of weight · loss (a 0/1 mask drops positions).
  Node* weights = args[2].node;
  if (weights->type() != TensorType::f32(yd))
    fail(e.args[2]->loc, "cross_entropy(logits, labels, weights): weights must be f32" + dimsStr(yd) +
                             " (the labels' shape), got " + weights->type().str());
  if (yd.size() != 1) weights = make(e.loc, OpKind::Reshape, {weights}, {{"shape", Dims{n}}});
  Node* rows = make(e.loc, OpKind::SoftmaxXentRows, {logits, labels});
  return DslValue::of(make(e.loc, OpKind::ReduceMean, {make(e.loc, OpKind::Mul, {rows, weights})},
                           {{"axes", std::vector<int64_t>{0}}}, name));
}

}  // namespace mnemo
