// Expression evaluation for the model DSL. A value is either a number (sizes, constants and any
// arithmetic on them, folded at build time) or a graph node; an operator with one number and one
// tensor operand turns the number into a scalar constant node. Builder errors (shape mismatches)
// are re-thrown at the expression's source position.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "frontend/dsl/ast.h"
#include "ops/builder.h"

namespace mnemo {

/// A number or a tensor (node non-null).
struct DslValue {
  Node* node = nullptr;
  double number = 0;
  bool isNumber() const { return node == nullptr; }
  static DslValue of(double v) { return {nullptr, v}; }
  static DslValue of(Node* n) { return {n, 0}; }
};

class DslEvaluator {
 public:
  /// Resolves a name at \p at, or throws "unknown identifier".
  using Lookup = std::function<DslValue(const std::string& name, SrcLoc at)>;

  DslEvaluator(Builder& b, std::string file, Lookup lookup)
      : b_(b), file_(std::move(file)), lookup_(std::move(lookup)) {}

  /// Evaluates \p e. If the expression creates a new node at its root, that node is named
  /// \p name (anonymous when empty); sub-expressions stay anonymous.
  DslValue eval(const DslExpr& e, const std::string& name = "");
  /// Evaluates \p e, which must fold to a finite number; \p what names it in the error.
  double evalNumber(const DslExpr& e, const std::string& what);

  /// Throws "FILE:line:col: msg".
  [[noreturn]] void fail(SrcLoc at, const std::string& msg) const;
  /// Creates a node through the Builder; its errors are re-thrown at \p at.
  Node* make(SrcLoc at, OpKind kind, std::vector<Node*> operands, Attrs attrs = {}, const std::string& name = "");
  /// Builds a constant for a number; a tensor is returned as is.
  Node* tensor(DslValue v);
  const std::string& file() const { return file_; }

  /// What randn(...) and rand(...) build: random_normal / random_uniform nodes reading the
  /// seed state kRandomSeedName of frontend/dsl/model.h (created on first use), or, with \p on false, their noise-free
  /// stand-ins (0 for randn, 0.5, the mean, for rand).
  void setNoise(bool on) { noise_ = on; }

  /// The functions expressions may call, for error messages.
  static std::string knownFunctions();

 private:
  DslValue binary(const DslExpr& e, const std::string& name);
  DslValue call(const DslExpr& e, const std::string& name);
  DslValue index(const DslExpr& e, const std::string& name);
  DslValue reduce(const DslExpr& e, bool mean, const std::vector<DslValue>& args, bool keepdims, const std::string& name);
  /// mse, softmax and logsumexp: composites of ops/composites.h.
  DslValue composite(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name);
  /// slice(x, axis, start, len), concat(a, b, ..., axis), reshape(x, dims...), transpose(x[, perm...]).
  DslValue shapeCall(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name);
  DslValue crossEntropy(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name);
  /// randn(d0, d1, ...) and rand(d0, d1, ...).
  DslValue randomCall(const DslExpr& e, const std::vector<DslValue>& args, const std::string& name);
  double finite(SrcLoc at, double v) const;

  Builder& b_;
  std::string file_;
  Lookup lookup_;
  bool noise_ = true;
  Node* seed_ = nullptr;    // the random ops' seed state, once one is made
  int64_t nextStream_ = 0;  // each random node draws its own stream
};

}  // namespace mnemo
