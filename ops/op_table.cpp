#include "ops/op_table.h"

#include <cstring>

#include "support/error.h"

namespace mnemo {

namespace {

std::vector<OpInfo> buildTable() {
  std::vector<OpInfo> table = {
#define OP(Enum, name, arity, category, flags) \
  OpInfo{OpKind::Enum, name, arity, Category::category, flags, {}, nullptr, nullptr, nullptr, FusionPattern::Opaque, {}, nullptr},
#include "ops/ops.def"
#undef OP
  };
  describeLeafOps(table.data());
  describeElementwiseOps(table.data());
  describeMatMulOps(table.data());
  describeShapeOps(table.data());
  describeReduceOps(table.data());
  describeLossOps(table.data());
  describeOptimizerOps(table.data());
  describeRandomOps(table.data());
  for (OpInfo& info : table) {  // the pattern follows from the category unless a family file set it
    if (info.pattern != FusionPattern::Opaque) continue;
    if (info.category == Category::Elementwise)
      info.pattern = info.hasFlag(kBroadcast) ? FusionPattern::Broadcast : FusionPattern::Elementwise;
    if (info.category == Category::Shape) info.pattern = FusionPattern::Injective;
    if (info.category == Category::Reduction) info.pattern = FusionPattern::Reduction;
  }
  describeFusedOps(table.data());
  for (const OpInfo& info : table) {
    const ScalarFns& s = info.elementwise.scalar;
    MNEMO_CHECK(s.arity == 0 || s.arity == info.arity,
                "op '" << info.name << "': its scalar function takes " << s.arity << " operands, the op " << info.arity);
    MNEMO_CHECK(info.inferType, "op '" << info.name << "' has no shape rule");
    MNEMO_CHECK(info.evaluate, "op '" << info.name << "' has no reference evaluation");
    if (info.category == Category::Leaf) continue;  // leaves have no operands to differentiate
    MNEMO_CHECK(info.hasFlag(kNoGrad) == (info.vjp == nullptr),
                "op '" << info.name << "': kNoGrad must be set exactly when there is no gradient rule");
  }
  return table;
}

const std::vector<OpInfo>& table() {
  static const std::vector<OpInfo> t = buildTable();
  return t;
}

}  // namespace

const OpInfo& opInfo(OpKind kind) { return table()[static_cast<int>(kind)]; }

bool opByName(const std::string& name, OpKind* kind) {
  for (const OpInfo& info : table()) {
    if (name == info.name) {
      *kind = info.kind;
      return true;
    }
  }
  return false;
}

const char* opName(OpKind kind) { return opInfo(kind).name; }

const char* patternName(FusionPattern p) {
  switch (p) {
    case FusionPattern::Elementwise: return "elementwise";
    case FusionPattern::Broadcast: return "broadcast";
    case FusionPattern::Injective: return "injective";
    case FusionPattern::Reduction: return "reduction";
    case FusionPattern::Opaque: return "opaque";
  }
  return "?";
}

const char* categoryName(Category c) {
  switch (c) {
    case Category::Leaf: return "leaf";
    case Category::Elementwise: return "elementwise";
    case Category::Contraction: return "contraction";
    case Category::Shape: return "shape";
    case Category::Reduction: return "reduction";
    case Category::Loss: return "loss";
    case Category::Optimizer: return "optimizer";
    case Category::Fused: return "fused";
    case Category::Random: return "random";
  }
  return "?";
}

}  // namespace mnemo
