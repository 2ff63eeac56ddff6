// fused: a region of ops run as one kernel. Its operands are the region's parameters, its body a
// small graph (Node::body()) whose inputs %p0, %p1, ... stand for the operands and whose one
// returned value is the node's result. The body carries the semantics, so the type comes from
// the body (Graph::createFused) and the verifier and reference evaluator look inside it; the
// table row only names the attributes that record which fusion made the region and for which kernel.
#include "support/error.h"
#include "graph/node.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

TensorType bodyType(const std::vector<TensorType>&, const OpAttrs&) {
  MNEMO_FAIL("a fused region's type comes from its body");
}

void evaluateBody(const Node& n, const std::vector<RefTensor*>&, RefTensor&) {
  MNEMO_FAIL("fused region %" << n.name() << " is evaluated through its body by the reference evaluator");
}

}  // namespace

void describeFusedOps(OpInfo* t) {
  // "kernel" names the runtime kernel a fusion chose when it is not the default for the kind
  // (kind="matmul", kernel="micro": mnemo's micro-kernel instead of a oneDNN matmul).
  define(t, OpKind::Fused, {requiredAttr("kind", AttrKind::String), optionalAttr("kernel", AttrKind::String)}, bodyType,
         evaluateBody, nullptr);
}

}  // namespace mnemo
