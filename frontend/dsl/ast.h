// The syntax tree of a model file, as the DSL parser produces it and the unroller consumes it.
// It records only what was written (with source positions); names are resolved, sizes
// evaluated and shapes checked by the unroller.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/dsl/lexer.h"

namespace mnemo {

struct DslExpr;
using DslExprPtr = std::unique_ptr<DslExpr>;

/// An expression: a number, a name, `-a`, `a op b` (op one of + - * / @ < > <= >= ==), `f(args)`,
/// `a[i, ...]`; inside an index also a range `lo:hi` (either bound may be left out).
struct DslExpr {
  enum class Kind { Number, Name, String, Neg, Binary, Call, Index, Range };
  Kind kind;
  SrcLoc loc;            // the operator, function name, '[' or the leaf itself
  double number = 0;     // Number
  std::string name;      // Name, Call (the function); Binary: the operator; String: the text
  std::vector<DslExprPtr> args;  // Neg: 1; Binary: 2; Call: the arguments; Index: base, indices;
                                 // Range: lo, hi (null where left out)
};

/// A tensor type as written: an optional dtype (f32 or i64) and dimension expressions.
struct DslType {
  SrcLoc loc;
  std::string dtype;  // "", "f32" or "i64"
  std::vector<DslExprPtr> dims;
};

/// A statement of the step block: `name = expr` or `out name = expr`.
struct DslStmt {
  bool isOut = false;
  std::string name;
  SrcLoc loc;  // the name
  DslExprPtr value;
};

/// A top-level declaration.
struct DslDecl {
  enum class Kind { Size, Const, Input, Target, Param, Fixed, State, Step, Assign };
  Kind kind;
  SrcLoc loc;          // the keyword (or the name of an Assign)
  std::string name;    // Step: the time variable
  SrcLoc nameLoc;
  DslExprPtr value;    // Size, Const, Assign: the value; Param, Fixed, State: the initialiser
  DslType type;        // Input, Target, Param, Fixed, State
  std::vector<DslStmt> body;  // Step
};

struct DslModel {
  std::string file;
  std::string name;
  SrcLoc loc;  // the 'model' keyword
  std::vector<DslDecl> decls;
  SrcLoc end;  // end of file, for "missing ..." errors
};

}  // namespace mnemo
