#include "model.h"

#include <cstdio>
#include <regex>
#include <sstream>

#include "op_table.h"

namespace mnemo::modelgen {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return v < 0 ? "(" + std::string(buf) + ")" : std::string(buf);
}

std::string dims(const SymDims& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + d[i];
  return s + "]";
}

}  // namespace

std::string emitExpr(const Expr& e) {
  if (e.op == "number") return number(e.number);
  if (e.op == "name") return e.name;
  if (e.op == "select") return e.name + "[t]";
  if (e.op == "time") return "(t + 1)";
  if (e.op == "cross_entropy")
    return "cross_entropy(" + emitExpr(e.args[0]) + ", labels" + (e.args.size() > 1 ? ", " + emitExpr(e.args[1]) : "") + ")";
  if (e.op == "mse") return "mse(" + emitExpr(e.args[0]) + ", " + emitExpr(e.args[1]) + ")";
  const OpRow& row = opRow(e.op);
  const std::string& size = e.shape.empty() ? std::string() : e.shape.back();
  switch (row.form) {
    case OpRow::Infix: return "(" + emitExpr(e.args[0]) + " " + row.text + " " + emitExpr(e.args[1]) + ")";
    case OpRow::Prefix: return std::string(row.text) + "(" + emitExpr(e.args[0]) + ")";
    case OpRow::Range:  // the half axes[0] of a [B, 2 * X] operand
      return emitExpr(e.args[0]) + (e.axes[0] == 0 ? "[:, 0:" + size + "]" : "[:, " + size + ":2 * " + size + "]");
    case OpRow::Call: break;
  }
  if (row.kind == OpRow::Slice)
    return "slice(" + emitExpr(e.args[0]) + ", 1, " + (e.axes[0] == 0 ? "0" : size) + ", " + size + ")";
  std::string s = std::string(row.text) + "(";
  if (row.kind == OpRow::Noise) {  // randn(B, H): the draw's dimensions are its arguments
    for (size_t i = 0; i < e.shape.size(); ++i) s += (i ? ", " : "") + e.shape[i];
    return s + ")";
  }
  for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + emitExpr(e.args[i]);
  if (row.kind == OpRow::Reshape)
    for (const std::string& d : e.shape) s += ", " + d;
  for (int a : e.axes) s += ", " + std::to_string(a);
  if (e.keepdims) s += ", keepdims";
  return s + ")";
}

std::string emitDsl(const GenModel& m) {
  std::ostringstream os;
  os << "# modelgen: B=" << m.batch << " T=" << m.seqLen << " seed=" << m.seed << "\n";
  os << "model gen\n";
  if (!m.sizes.empty()) {
    os << "size ";
    bool first = true;
    for (const auto& [name, v] : m.sizes) os << (first ? "" : ", ") << name << " = " << v, first = false;
    os << "\n";
  }
  for (const Decl& d : m.inputs) os << "input " << d.name << " : f32" << dims(d.dims) << "\n";
  os << "target labels : i64[T, B]\n";
  for (const Decl& d : m.params) os << "param " << d.name << " : " << dims(d.dims) << " = " << d.init << "\n";
  for (const Decl& d : m.fixeds) os << "fixed " << d.name << " : " << dims(d.dims) << " = " << d.init << "\n";
  for (const Decl& d : m.states) os << "state " << d.name << " : " << dims(d.dims) << " = " << d.init << "\n";
  os << "step t {\n";
  for (const Statement& s : m.step)
    os << "  " << (s.kind == Statement::Out ? "out " : "") << s.name << " = " << emitExpr(s.value) << "\n";
  os << "}\n";
  os << "loss = " << emitExpr(m.mainLoss);
  for (const Expr& e : m.extraLoss) os << " + " << emitExpr(e);
  os << "\n";
  return os.str();
}

bool readRunHeader(const std::string& text, int64_t* batch, int64_t* seqLen) {
  std::smatch match;
  static const std::regex header(R"(# modelgen: B=(\d+) T=(\d+))");
  if (!std::regex_search(text, match, header)) return false;
  *batch = std::stoll(match[1]);
  *seqLen = std::stoll(match[2]);
  return true;
}

}  // namespace mnemo::modelgen
