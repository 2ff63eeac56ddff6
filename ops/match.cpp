#include "ops/match.h"
#include "ops/op_table.h"

namespace mnemo {

bool scalarConstant(const Node* n, double* value) {
  if (n->kind() != OpKind::Constant) return false;
  *value = n->attr<double>("value");
  return true;
}

bool isCommutative(const Node* n) { return opInfo(n->kind()).hasFlag(kCommutative); }

}  // namespace mnemo
