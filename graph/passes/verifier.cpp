#include "graph/passes/verifier.h"

#include "support/limits.h"

#include <algorithm>
#include <vector>

#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

std::string where(const Node* n) { return "node %" + n->name() + " (" + opName(n->kind()) + "): "; }

/// The graph's nodes in tables indexed by Node::id (a hash set of nodes is slow on large graphs):
/// which node holds each id, and which of them are defined so far in the walk. A node of another
/// graph may share an id, so membership compares the node as well.
struct NodeTable {
  explicit NodeTable(const Graph& g, const std::vector<Node*>& nodes) : byId(g.idBound(), nullptr), defined(g.idBound(), 0) {
    for (const Node* n : nodes) byId[n->id()] = n;
  }
  bool holds(const Node* n) const { return n->id() < byId.size() && byId[n->id()] == n; }
  bool isDefined(const Node* n) const { return holds(n) && defined[n->id()]; }
  std::vector<const Node*> byId;
  std::vector<char> defined;
};

/// A fused region: its body verifies, has one input per operand (same types, in order), and
/// returns one value of the node's type.
void checkRegion(const Node* n, std::vector<std::string>& out) {
  const Graph* body = n->body();
  if (!body) {
    out.push_back(where(n) + "has no body");
    return;
  }
  for (const std::string& problem : verify(*body)) out.push_back(where(n) + "body: " + problem);
  int param = 0;
  for (const Node* b : body->nodes()) {
    if (b->kind() != OpKind::Input) continue;
    if (param >= n->numOperands()) {
      out.push_back(where(n) + "body input %" + b->name() + " has no operand");
      return;
    }
    if (b->type() != n->operand(param)->type())
      out.push_back(where(n) + "body input %" + b->name() + " is " + b->type().str() + " but operand %" +
                    n->operand(param)->name() + " is " + n->operand(param)->type().str());
    ++param;
  }
  if (param != n->numOperands()) out.push_back(where(n) + "has " + std::to_string(n->numOperands()) + " operands for " + std::to_string(param) + " body inputs");
  if (body->outputs().size() != 1) out.push_back(where(n) + "body must return one value");
  else if (body->outputs()[0]->type() != n->type())
    out.push_back(where(n) + "type " + n->type().str() + " differs from its body's result " + body->outputs()[0]->type().str());
}

/// Checks \p n's use list against the \p slots operand slots of the graph that name it: every
/// entry must name such a slot, once. Then the list has exactly \p slots entries iff it lists
/// every one of them (a count rather than a search per slot, which a value used by thousands of
/// time steps would make quadratic).
void checkUses(const NodeTable& table, const Node* n, size_t slots, std::vector<std::pair<const Node*, int>>& listed,
               std::vector<std::string>& out) {
  listed.clear();  // the caller's buffer, reused from node to node
  for (const Use& u : n->uses()) {
    if (u.index < 0 || u.index >= u.user->numOperands() || u.user->operand(u.index) != n)
      out.push_back(where(n) + "use list names %" + u.user->name() + " operand " + std::to_string(u.index) + ", which is not this value");
    else if (!table.holds(u.user))
      out.push_back(where(n) + "used by %" + u.user->name() + ", which is not in the graph");
    listed.push_back({u.user, u.index});
  }
  std::sort(listed.begin(), listed.end());
  auto twice = std::adjacent_find(listed.begin(), listed.end());
  if (twice != listed.end())
    out.push_back(where(n) + "use list names %" + twice->first->name() + " operand " + std::to_string(twice->second) + " twice");
  if (listed.size() != slots)
    out.push_back(where(n) + "use list has " + std::to_string(listed.size()) + " entries for " + std::to_string(slots) +
                  " operand slots that use it");
}

void checkNode(const Node* n, const NodeTable& table, std::vector<std::string>& out) {
  const OpInfo& info = opInfo(n->kind());
  for (int i = 0; i < n->numOperands(); ++i) {
    const Node* op = n->operand(i);
    if (!table.isDefined(op)) out.push_back(where(n) + "operand " + std::to_string(i) + " %" + op->name() + " is not defined before its use");
    else if (op->type().isNone()) out.push_back(where(n) + "operand %" + op->name() + " has no value");
  }
  bool arityOk = info.arity < 0 ? n->numOperands() > 0 : n->numOperands() == info.arity;
  if (!arityOk) {
    out.push_back(where(n) + "has " + std::to_string(n->numOperands()) + " operand(s), the op takes " +
                  (info.arity < 0 ? std::string("at least 1") : std::to_string(info.arity)));
    return;
  }
  for (int64_t d : n->dims()) {
    if (d <= 0) {
      out.push_back(where(n) + "type " + n->type().str() + " has a non-positive dimension");
      break;
    }
  }
  std::string sizeProblem = dimsProblem(n->dims());
  if (!sizeProblem.empty()) {
    out.push_back(where(n) + "type " + n->type().str() + ": " + sizeProblem);
    return;
  }
  std::string attrProblem = checkAttrs(n->kind(), n->attrs());
  if (!attrProblem.empty()) {
    out.push_back(where(n) + attrProblem);
    return;
  }
  if (info.category == Category::Fused) {
    checkRegion(n, out);
    return;
  }
  if (info.category == Category::Leaf) {
    if (n->type().isNone()) out.push_back(where(n) + "a declaration needs a type");
    return;
  }
  std::vector<TensorType> ins;
  ins.reserve(n->operands().size());
  for (const Node* op : n->operands()) ins.push_back(op->type());
  try {
    TensorType inferred = info.inferType(ins, OpAttrs(n->kind(), n->attrs(), &n->name()));
    if (inferred != n->type())
      out.push_back(where(n) + "type " + n->type().str() + " is stored but the shape rule gives " + inferred.str());
  } catch (const Error& e) {
    out.push_back(where(n) + "operands (" + describeOperands(n->operands()) + ") are rejected by the shape rule: " + e.what());
  }
}

}  // namespace

std::vector<std::string> verify(const Graph& g) {
  std::vector<std::string> out;
  const std::vector<Node*> nodes = g.nodes();
  NodeTable table(g, nodes);
  std::vector<size_t> slots(g.idBound(), 0);  // operand slots naming each value, by id
  for (const Node* n : nodes)
    for (const Node* op : n->operands())
      if (table.holds(op)) ++slots[op->id()];
  Stage last = Stage::Fwd;
  const bool namesOk = g.namesConsistent();  // else find the nodes at fault by name
  bool unregistered = false;
  std::vector<std::pair<const Node*, int>> listed;
  for (const Node* n : nodes) {
    if (!namesOk && g.find(n->name()) != n) {
      out.push_back(where(n) + "name is not registered in the graph");
      unregistered = true;
    }
    checkNode(n, table, out);
    checkUses(table, n, slots[n->id()], listed, out);
    if (!n->isLeaf()) {
      if (n->stage() < last)
        out.push_back(where(n) + "stage " + stageName(n->stage()) + " comes after stage " + stageName(last));
      last = std::max(last, n->stage());
    }
    table.defined[n->id()] = 1;
  }
  if (!namesOk && !unregistered) out.push_back("the graph's name registry names a node that is not in it");
  for (const Node* o : g.outputs()) {
    if (!table.isDefined(o)) out.push_back("return: %" + o->name() + " is not in the graph");
    else if (o->type().isNone()) out.push_back("return: %" + o->name() + " has no value");
  }
  return out;
}

void verifyOrThrow(const Graph& g, const std::string& context) {
  std::vector<std::string> problems = verify(g);
  if (problems.empty()) return;
  std::string more = problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  MNEMO_FAIL(context << ": graph @" << g.name() << " is invalid: " << problems[0] << more);
}

}  // namespace mnemo
