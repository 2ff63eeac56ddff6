// fuse-matmul-epilogue: a matmul and the chain of elementwise ops that consume its result become
// one fused region that the runtime runs as a single oneDNN matmul with a post-op chain.
//
//   %m = matmul(%h, %w)                    %h1 = fused(%h, %w, %xp, %b) {kind="matmul"} {
//   %a = add(%xp, %m)            →            %p0..%p3 = input ...
//   %s = add(%a, %b)                          %0 = matmul(%p0, %p1); %1 = add(%p2, %0)
//   %h1 = relu(%s)                            %2 = add(%1, %p3); %3 = relu(%2); return %3 }
//
// The chain grows while the running value has exactly one use, in the same stage, that
// epilogueStep (fusion_rules.h) accepts: eltwise ops, ops with a scalar constant, and binary ops
// whose other operand has the full shape, a per-column shape or one element. A returned value
// ends the chain, and so does a step past oneDNN's post-op limit (kMaxPostOps): the rest of the
// chain is left to fuse-elementwise. Refusals are recorded with their reason for --explain-fusion.
// On the micro-kernel, a shallow product added to the matmul as the chain's first step
// (microSecondProduct: x_t·W_ir beside h·W_rr) joins the region too, and the kernel adds it into
// the same tile.

#include "ops/builder.h"
#include "runtime/target/fusion_rules.h"
#include "graph/passes/passes.h"
#include "graph/passes/region_builder.h"

namespace mnemo {

namespace {

class FuseMatmulEpiloguePass : public Pass {
 public:
  explicit FuseMatmulEpiloguePass(bool microKernels) : microKernels_(microKernels) {}
  const char* name() const override { return "fuse-matmul-epilogue"; }
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    for (Node* m : g.nodes()) {
      if (m->isDead() || m->kind() != OpKind::MatMul) continue;
      const Node* partner = nullptr;
      if (FusionDecision joins = microKernels_ ? microSecondProduct(m, &partner) : FusionDecision::no("");
          joins) {  // the partner's region takes it
        if (ctx.explain)
          ctx.notes.push_back("matmul %" + m->name() + " joins %" + partner->name() +
                              "'s micro-kernel step as its second product (" + joins.why + ")");
        continue;
      }
      FusionDecision micro = microKernels_ ? microMatmul(m) : FusionDecision::no("the pipeline runs matmuls on oneDNN only");
      if (ctx.explain && microKernels_)
        ctx.notes.push_back("matmul %" + m->name() + (micro ? " runs on mnemo's micro-kernel: " + micro.why + " is small (a oneDNN call would cost more than its arithmetic)"
                                                            : " stays on oneDNN: " + micro.why));
      std::vector<Node*> chain;
      Node* second = nullptr;  // a shallow product added to this one (microSecondProduct)
      Node* acc = m;
      std::string refusal;
      int postOps = 0;
      while (true) {
        if (g.isOutput(acc)) { refusal = "%" + acc->name() + " is returned by the graph"; break; }
        if (acc->uses().size() != 1) { refusal = "%" + acc->name() + " has " + std::to_string(acc->uses().size()) + " uses"; break; }
        const Use& u = acc->uses()[0];
        if (u.user->stage() != m->stage()) { refusal = "consumer %" + u.user->name() + " is in another stage"; break; }
        if (micro) {
          FusionDecision d = microEpilogueStep(u.user, u.index);
          if (!d) { refusal = "consumer %" + u.user->name() + ": " + d.why; break; }
          if (chain.empty() && u.user->kind() == OpKind::Add) {
            Node* other = u.user->operand(1 - u.index);
            const Node* partnerOfOther = nullptr;
            if (microSecondProduct(other, &partnerOfOther) && partnerOfOther == m) second = other;
          }
          chain.push_back(u.user);
          acc = u.user;
          continue;
        }
        EpilogueStep step;
        FusionDecision d = epilogueStep(u.user, u.index, &step);
        if (!d) { refusal = "consumer %" + u.user->name() + ": " + d.why; break; }
        if (postOps + postOpCount(step) > kMaxPostOps) {
          refusal = "consumer %" + u.user->name() + " would take the chain past oneDNN's limit of " +
                    std::to_string(kMaxPostOps) + " post-ops";
          break;
        }
        postOps += postOpCount(step);
        chain.push_back(u.user);
        acc = u.user;
      }
      if (ctx.explain && !refusal.empty())
        ctx.notes.push_back("epilogue of %" + m->name() + (chain.empty() ? "" : " (after " + std::to_string(chain.size()) + " ops)") +
                            " ends: " + refusal);
      if (chain.empty() && !micro) continue;
      std::vector<Node*> members = {m};
      if (second) members.push_back(second);  // independent of m: either order is one
      members.insert(members.end(), chain.begin(), chain.end());
      replaceWithRegion(g, members, "matmul", micro ? kMicroKernel : "");
      changed = true;
    }
    return changed;
  }

 private:
  bool microKernels_;
};

}  // namespace

std::unique_ptr<Pass> createFuseMatmulEpiloguePass(bool microKernels) {
  return std::make_unique<FuseMatmulEpiloguePass>(microKernels);
}

}  // namespace mnemo
