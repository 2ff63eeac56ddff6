#include "builder_model.h"

#include <cmath>
#include <map>

#include "ops/builder.h"
#include "support/error.h"
#include "op_table.h"
#include "ops/op_table.h"

namespace mnemo::modelgen {

namespace {

/// A value while unrolling: a number (folded, as the DSL folds them) or a node.
struct Value {
  Node* node = nullptr;
  double number = 0;
};

class Unroller {
 public:
  explicit Unroller(const GenModel& m) : m_(m), g_(std::make_unique<Graph>("gen")), b_(*g_) {}

  std::unique_ptr<Graph> run() {
    for (const Decl& d : m_.inputs) global_[d.name] = b_.input(d.name, {DType::F32, dims(d.dims)});
    Node* labels = b_.input("labels", {DType::I64, {m_.seqLen, m_.batch}});
    global_["labels"] = labels;
    for (const Decl& d : m_.params) global_[d.name] = b_.param(d.name, dims(d.dims), d.init);
    std::map<std::string, Node*> state;
    for (const Decl& d : m_.states) {
      double v = d.init == "zeros" ? 0 : d.init == "ones" ? 1 : std::stod(d.init);
      state[d.name] = b_.constant(v, dims(d.dims), d.name + "_0");
    }
    std::map<std::string, std::vector<Node*>> outSeq;
    std::vector<std::string> outOrder;
    for (int64_t t = 0; t < m_.seqLen; ++t) {
      t_ = t;
      local_ = state;
      for (const Statement& s : m_.step) {
        Node* v = tensor(eval(s.value));
        local_[s.name] = v;
        if (s.kind == Statement::State) state[s.name] = v;
        if (s.kind == Statement::Out) {
          if (t == 0) outOrder.push_back(s.name);
          outSeq[s.name].push_back(v);
        }
      }
    }
    local_.clear();
    std::vector<Node*> outs;
    for (size_t i = 0; i < outOrder.size(); ++i) {
      Node* stacked = b_.create(OpKind::Stack, outSeq[outOrder[i]], {{"axis", int64_t{0}}}, i == 0 ? "logits" : outOrder[i]);
      global_[outOrder[i]] = stacked;
      outs.push_back(stacked);
    }
    Value loss = eval(m_.mainLoss);
    for (const Expr& e : m_.extraLoss) loss = binary(OpKind::Add, loss, eval(e));
    g_->addOutput(tensor(loss));
    for (Node* o : outs) g_->addOutput(o);
    return std::move(g_);
  }

 private:
  /// A dimension as the generator writes it: a number, T, B, a size name, or a product of
  /// those ("2 * O", from the slice and concat forms).
  int64_t dim(const std::string& s) const {
    const size_t star = s.find('*');
    if (star != std::string::npos) return dim(trimmed(s.substr(0, star))) * dim(trimmed(s.substr(star + 1)));
    return s == "T" ? m_.seqLen : s == "B" ? m_.batch : std::isdigit(static_cast<unsigned char>(s[0])) ? std::stoll(s) : m_.sizes.at(s);
  }
  static std::string trimmed(const std::string& s) {
    const size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
  }
  Dims dims(const SymDims& d) const {
    Dims out;
    for (const std::string& s : d) out.push_back(dim(s));
    return out;
  }
  Node* tensor(const Value& v) { return v.node ? v.node : b_.constant(v.number); }
  Node* lookup(const std::string& name) {
    auto it = local_.find(name);
    if (it != local_.end()) return it->second;
    return global_.at(name);
  }
  // Numbers fold with the op's scalar function from its row, as the DSL folds them.
  Value binary(OpKind k, const Value& a, const Value& b) {
    if (!a.node && !b.node) return {nullptr, opInfo(k).elementwise.scalar.d2(a.number, b.number)};
    return {b_.create(k, {tensor(a), tensor(b)})};
  }

  static double fold(OpKind k, double x) {
    double (*f)(double) = opInfo(k).elementwise.scalar.d1;
    MNEMO_CHECK(f, "modelgen: cannot fold op '" << opName(k) << "' of a number");
    return f(x);
  }

  Value eval(const Expr& e) {
    if (e.op == "number") return {nullptr, e.number};
    if (e.op == "time") return {nullptr, static_cast<double>(t_ + 1)};
    if (e.op == "name") return {lookup(e.name)};
    if (e.op == "select") return {b_.select(global_.at(e.name), 0, t_)};
    if (e.op == "cross_entropy") {
      Node* logits = tensor(eval(e.args[0]));
      const Dims& d = logits->dims();
      Node* flat = b_.reshape(logits, {d[0] * d[1], d[2]});
      Node* labels = b_.reshape(global_.at("labels"), {d[0] * d[1]});
      return {b_.softmaxXent(flat, labels)};
    }
    const OpRow& row = opRow(e.op);
    OpKind kind;
    MNEMO_CHECK(opByName(row.irOp, &kind), "modelgen: op row '" << row.id << "' names no op");
    std::vector<Value> args;
    for (const Expr& a : e.args) args.push_back(eval(a));
    switch (row.kind) {
      case OpRow::Binary: return binary(kind, args[0], args[1]);
      case OpRow::MatMul: return {b_.matmul(tensor(args[0]), tensor(args[1]))};
      case OpRow::Reduce: {
        Node* x = tensor(args[0]);
        std::vector<int64_t> axes(e.axes.begin(), e.axes.end());
        if (axes.empty())
          for (int64_t a = 0; a < x->type().rank(); ++a) axes.push_back(a);
        return {kind == OpKind::ReduceMean ? b_.reduceMean(x, axes) : b_.reduceSum(x, axes)};
      }
      case OpRow::Unary: break;
      default:  // builderCanBuild keeps models with the newer forms away from the Builder
        MNEMO_CHECK(false, "modelgen: the Builder path has no form for op row '" << row.id << "'");
    }
    if (!args[0].node) return {nullptr, fold(kind, args[0].number)};  // as the DSL folds numbers
    return {b_.create(kind, {args[0].node})};
  }

  const GenModel& m_;
  std::unique_ptr<Graph> g_;
  Builder b_;
  std::map<std::string, Node*> global_, local_;
  int64_t t_ = 0;
};

}  // namespace

std::unique_ptr<Graph> buildModelGraph(const GenModel& m) { return Unroller(m).run(); }

namespace {
bool builderCanBuild(const Expr& e) {
  if (e.keepdims || e.op == "mse" || (e.op == "cross_entropy" && e.args.size() > 1)) return false;
  if (e.op != "name" && e.op != "number" && e.op != "select" && e.op != "time" && e.op != "cross_entropy") {
    OpRow::Kind k = opRow(e.op).kind;
    if (k != OpRow::Unary && k != OpRow::Binary && k != OpRow::MatMul && k != OpRow::Reduce) return false;
  }
  for (const Expr& a : e.args)
    if (!builderCanBuild(a)) return false;
  return true;
}
}  // namespace

bool builderCanBuild(const GenModel& m) {
  if (!m.fixeds.empty()) return false;
  for (const Decl& s : m.states)
    if (s.init != "zeros" && s.init != "ones" && !(std::isdigit(s.init[0]) || s.init[0] == '-')) return false;
  for (const Statement& s : m.step)
    if (!builderCanBuild(s.value)) return false;
  for (const Expr& e : m.extraLoss)
    if (!builderCanBuild(e)) return false;
  return builderCanBuild(m.mainLoss);
}

}  // namespace mnemo::modelgen
