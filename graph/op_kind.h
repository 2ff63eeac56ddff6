// What the graph core knows of ops: their names, arity, category and flags, read from the op
// list ops/ops.def as plain data. Everything else about an op (shape rule, reference evaluation,
// gradient, lowering) is in its row of the op table (ops/op_table.h), a layer above the graph.
#pragma once

#include <cstdint>
#include <string>

namespace mnemo {

enum class OpKind : uint16_t {
#define OP(Enum, name, arity, category, flags) Enum,
#include "ops/ops.def"
#undef OP
  Count
};
constexpr int kNumOps = static_cast<int>(OpKind::Count);

enum class Category : uint8_t { Leaf, Elementwise, Contraction, Shape, Reduction, Loss, Optimizer, Fused, Random };

enum OpFlags : unsigned {
  kSideEffect = 1u << 0,
  kBroadcast = 1u << 1,
  kNoGrad = 1u << 2,
  kCommutative = 1u << 3,  // f(a, b) == f(b, a): operands may be swapped to reach a faster kernel
};

/// The op's mnemonic ("add"), as the IR text writes it.
const char* opName(OpKind kind);
/// \returns the op named \p name, or false if there is none.
bool opByName(const std::string& name, OpKind* kind);
/// The op's number of operands (-1: variadic, at least one).
int opArity(OpKind kind);
Category opCategory(OpKind kind);
/// The op's flags from ops.def (kSideEffect, ...).
unsigned opFlags(OpKind kind);
const char* categoryName(Category c);

}  // namespace mnemo
