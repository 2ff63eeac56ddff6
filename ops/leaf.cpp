// Leaf ops: input, param, state and constant. Their types are declared, not inferred; their
// values are bound by whoever runs the graph (constants fill themselves).
#include "support/error.h"
#include "graph/node.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

TensorType declaredType(const std::vector<TensorType>&, const Attrs&) { return TensorType::none(); }

void unbound(const Node& n, const std::vector<RefTensor*>&, RefTensor&) {
  MNEMO_FAIL(opName(n.kind()) << " %" << n.name() << " has no value bound");
}

void fillConstant(const Node& n, const std::vector<RefTensor*>&, RefTensor& out) {
  double v = n.attrs().getFloat("value");
  for (double& x : out.data) x = v;
}

}  // namespace

void describeLeafOps(OpInfo* t) {
  for (OpKind k : {OpKind::Input, OpKind::Param, OpKind::State, OpKind::Constant}) {
    row(t, k).inferType = declaredType;
    row(t, k).evaluate = unbound;
  }
  // A param with fixed=true is not trained (a mask, a sign matrix); `file` names the .npy its
  // values come from when init is "file".
  row(t, OpKind::Param).attrs = {{"init", AttrKind::String, false}, {"fixed", AttrKind::Bool, false},
                                 {"file", AttrKind::String, false}};
  row(t, OpKind::Constant).attrs = {{"value", AttrKind::Float, true}};
  row(t, OpKind::Constant).evaluate = fillConstant;
}

}  // namespace mnemo
