#include "graph/printer.h"

#include <sstream>

namespace mnemo {

std::string printNode(const Node& n) {
  std::string s = "%" + n.name();
  if (s.size() < 8) s.resize(8, ' ');
  s += " = ";
  s += opName(n.kind());
  if (n.numOperands() > 0) {
    s += "(";
    for (int i = 0; i < n.numOperands(); ++i) s += (i ? ", %" : "%") + n.operand(i)->name();
    s += ")";
  }
  if (!n.attrs().empty()) {
    s += " {";
    bool first = true;
    for (const auto& [key, value] : n.attrs().entries()) {
      s += (first ? "" : ", ") + key + "=" + attrToString(value);
      first = false;
    }
    s += "}";
  }
  return s + " : " + n.type().str();
}

namespace {

void printReturn(std::ostream& os, const Graph& g, const std::string& indent) {
  if (g.outputs().empty()) return;
  os << indent << "return ";
  for (size_t i = 0; i < g.outputs().size(); ++i) os << (i ? ", %" : "%") << g.outputs()[i]->name();
  os << "\n";
}

/// One node per line; a fused region's body follows its node, indented, in braces.
void printNodes(std::ostream& os, const Graph& g, const std::string& indent, bool stages) {
  Stage current = Stage::Fwd;
  graphWork().nodesPrinted += g.size();
  for (const Node* n : g.nodes()) {
    if (stages && n->stage() != current) {
      current = n->stage();
      os << ".stage " << stageName(current) << "\n";
    }
    os << indent << printNode(*n);
    if (!n->body()) {
      os << "\n";
      continue;
    }
    os << " {\n";
    printNodes(os, *n->body(), indent + "    ", false);
    printReturn(os, *n->body(), indent + "    ");
    os << indent << "}\n";
  }
}

/// The training marks, one `.role` line each: `.role grad %grad.w of %w`.
void printRoles(std::ostream& os, const Graph& g, const std::string& indent) {
  for (const RoleMark& m : g.roles()) {
    os << indent << ".role " << roleName(m.role) << " %" << m.node->name();
    if (m.of) os << " of %" << m.of->name();
    os << "\n";
  }
}

}  // namespace

std::string printGraph(const Graph& g, const std::string& header) {
  std::ostringstream os;
  if (!header.empty()) os << "// " << header << "\n";
  os << "graph @" << g.name() << " {\n";
  printNodes(os, g, "  ", true);
  printRoles(os, g, "  ");
  printReturn(os, g, "  ");
  os << "}\n";
  return os.str();
}

namespace {
std::string dotId(const Node* n) {
  std::string id = "n_";
  for (char c : n->name()) id += (c == '.' ? '_' : c);
  return id;
}
const char* stageColour(Stage s) {
  switch (s) {
    case Stage::Fwd: return "#dbe9f6";
    case Stage::Bwd: return "#fbe3d6";
    case Stage::Opt: return "#e2f0d9";
  }
  return "white";
}
/// For a fused region, " (kind): op → op → ..." so a picture shows what the box runs.
std::string regionSummary(const Node* n) {
  if (!n->body()) return "";
  const Attr* kind = n->attrs().find("kind");  // required by the fused row: the verifier saw it
  bool named = kind != nullptr && std::holds_alternative<std::string>(*kind);
  std::string s = " (" + (named ? std::get<std::string>(*kind) : std::string("?")) + "):\\n";
  bool first = true;
  for (const Node* b : n->body()->nodes()) {
    if (b->isLeaf()) continue;
    s += (first ? "" : " → ") + std::string(opName(b->kind()));
    first = false;
  }
  return s;
}

}  // namespace

std::string printDot(const Graph& g) {
  std::ostringstream os;
  os << "digraph \"" << g.name() << "\" {\n  rankdir=TB;\n  node [shape=box, style=filled, fontname=\"monospace\"];\n";
  for (const Node* n : g.nodes()) {
    os << "  " << dotId(n) << " [label=\"%" << n->name() << "\\n" << opName(n->kind()) << regionSummary(n) << "\\n"
       << n->type().str() << "\", fillcolor=\"" << (n->isLeaf() ? "#eeeeee" : stageColour(n->stage()))
       << "\"" << (n->body() ? ", peripheries=2" : "") << "];\n";
  }
  for (const Node* n : g.nodes())
    for (const Node* op : n->operands()) os << "  " << dotId(op) << " -> " << dotId(n) << ";\n";
  for (const Node* out : g.outputs()) os << "  " << dotId(out) << " [penwidth=3];\n";
  os << "}\n";
  return os.str();
}

}  // namespace mnemo
