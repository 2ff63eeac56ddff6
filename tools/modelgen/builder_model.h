// The second way into mnemo: a generated model built directly with the C++ Builder
// (ops/builder.h), unrolled over T here rather than by the DSL frontend. It makes the graph the
// DSL would (same names, same outputs), so the oracle can run it against the same reference.
#pragma once

#include <memory>

#include "graph/graph.h"
#include "model.h"

namespace mnemo::modelgen {

/// The forward graph of \p m for its B and T: returns %loss, %logits, then further outputs.
std::unique_ptr<Graph> buildModelGraph(const GenModel& m);
/// False when \p m uses a form the Builder path does not unroll (comparisons, where, slicing,
/// concat, transpose, reshape, keepdims, fixed tensors, param initial states, weighted
/// cross-entropy, mse): those models are checked through the DSL only.
bool builderCanBuild(const GenModel& m);

}  // namespace mnemo::modelgen
