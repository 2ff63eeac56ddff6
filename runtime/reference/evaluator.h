// The reference evaluator: interprets any graph in double precision with plain loops, one node
// at a time, using each op's reference evaluation from the op table. It is the oracle that the
// oneDNN runtime, every pass and the gradient checks are tested against, so it is kept obviously
// correct rather than fast.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

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

  /// Rounds every f32 value a node computes to the nearest float before anything reads it, and
  /// with \p jitterUlps > 0 also moves it by a pseudo-random relative amount between a quarter
  /// of that many and that many float ulps (2^-24 each; the same amounts on every run): the
  /// double evaluation of what a float32 run with approximate elementwise functions may do. It tells a model whose result
  /// float rounding alone changes (a near tie of a comparison or a kink, a recurrence that
  /// amplifies rounding) from a runtime that computes it wrong.
  void setRoundToFloat(bool on, int jitterUlps = 0) { roundToFloat_ = on, jitterUlps_ = jitterUlps; }

  /// The value of node \p n after run() (or the bound value of a leaf).
  const RefTensor& value(const Node* n) const;
  const RefTensor& value(const std::string& name) const;
  bool has(const Node* n) const { return values_.count(n) != 0; }

 private:
  /// Rounds \p values to float (setRoundToFloat), jittered by a stream that \p salt selects.
  void roundValues(std::vector<double>& values, uint64_t salt) const;
  /// Evaluates fused region \p n by running its body on the operand values \p ins.
  static RefTensor evaluateRegion(const Node& n, const std::vector<RefTensor*>& ins);
  const Graph& g_;
  bool roundToFloat_ = false;
  int jitterUlps_ = 0;
  std::unordered_map<const Node*, RefTensor> values_;
};

}  // namespace mnemo
