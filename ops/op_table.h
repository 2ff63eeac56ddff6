// The op table: one row per op of ops/ops.def, with its shape rule, attribute schema, reference
// evaluation and gradient rule. The rows' behaviour is filled in by the family files
// (ops/elementwise.cpp, ops/matmul.cpp, ...), each beside the others of its family.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/attrs.h"
#include "graph/types.h"

namespace mnemo {

class Node;
class Builder;
struct RefTensor;

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

/// How an op's loop nest relates its result to its operands, the only thing the fusion passes
/// ask of an op (as TVM's op pattern): elementwise (same shape in and out), broadcast
/// (elementwise after numpy broadcasting), injective (each output element reads one input
/// element: reshapes, slices), reduction, or opaque (anything else: a library call).
enum class FusionPattern : uint8_t { Elementwise, Broadcast, Injective, Reduction, Opaque };
const char* patternName(FusionPattern p);

/// What an elementwise op computes on one element, in double (the reference evaluator, DSL
/// constant folding) and in float, plus its span form: d[e] = f(a[e]) or f(a[e], b[e]) for e < n,
/// instantiated from the same scalar function so the compiler can vectorise it (the fused loop
/// and the elementwise loop kernels call it). Family files fill it with unaryScalar<F>() or
/// binaryScalar<F>() (ops/scalar_op.h); ops with other arities leave it empty.
using SpanFn = void (*)(float* d, const float* a, const float* b, size_t n);
struct ScalarFns {
  int arity = 0;  // 0: none
  double (*d1)(double) = nullptr;
  double (*d2)(double, double) = nullptr;
  float (*f1)(float) = nullptr;
  float (*f2)(float, float) = nullptr;
  SpanFn span = nullptr;
};

/// How oneDNN runs an op: an eltwise algorithm (alpha, beta as oneDNN defines them for it), a
/// binary algorithm, or none. \c algorithm holds a dnnl_alg_kind_t value, named in the family
/// file; an int here keeps oneDNN's headers out of everything that sees the op table.
struct DnnlLowering {
  enum Kind : uint8_t { None, Eltwise, Binary } kind = None;
  int algorithm = 0;
  float alpha = 0.f, beta = 0.f;
};

/// An elementwise op's lowering and fusion properties, beside its semantics in the row.
struct ElementwiseTraits {
  ScalarFns scalar;
  DnnlLowering dnnl;
  /// Does the span form vectorise? (A loop calling a libm function per element does not; such
  /// an op stays out of fused loops when oneDNN has a vectorised kernel for it.)
  bool loopVectorises = true;
  /// Why the op stays out of fused loops even so, or nullptr.
  const char* keepOutOfLoops = nullptr;
};

/// One attribute an op accepts. Optional attributes have the default their op documents.
struct AttrSpec {
  std::string name;
  AttrKind kind;
  bool required;
};

/// \returns the result type for operand types \p ins and attributes \p attrs, or throws
/// mnemo::Error with the reason (the builder and verifier add the op and operands).
using ShapeFn = TensorType (*)(const std::vector<TensorType>& ins, const Attrs& attrs);
/// Evaluates node \p n in double precision: reads \p ins, writes \p out (already sized to the
/// node's type). Side-effecting ops write into their operands instead.
using RefFn = void (*)(const Node& n, const std::vector<RefTensor*>& ins, RefTensor& out);
/// Gradient rule (vector-Jacobian product): given node \p n and the gradient \p g of the loss
/// with respect to its result, emits graph ops through \p b and returns one gradient per operand
/// (nullptr where an operand is not differentiable). A gradient may have the result's
/// (broadcast) shape: autodiff reduces it back to the operand's shape.
using VjpFn = std::vector<Node*> (*)(Builder& b, Node* n, Node* g);

/// For an op whose result can be a view of its first operand's bytes: true if node \p n is one,
/// with \p offsetElements the result's first element inside the operand.
using ViewFn = bool (*)(const Node& n, size_t* offsetElements);

struct OpInfo {
  OpKind kind;
  const char* name;
  int arity;  // -1: variadic, at least one operand
  Category category;
  unsigned flags;
  std::vector<AttrSpec> attrs;
  ShapeFn inferType = nullptr;
  RefFn evaluate = nullptr;
  VjpFn vjp = nullptr;
  FusionPattern pattern = FusionPattern::Opaque;
  ElementwiseTraits elementwise;  // filled for Category::Elementwise
  ViewFn view = nullptr;  // set for ops whose result may alias their operand (reshape, select)

  bool hasFlag(unsigned f) const { return (flags & f) != 0; }
  bool differentiable() const { return vjp != nullptr; }
};

/// \returns the table row of \p kind. The table is complete: every op has a shape rule and a
/// reference evaluation (checked when the table is first built).
const OpInfo& opInfo(OpKind kind);
/// \returns the op named \p name, or false if there is none.
bool opByName(const std::string& name, OpKind* kind);
const char* opName(OpKind kind);
const char* categoryName(Category c);

/// Filled in by each family file; called once while building the table.
void describeLeafOps(OpInfo* table);
void describeElementwiseOps(OpInfo* table);
void describeMatMulOps(OpInfo* table);
void describeShapeOps(OpInfo* table);
void describeReduceOps(OpInfo* table);
void describeLossOps(OpInfo* table);
void describeOptimizerOps(OpInfo* table);
void describeFusedOps(OpInfo* table);
void describeRandomOps(OpInfo* table);

inline OpInfo& row(OpInfo* table, OpKind k) { return table[static_cast<int>(k)]; }

/// Fills in the behaviour of \p kind's row (its name, arity, category and flags come from
/// ops.def).
inline void define(OpInfo* table, OpKind kind, std::vector<AttrSpec> attrs, ShapeFn shape,
                   RefFn eval, VjpFn vjp) {
  OpInfo& r = row(table, kind);
  r.attrs = std::move(attrs);
  r.inferType = shape;
  r.evaluate = eval;
  r.vjp = vjp;
}

}  // namespace mnemo
