// fuse-elementwise: grows regions of elementwise ops and replaces each by one fused node that the
// runtime runs as a single loop over the region's elements (no intermediate tensors).
//
// Greedy, consumers first: walking the graph backwards, an elementwise node not yet in a region
// starts one; a producer of a member joins when elementwiseProducer (fusion_rules.h) accepts it
// — elementwise, same stage, the region's iteration shape (a broadcast operand such as a [H]
// bias enters as a parameter instead) — and every use of it is inside the region, so the region
// has one result and no path can leave it and come back (no cycles). Regions stop at 32 ops.
// Transcendental ops stay out of regions (loopFusable). A region of one op is left alone. Each
// refusal is recorded for --explain-fusion.
//
//   %g  = add(%a, %b)                     %d = fused(%a, %b, %h) {kind="elementwise"} {
//   %d  = relu_grad(%h, %g)      →             %0 = add(%p0, %p1); %1 = relu_grad(%p2, %0)
//                                              return %1 }
#include <algorithm>
#include <unordered_set>

#include "runtime/target/fusion_rules.h"
#include "graph/passes/passes.h"
#include "graph/passes/region_builder.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

constexpr size_t kMaxRegionOps = 32;

class FuseElementwisePass : public Pass {
 public:
  const char* name() const override { return "fuse-elementwise"; }
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order = g.nodes();
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* root = *it;
      if (root->isDead() || opInfo(root->kind()).category != Category::Elementwise || !loopFusable(root)) continue;
      std::vector<Node*> region = {root};
      std::unordered_set<const Node*> inRegion = {root};
      for (size_t i = 0; i < region.size(); ++i) {
        for (Node* p : region[i]->operands()) {
          if (inRegion.count(p) || p->isLeaf()) continue;
          FusionDecision d = elementwiseProducer(p, root->dims(), root->stage());
          if (d && region.size() >= kMaxRegionOps) d = FusionDecision::no("region is full (" + std::to_string(kMaxRegionOps) + " ops)");
          if (d && g.isOutput(p)) d = FusionDecision::no("producer is returned by the graph");
          if (d) {
            for (const Use& u : p->uses())
              if (!inRegion.count(u.user)) {
                d = FusionDecision::no("producer has a use outside the region (%" + u.user->name() + ")");
                break;
              }
          }
          if (!d) {
            if (ctx.explain) ctx.notes.push_back("no-fuse %" + p->name() + " into region %" + root->name() + ": " + d.why);
            continue;
          }
          region.push_back(p);
          inRegion.insert(p);
        }
      }
      if (region.size() < 2) continue;
      std::sort(region.begin(), region.end(), [&](Node* a, Node* b) { return g.before(a, b); });
      Node* fused = replaceWithRegion(g, region, "elementwise");
      if (ctx.explain)
        ctx.notes.push_back("region %" + fused->name() + ": " + std::to_string(region.size()) + " ops, " +
                            std::to_string(fused->numOperands()) + " parameters");
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createFuseElementwisePass() { return std::make_unique<FuseElementwisePass>(); }

}  // namespace mnemo
