// The ops.def columns the graph core reads (see op_kind.h).
#include "graph/op_kind.h"

namespace mnemo {

namespace {
struct OpKindRow {
  const char* name;
  int arity;
  Category category;
  unsigned flags;
};

const OpKindRow kRows[] = {
#define OP(Enum, name, arity, category, flags) {name, arity, Category::category, flags},
#include "ops/ops.def"
#undef OP
};

const OpKindRow& rowOf(OpKind kind) { return kRows[static_cast<int>(kind)]; }
}  // namespace

const char* opName(OpKind kind) { return rowOf(kind).name; }
int opArity(OpKind kind) { return rowOf(kind).arity; }
Category opCategory(OpKind kind) { return rowOf(kind).category; }
unsigned opFlags(OpKind kind) { return rowOf(kind).flags; }

bool opByName(const std::string& name, OpKind* kind) {
  for (int i = 0; i < kNumOps; ++i) {
    if (name == kRows[i].name) {
      *kind = static_cast<OpKind>(i);
      return true;
    }
  }
  return false;
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
