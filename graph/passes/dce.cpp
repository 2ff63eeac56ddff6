// dce: dead-code elimination. Removes every node whose value nobody uses and that the graph does
// not return, walking backwards so that a whole dead chain goes in one pass. Side-effecting
// updates (adam_update) are never removed, nor are inputs, params and state (they stay declared
// so that a caller can still bind them); unused constants are removed.
#include "graph/passes/passes.h"

namespace mnemo {

namespace {

class DcePass : public Pass {
 public:
  const char* name() const override { return "dce"; }
  bool run(Graph& g, PassContext&) override {
    bool changed = false;
    std::vector<Node*> order = g.nodes();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      bool removable = (!n->isLeaf() || n->kind() == OpKind::Constant) && !n->hasSideEffect();
      if (removable && !n->hasUses() && !g.isOutput(n)) {
        g.erase(n);
        changed = true;
      }
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createDcePass() { return std::make_unique<DcePass>(); }

}  // namespace mnemo
