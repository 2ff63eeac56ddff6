// The reference evaluator: interprets any graph in double precision with plain loops, one node
// at a time, using each op's reference evaluation from the op table. It is the oracle that the
// oneDNN runtime, every pass and the gradient checks are tested against, so it is kept obviously
// correct rather than fast.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "graph/graph.h"
#include "ops/ref_tensor.h"

namespace mnemo {

class ReferenceEvaluator {
 public:
  explicit ReferenceEvaluator(const Graph& g) : g_(g) {}

  /// Binds the value of input, param or state \p name; its type must match the declaration.
  void bind(const std::string& name, RefTensor value);
  /// Binds every unbound input/param/state to seeded random values: f32 uniform in [-1, 1]
  /// (states in [0, 1]); i64 labels uniform over the classes of the loss that reads them; the
  /// Adam hyper-parameter state gets [1e-3, 0.9, 0.999, 1e-8, 1].
  void bindRandom(uint64_t seed);

  /// Evaluates every node whose stage is at most \p last, in graph order. Side-effecting nodes
  /// update their bound operands (params and state) in place.
  void run(Stage last = Stage::Opt);

  /// Rounds every f32 value a node computes to the nearest float before anything reads it: the
  /// double evaluation of what a float32 run does at best, for telling a model whose result
  /// float rounding alone changes (a near tie of a comparison, a chaotic recurrence) from a
  /// runtime that computes it wrong.
  void setRoundToFloat(bool on) { roundToFloat_ = on; }

  /// The value of node \p n after run() (or the bound value of a leaf).
  const RefTensor& value(const Node* n) const;
  const RefTensor& value(const std::string& name) const;
  bool has(const Node* n) const { return values_.count(n) != 0; }

 private:
  /// Evaluates fused region \p n by running its body on the operand values \p ins.
  static RefTensor evaluateRegion(const Node& n, const std::vector<RefTensor*>& ins);
  const Graph& g_;
  bool roundToFloat_ = false;
  std::unordered_map<const Node*, RefTensor> values_;
};

}  // namespace mnemo
