// modelgen's model: a recurrent model as a small tree structure (declarations, step statements
// and loss terms) that the generator builds, the shrinker edits, and emitDsl prints as a .mnemo
// file. Shapes are symbolic (size names such as {"B", "H"}), so shrinking a size only changes the
// size table.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mnemo::modelgen {

/// A shape as size names, outermost first; {} is a scalar.
using SymDims = std::vector<std::string>;

/// One expression node. `op` is a row of the op table (op_table.h), or one of the leaves
/// "name" (a declared or step-local value), "number" (a literal), "time" (the number t + 1 of
/// the step) and "select" (input[t]).
struct Expr {
  std::string op;
  std::vector<Expr> args;
  std::string name;        // "name", "select": the value named
  double number = 0;       // "number"
  std::vector<int> axes;   // reductions: the axes reduced (empty: all)
  SymDims shape;           // the expression's shape
  bool keepdims = false;   // reductions: keep each reduced axis as 1
};

struct Decl {
  std::string name;
  SymDims dims;
  std::string init;  // params: an initialiser; states: "zeros", "ones" or a number
};

/// A statement of the step block: a step local, a state update or an output.
struct Statement {
  enum Kind { Local, State, Out } kind = Local;
  std::string name;
  Expr value;
};

struct GenModel {
  std::map<std::string, int64_t> sizes;  // every size but T and B
  int64_t batch = 2, seqLen = 2;          // B and T
  std::vector<Decl> inputs;               // f32[T, B, I_k]
  std::vector<Decl> params;
  std::vector<Decl> states;                // init may name a param: a trained initial state
  std::vector<Decl> fixeds;               // `fixed` tensors (masks, loss weights)
  std::vector<Statement> step;
  Expr mainLoss;                          // cross_entropy(first out, labels[, weights])
  std::vector<Expr> extraLoss;            // added to the main loss (terms, or mse(x, number))
  uint64_t seed = 0;                      // the generator seed it came from
};

/// The model as .mnemo text (B and T are the run's, written as a header comment).
std::string emitDsl(const GenModel& m);
/// An expression as DSL text.
std::string emitExpr(const Expr& e);
/// Reads the `# modelgen: B=.. T=..` header of a fixture; false if it has none.
bool readRunHeader(const std::string& text, int64_t* batch, int64_t* seqLen);

}  // namespace mnemo::modelgen
