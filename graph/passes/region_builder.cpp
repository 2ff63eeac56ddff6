#include "graph/passes/region_builder.h"

#include <unordered_map>

#include "support/error.h"

namespace mnemo {

Node* replaceWithRegion(Graph& g, const std::vector<Node*>& members, const std::string& kind, const std::string& kernel) {
  Node* last = members.back();
  auto body = std::make_unique<Graph>(last->name());
  std::unordered_map<const Node*, Node*> inBody;
  // A constant is copied into the body as a uniform value, except as a matmul operand: the
  // runtime binds matmul operands to buffers, so there it is a parameter (a non-zero initial
  // state `h_0` multiplied by a weight is such a constant). An elementwise member reading the
  // same constant still gets the copy, which the epilogue rules treat as a scalar.
  std::unordered_map<const Node*, Node*> copied;  // constant → its copy in the body
  std::vector<Node*> operands;
  auto mapOperand = [&](Node* op, bool asParameter) -> Node* {
    bool copy = op->kind() == OpKind::Constant && !asParameter;
    auto& known = copy ? copied : inBody;
    auto it = known.find(op);
    if (it != known.end()) return it->second;
    Node* made;
    if (copy) {
      made = body->create(OpKind::Constant, {}, op->type(), op->attrs(), "", Stage::Fwd);
    } else {
      made = body->create(OpKind::Input, {}, op->type(), {}, "p" + std::to_string(operands.size()), Stage::Fwd);
      operands.push_back(op);
    }
    known[op] = made;
    return made;
  };
  // Parameters first, so the body lists its inputs before its ops (and in operand order).
  std::unordered_map<const Node*, bool> isMember;
  for (Node* m : members) isMember[m] = true;
  for (Node* m : members)
    for (Node* op : m->operands())
      if (!isMember.count(op)) mapOperand(op, m->kind() == OpKind::MatMul);
  for (Node* m : members) {
    std::vector<Node*> ops;
    for (Node* op : m->operands())
      ops.push_back(isMember.count(op) ? inBody.at(op) : mapOperand(op, m->kind() == OpKind::MatMul));
    inBody[m] = body->create(m->kind(), ops, m->type(), m->attrs(), "", Stage::Fwd);
  }
  body->addOutput(inBody.at(last));
  for (Node* m : members)
    if (m != last) MNEMO_CHECK(!g.isOutput(m), "region member %" << m->name() << " is returned");
  Attrs attrs = {{"kind", kind}};
  if (!kernel.empty()) attrs = {{"kind", kind}, {"kernel", kernel}};
  Node* fused = g.createFused(operands, std::move(body), attrs, "", last->stage(), last);
  g.replaceAndErase(last, fused);
  for (auto it = members.rbegin() + 1; it != members.rend(); ++it) g.erase(*it);
  return fused;
}

}  // namespace mnemo
