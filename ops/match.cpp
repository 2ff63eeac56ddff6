#include "ops/match.h"
#include "ops/op_table.h"

#include <algorithm>
#include <cctype>

namespace mnemo {

bool isAnonymousName(const std::string& name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

bool scalarConstant(const Node* n, double* value) {
  if (n->kind() != OpKind::Constant) return false;
  *value = n->attrs().getFloat("value");
  return true;
}

bool isCommutative(const Node* n) { return opInfo(n->kind()).hasFlag(kCommutative); }

}  // namespace mnemo
