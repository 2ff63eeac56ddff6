// cse: common-subexpression elimination. Two nodes with the same op, operands, attributes and
// type compute the same value; every use of the later one is pointed at the earlier one. Equal
// constants merge the same way. Inputs, params, state, side-effecting updates and returned values
// are never merged away (a returned value may still serve as the kept node of later equal ones).
//
//   %3 = mul(%g, %w)          %3 = mul(%g, %w)
//   %4 = mul(%g, %w)    →     %5 = add(%3, %3)
//   %5 = add(%3, %4)
#include <unordered_map>

#include "graph/passes/passes.h"
#include "graph/printer.h"

namespace mnemo {

namespace {

/// op|type|attr=value,...#operand,... (appended in place: this runs once per node, twice a compile).
/// Operands are named by their node's id, not by their name: merging gives the kept node the
/// erased one's user-given name, and a key that spelled the old name would no longer match.
std::string keyOf(const Node* n) {
  std::string key = opName(n->kind());
  key += '|';
  key += n->type().str();
  key += '|';
  for (const auto& [k, v] : n->attrs().entries()) {
    key += k;
    key += '=';
    key += attrToString(v);
    key += ',';
  }
  for (const Node* op : n->operands()) {
    key += '#';
    key += std::to_string(op->id());
    key += ',';
  }
  if (n->body()) key += printGraph(*n->body());  // regions are equal only with equal bodies
  return key;
}

class CsePass : public Pass {
 public:
  const char* name() const override { return "cse"; }
  bool run(Graph& g, PassContext&) override {
    bool changed = false;
    std::unordered_map<std::string, Node*> seen;
    seen.reserve(g.size());
    for (Node* n : g.nodes()) {
      bool mergeable = n->kind() == OpKind::Constant || (!n->isLeaf() && !n->hasSideEffect());
      if (!mergeable) continue;
      auto [it, inserted] = seen.emplace(keyOf(n), n);
      // A returned value keeps its node: callers read outputs by name (an `out rate = h` stacks
      // the same values as %hs, and both names must stay readable).
      if (inserted || g.isOutput(n)) continue;
      // The first node comes earlier in the order, so it can serve every later use. It may sit
      // in a later stage only if it is a constant (leaves have no stage order).
      g.replaceAndErase(n, it->second);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createCsePass() { return std::make_unique<CsePass>(); }

}  // namespace mnemo
