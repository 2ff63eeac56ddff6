// transpose-once: a value that several small matmuls read transposed as their B operand (the
// recurrent weight in each backward step: dz·Wᵀ, T times) is transposed once, by one transpose
// node before its first such use, and those matmuls read the copy as it is. mnemo's
// micro-kernel reads B by rows, so without this it would copy Wᵀ into row order on every call.
//
//   %g1 = matmul(%dz1, %w) {transpose_b=true}        %w.t = transpose(%w) {perm=[1,0]}
//   %g2 = matmul(%dz2, %w) {transpose_b=true}   →     %g1  = matmul(%dz1, %w.t)
//                                                     %g2  = matmul(%dz2, %w.t)
//
// Only matmuls that microMatmul accepts count (a oneDNN matmul reads a transposed operand
// through its strides at no cost), and only values read so at least twice. The oneDNN-only
// pipelines do not run this pass.
#include <map>

#include "ops/builder.h"
#include "runtime/target/fusion_rules.h"
#include "graph/passes/passes.h"

namespace mnemo {

namespace {

class TransposeOncePass : public Pass {
 public:
  const char* name() const override { return "transpose-once"; }
  bool run(Graph& g, PassContext& ctx) override {
    // Each value's transposed-B readers, in graph order.
    std::vector<Node*> values;
    std::map<Node*, std::vector<Node*>> readers;
    for (Node* m : g.nodes()) {
      if (m->kind() != OpKind::MatMul || !m->attr<bool>("transpose_b") || !microMatmul(m)) continue;
      Node* b = m->operand(1);
      if (!readers.count(b)) values.push_back(b);
      readers[b].push_back(m);
    }
    bool changed = false;
    for (Node* v : values) {
      const std::vector<Node*>& users = readers.at(v);
      if (users.size() < 2) continue;
      Builder b(g, users.front()->stage());
      b.setInsertPoint(users.front());
      // The last two axes: a batched operand [G,K,N] keeps its batch axis in front.
      std::vector<int64_t> perm = v->dims().size() == 3 ? std::vector<int64_t>{0, 2, 1} : std::vector<int64_t>{1, 0};
      Node* t = b.create(OpKind::Transpose, {v}, {{"perm", perm}}, v->name() + ".t");
      for (Node* m : users) {
        b.setStage(m->stage());
        b.setInsertPoint(m);
        Node* plain = b.matmul(m->operand(0), t, m->attr<bool>("transpose_a"), false);
        g.replaceAndErase(m, plain);
      }
      if (ctx.explain)
        ctx.notes.push_back("%" + v->name() + " is transposed once for the " + std::to_string(users.size()) +
                            " micro-kernel matmuls that read it transposed");
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createTransposeOncePass() { return std::make_unique<TransposeOncePass>(); }

}  // namespace mnemo
