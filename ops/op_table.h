// The op table: one row per op of ops/ops.def, with its shape rule, attribute schema, reference
// evaluation and gradient rule. The rows' behaviour is filled in by the family files
// (ops/elementwise.cpp, ops/matmul.cpp, ...), each beside the others of its family.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/attrs.h"
#include "graph/node.h"
#include "graph/op_kind.h"
#include "graph/types.h"

namespace mnemo {

class Node;
class Builder;
struct RefTensor;

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

/// oneDNN's forward eltwise and binary algorithms, named here so that oneDNN's headers stay in
/// runtime/ (runtime/kernels/dnnl_algorithm.cpp maps each to oneDNN's own value). The list is
/// oneDNN's whole list, so a new op that oneDNN can run names its algorithm in its family file
/// and touches nothing else. Each name is oneDNN's without its prefix, in CamelCase
/// (dnnl_eltwise_soft_relu: SoftRelu; the binary comparisons spelled out: GreaterEqual).
enum class DnnlAlg : uint8_t {
  None,
  // eltwise
  Relu, Tanh, Elu, Square, Abs, Sqrt, Linear, BoundedRelu, SoftRelu, Logistic, Exp, GeluTanh,
  Swish, Log, Clip, ClipV2, Pow, GeluErf, Round, Logsigmoid, Mish, Hardswish,
  // binary
  Add, Mul, Max, Min, Div, Sub, GreaterEqual, Greater, LessEqual, Less, Equal, NotEqual,
};

/// How oneDNN runs an op: an eltwise algorithm (alpha, beta as oneDNN defines them for it), a
/// binary algorithm, or none.
struct DnnlLowering {
  enum Kind : uint8_t { None, Eltwise, Binary } kind = None;
  DnnlAlg algorithm = DnnlAlg::None;
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

/// One attribute an op accepts, as its row declares it: required; optional with the default the
/// row gives (read sites get it through OpAttrs and never choose one); or optional with no
/// default, where being absent means something (a param with no `init` has its values bound
/// from elsewhere) and readers ask has() first.
struct AttrSpec {
  std::string name;
  AttrKind kind;
  bool required = false;
  std::optional<Attr> defaultValue;
};
AttrSpec requiredAttr(std::string name, AttrKind kind);
AttrSpec defaultedAttr(std::string name, Attr defaultValue);
AttrSpec optionalAttr(std::string name, AttrKind kind);

/// \returns the spec of attribute \p key in \p kind's row, or nullptr if the row has none.
const AttrSpec* findAttrSpec(OpKind kind, const std::string& key);
/// \returns "" if \p attrs fit \p kind's schema, else the first problem: "unknown attribute
/// 'k'", "attribute 'k' must be int, got \"x\"" or "missing attribute 'k'".
std::string checkAttrs(OpKind kind, const Attrs& attrs);

/// An op's attributes read through its row's schema, the one way mnemo reads an attribute:
/// get<T>(key) returns the stored value, or the row's default when the key is absent. It throws
/// mnemo::Error if the row declares no attribute \p key, declares it of another kind than T
/// (int64_t, double, bool, std::string, std::vector<int64_t>; a float attribute also reads an
/// integer literal), or if the key is absent with no default (the verifier reports a missing
/// required attribute before anything reads it).
class OpAttrs {
 public:
  /// \p node, if given, names the node in messages.
  OpAttrs(OpKind kind, const Attrs& attrs, const std::string* node = nullptr)
      : kind_(kind), attrs_(attrs), node_(node) {}
  template <typename T>
  T get(const std::string& key) const;
  /// True if \p key is given (it must be an attribute the row declares).
  bool has(const std::string& key) const;
  OpKind kind() const { return kind_; }

 private:
  const Attr& value(const std::string& key, AttrKind wanted) const;
  std::string who() const;

  OpKind kind_;
  const Attrs& attrs_;
  const std::string* node_;
};
extern template int64_t OpAttrs::get<int64_t>(const std::string&) const;
extern template double OpAttrs::get<double>(const std::string&) const;
extern template bool OpAttrs::get<bool>(const std::string&) const;
extern template std::string OpAttrs::get<std::string>(const std::string&) const;
extern template std::vector<int64_t> OpAttrs::get<std::vector<int64_t>>(const std::string&) const;

/// Node's schema-checked reads (declared in graph/node.h), defined here beside the schema.
template <typename T>
T Node::attr(const std::string& key) const {
  return OpAttrs(kind(), attrs(), &name()).get<T>(key);
}

/// \returns the result type for operand types \p ins and attributes \p attrs, or throws
/// mnemo::Error with the reason (the builder and verifier add the op and operands).
using ShapeFn = TensorType (*)(const std::vector<TensorType>& ins, const OpAttrs& attrs);
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
