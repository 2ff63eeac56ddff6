// The rows the generator draws expressions from: one row per way of writing an op of
// ops/ops.def in a model. A new DSL op is one more row here (and, if its operands need a
// domain, a flag); a test checks every op of ops.def is either a row's `irOp` or listed in
// opsNotInModels() with the reason a model cannot contain it.
#pragma once

#include <string>
#include <vector>

namespace mnemo::modelgen {

struct OpRow {
  const char* id;    // unique row name
  const char* irOp;  // the ops.def op it produces
  enum Form { Infix, Prefix, Call, Range } form;  // Range: x[:, lo:hi]
  const char* text;  // "+", "-", "relu", "mean", ...
  enum Kind { Unary, Binary, MatMul, Reduce, Compare, Where, Slice, Concat, Transpose, Reshape, Noise } kind;  // Noise: randn(dims)
  bool positiveArgs = false;  // every operand must be positive (log, sqrt): wrapped by the generator
  bool positiveRight = false; // the right operand must stay away from zero (div)
  int weight = 1;             // relative frequency
};

/// Every row, in a fixed order (the generator's choices index into it, so reordering rows
/// changes which model a seed makes).
const std::vector<OpRow>& opRows();
/// The row named \p id (throws if unknown).
const OpRow& opRow(const std::string& id);

/// Ops of ops.def that no model text can contain, each with the reason.
struct OpExclusion {
  const char* irOp;
  const char* why;
};
const std::vector<OpExclusion>& opsNotInModels();
/// Ops a model always contains through its structure rather than an expression row.
const std::vector<OpExclusion>& opsFromStructure();

}  // namespace mnemo::modelgen
