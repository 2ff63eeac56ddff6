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

/// Lists of operand types to hand a shape rule, one per operand count, reused from node to node:
/// assigning a type into an entry that held one keeps its dims' storage, so a walk over the graph
/// allocates for the first node of each arity rather than for every operand of every node.
struct OperandTypes {
  std::vector<TensorType>& of(const Node* n) {
    size_t arity = n->operands().size();
    if (arity >= byArity.size()) byArity.resize(arity + 1);
    std::vector<TensorType>& types = byArity[arity];
    types.resize(arity);
    for (size_t i = 0; i < arity; ++i) types[i] = n->operands()[i]->type();
    return types;
  }
  std::vector<std::vector<TensorType>> byArity;
};

/// \p unchanged: the node passed these checks at the graph's last clean verify and has not been
/// edited since (Node::editedAt); only what depends on the rest of the graph is checked again.
void checkNode(const Node* n, const NodeTable& table, bool unchanged, OperandTypes& operandTypes,
               std::vector<std::string>& out) {
  const OpInfo& info = opInfo(n->kind());
  for (int i = 0; i < n->numOperands(); ++i) {
    const Node* op = n->operand(i);
    if (!table.isDefined(op)) out.push_back(where(n) + "operand " + std::to_string(i) + " %" + op->name() + " is not defined before its use");
    else if (!unchanged && op->type().isNone()) out.push_back(where(n) + "operand %" + op->name() + " has no value");
  }
  // The rest reads only the node's op, type and attributes and its operands' types, none of
  // which can change without moving editedAt. A region's body is a graph of its own, which
  // keeps its own memory of what it verified, so it is always checked.
  if (unchanged) {
    if (info.category == Category::Fused) checkRegion(n, out);
    return;
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
  const std::vector<TensorType>& ins = operandTypes.of(n);
  try {
    TensorType inferred = info.inferType(ins, OpAttrs(n->kind(), n->attrs(), &n->name()));
    if (inferred != n->type())
      out.push_back(where(n) + "type " + n->type().str() + " is stored but the shape rule gives " + inferred.str());
  } catch (const Error& e) {
    out.push_back(where(n) + "operands (" + describeOperands(n->operands().vec()) + ") are rejected by the shape rule: " + e.what());
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
  OperandTypes operandTypes;
  uint64_t cleanAt = 0;
  const bool remembered = g.lastClean(&cleanAt);
  for (const Node* n : nodes) {
    if (!namesOk && g.find(n->name()) != n) {
      out.push_back(where(n) + "name is not registered in the graph");
      unregistered = true;
    }
    const bool unchanged = remembered && n->editedAt() <= cleanAt;
    checkNode(n, table, unchanged, operandTypes, out);
    // An unchanged use list names the same slots as at the clean verify, and each of those
    // still points here: pointing one elsewhere, or erasing its node, edits this node too.
    if (!unchanged) checkUses(table, n, slots[n->id()], listed, out);
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
  if (out.empty()) g.noteClean();
  return out;
}

void verifyOrThrow(const Graph& g, const std::string& context) {
  std::vector<std::string> problems = verify(g);
  if (problems.empty()) return;
  std::string more = problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "";
  MNEMO_FAIL(context << ": graph @" << g.name() << " is invalid: " << problems[0] << more);
}

}  // namespace mnemo
