// Expression evaluation for the model DSL: constant folding, operators, built-in functions and
// time-step selection.
#include "frontend/dsl_eval.h"

#include <cmath>

#include "frontend/init.h"
#include "graph/error.h"
#include "graph/limits.h"

namespace mnemo {

namespace {

/// Elementwise functions: the op they emit on a tensor and their value on a number.
struct UnaryFn {
  const char* name;
  OpKind kind;
  double (*fold)(double);
};
const UnaryFn kUnaryFns[] = {
    {"relu", OpKind::Relu, [](double x) { return x > 0 ? x : 0.0; }},
    {"tanh", OpKind::Tanh, [](double x) { return std::tanh(x); }},
    {"sigmoid", OpKind::Sigmoid, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }},
    {"exp", OpKind::Exp, [](double x) { return std::exp(x); }},
    {"log", OpKind::Log, [](double x) { return std::log(x); }},
    {"sqrt", OpKind::Sqrt, [](double x) { return std::sqrt(x); }},
    {"square", OpKind::Square, [](double x) { return x * x; }},
    {"neg", OpKind::Neg, [](double x) { return -x; }},
};

const UnaryFn* findUnary(const std::string& name) {
  for (const UnaryFn& f : kUnaryFns)
    if (name == f.name) return &f;
  return nullptr;
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
  for (const UnaryFn& f : kUnaryFns) s += std::string(f.name) + ", ";
  return s + "mean, sum, cross_entropy, or an op of ops.def such as matmul";
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
  }
  fail(e.loc, "unknown expression");
}

DslValue DslEvaluator::binary(const DslExpr& e, const std::string& name) {
  const char op = e.name[0];
  DslValue l = eval(*e.args[0]);
  DslValue r = eval(*e.args[1]);
  if (l.isNumber() && r.isNumber()) {
    switch (op) {
      case '+': return DslValue::of(finite(e.loc, l.number + r.number));
      case '-': return DslValue::of(finite(e.loc, l.number - r.number));
      case '*': return DslValue::of(finite(e.loc, l.number * r.number));
      case '/':
        if (r.number == 0) fail(e.loc, "division by zero in a constant expression");
        return DslValue::of(finite(e.loc, l.number / r.number));
      default: fail(e.loc, "'@' (matrix product) needs two tensors, got two numbers");
    }
  }
  if (op == '@') {
    if (l.isNumber() || r.isNumber())
      fail(e.loc, "'@' (matrix product) needs two tensors, got a number " + formatNumber(l.isNumber() ? l.number : r.number));
    return DslValue::of(make(e.loc, OpKind::MatMul, {l.node, r.node}, {}, name));
  }
  Node* a = tensor(l);
  Node* b = tensor(r);
  const OpKind kind = op == '+' ? OpKind::Add : op == '-' ? OpKind::Sub : op == '*' ? OpKind::Mul : OpKind::Div;
  return DslValue::of(make(e.loc, kind, {a, b}, {}, name));
}

DslValue DslEvaluator::index(const DslExpr& e, const std::string& name) {
  DslValue base = eval(*e.args[0]);
  if (base.isNumber()) fail(e.loc, "cannot index a number");
  Node* n = base.node;
  for (size_t i = 1; i < e.args.size(); ++i) {
    const double v = evalNumber(*e.args[i], "an index");
    if (v != std::floor(v)) fail(e.args[i]->loc, "an index must be an integer, got " + formatNumber(v));
    if (std::fabs(v) > static_cast<double>(limits::kMaxDimension))
      fail(e.args[i]->loc, "index " + formatNumber(v) + " is out of range (the limit is " +
                               std::to_string(limits::kMaxDimension) + ")");
    // x[i, j] selects i along axis 0, then j along the next axis (axis 0 of the result).
    n = make(e.loc, OpKind::Select, {n}, {{"axis", int64_t{0}}, {"index", static_cast<int64_t>(v)}},
             i + 1 == e.args.size() ? name : "");
  }
  return DslValue::of(n);
}

DslValue DslEvaluator::call(const DslExpr& e, const std::string& name) {
  std::vector<DslValue> args;
  for (const DslExprPtr& a : e.args) args.push_back(eval(*a));
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      std::string want = lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi);
      fail(e.loc, e.name + "() takes " + want + " argument(s), got " + std::to_string(args.size()));
    }
  };
  if (const UnaryFn* f = findUnary(e.name)) {
    arity(1, 1);
    if (args[0].isNumber()) return DslValue::of(finite(e.loc, f->fold(args[0].number)));
    return DslValue::of(make(e.loc, f->kind, {args[0].node}, {}, name));
  }
  if (e.name == "mean" || e.name == "sum") {
    arity(1, 8);
    return reduce(e, e.name == "mean", args, name);
  }
  if (e.name == "cross_entropy") {
    arity(2, 2);
    return crossEntropy(e, args, name);
  }
  OpKind kind;
  if (callableOp(e.name, &kind)) {
    std::vector<Node*> operands;
    for (const DslValue& v : args) operands.push_back(tensor(v));
    return DslValue::of(make(e.loc, kind, std::move(operands), {}, name));
  }
  fail(e.loc, "unknown function '" + e.name + "' (known: " + knownFunctions() + ")");
}

DslValue DslEvaluator::reduce(const DslExpr& e, bool mean, const std::vector<DslValue>& args, const std::string& name) {
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
  return DslValue::of(make(e.loc, mean ? OpKind::ReduceMean : OpKind::ReduceSum, {x}, {{"axes", axes}}, name));
}

DslValue DslEvaluator::crossEntropy(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name) {
  if (args[0].isNumber() || args[1].isNumber()) fail(e.loc, "cross_entropy(logits, labels) needs two tensors");
  Node* logits = args[0].node;
  Node* labels = args[1].node;
  const Dims& ld = logits->dims();
  const Dims& yd = labels->dims();
  if (ld.size() < 2 || yd.size() + 1 != ld.size() || !std::equal(yd.begin(), yd.end(), ld.begin()))
    fail(e.loc, "cross_entropy(logits, labels): logits " + logits->type().str() + " and labels " + labels->type().str() +
                    " do not match (labels must have the logits' shape without the class axis)");
  // Mean over every leading position: flatten [..., C] to [N, C] and the labels to [N].
  if (ld.size() > 2) {
    const int64_t classes = ld.back();
    const int64_t n = logits->type().numel() / classes;
    logits = make(e.loc, OpKind::Reshape, {logits}, {{"shape", Dims{n, classes}}});
    labels = make(e.loc, OpKind::Reshape, {labels}, {{"shape", Dims{n}}});
  }
  return DslValue::of(make(e.loc, OpKind::SoftmaxXent, {logits, labels}, {}, name));
}

}  // namespace mnemo
