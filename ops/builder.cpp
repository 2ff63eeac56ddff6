#include "ops/builder.h"

#include "support/error.h"
#include "ops/op_table.h"

namespace mnemo {

std::string describeOperands(const std::vector<Node*>& operands) {
  std::string s;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (i) s += ", ";
    s += "%" + operands[i]->name() + ": " + operands[i]->type().str();
  }
  return s;
}

Node* Builder::create(OpKind kind, std::vector<Node*> operands, Attrs attrs, std::string name) {
  const OpInfo& info = opInfo(kind);
  auto fail = [&](const std::string& why) {
    MNEMO_FAIL("op '" << info.name << "' (" << describeOperands(operands) << "): " << why);
  };
  if (info.category == Category::Leaf) fail("a declaration is made with input(), param(), state() or constant()");
  if (info.category == Category::Fused) fail("a fused region is made with Graph::createFused");
  bool arityOk = info.arity < 0 ? !operands.empty() : static_cast<int>(operands.size()) == info.arity;
  if (!arityOk) {
    fail("takes " + (info.arity < 0 ? std::string("at least 1") : std::to_string(info.arity)) +
         " operand(s), got " + std::to_string(operands.size()));
  }
  for (Node* op : operands)
    if (op->type().isNone()) fail("operand %" + op->name() + " has no value");
  std::string attrProblem = checkAttrs(kind, attrs);
  if (!attrProblem.empty()) fail(attrProblem);
  std::vector<TensorType> ins;
  for (Node* op : operands) ins.push_back(op->type());
  TensorType type;
  try {
    type = info.inferType(ins, OpAttrs(kind, attrs));
  } catch (const Error& e) {
    fail(e.what());
  }
  return made(g_.create(kind, std::move(operands), std::move(type), std::move(attrs), std::move(name),
                        stage_, before_));
}

Node* Builder::input(const std::string& name, TensorType type) {
  return made(g_.create(OpKind::Input, {}, std::move(type), {}, name, stage_, before_));
}

Node* Builder::param(const std::string& name, Dims dims, const std::string& init) {
  Attrs attrs;
  if (!init.empty()) attrs.set("init", init);
  return made(g_.create(OpKind::Param, {}, TensorType::f32(std::move(dims)), std::move(attrs), name,
                        stage_, before_));
}

Node* Builder::state(const std::string& name, TensorType type) {
  return made(g_.create(OpKind::State, {}, std::move(type), {}, name, stage_, before_));
}

Node* Builder::constant(double value, Dims dims, const std::string& name) {
  return made(g_.create(OpKind::Constant, {}, TensorType::f32(std::move(dims)), {{"value", value}},
                        name, stage_, before_));
}

Node* Builder::matmul(Node* a, Node* b, bool transposeA, bool transposeB) {
  Attrs attrs;
  if (transposeA) attrs.set("transpose_a", true);
  if (transposeB) attrs.set("transpose_b", true);
  return create(OpKind::MatMul, {a, b}, std::move(attrs));
}

Node* Builder::reshape(Node* a, Dims dims) {
  return create(OpKind::Reshape, {a}, {{"shape", std::move(dims)}});
}

Node* Builder::broadcast(Node* a, Dims dims) {
  return create(OpKind::Broadcast, {a}, {{"shape", std::move(dims)}});
}

Node* Builder::select(Node* a, int64_t axis, int64_t index) {
  return create(OpKind::Select, {a}, {{"axis", axis}, {"index", index}});
}

Node* Builder::insertSlice(Node* a, int64_t axis, int64_t index, int64_t size) {
  return create(OpKind::InsertSlice, {a}, {{"axis", axis}, {"index", index}, {"size", size}});
}

Node* Builder::stack(std::vector<Node*> parts, int64_t axis) {
  return create(OpKind::Stack, std::move(parts), {{"axis", axis}});
}

Node* Builder::reduceSum(Node* a, std::vector<int64_t> axes) {
  return create(OpKind::ReduceSum, {a}, {{"axes", std::move(axes)}});
}

Node* Builder::reduceMean(Node* a, std::vector<int64_t> axes) {
  return create(OpKind::ReduceMean, {a}, {{"axes", std::move(axes)}});
}

Node* Builder::reduceMax(Node* a, std::vector<int64_t> axes) {
  return create(OpKind::ReduceMax, {a}, {{"axes", std::move(axes)}});
}

Node* Builder::argmax(Node* a, int64_t axis) {
  return create(OpKind::ArgMax, {a}, {{"axis", axis}});
}

Node* Builder::unbroadcast(Node* g, const Dims& dims) {
  const Dims& from = g->dims();
  if (from == dims) return g;
  int extra = static_cast<int>(from.size()) - static_cast<int>(dims.size());
  MNEMO_CHECK(extra >= 0, "cannot unbroadcast " << dimsStr(from) << " to " << dimsStr(dims));
  std::vector<int64_t> axes;
  for (int i = 0; i < static_cast<int>(from.size()); ++i) {
    bool added = i < extra;
    bool stretched = !added && dims[i - extra] == 1 && from[i] != 1;
    if (added || stretched) axes.push_back(i);
  }
  Node* summed = axes.empty() ? g : reduceSum(g, axes);
  return summed->dims() == dims ? summed : reshape(summed, dims);
}

}  // namespace mnemo
