// Composite functions: built from primitive ops through the Builder, with no row of their own in
// the op table. The shape rules, reference evaluation, gradients, kernels and fusion of the ops
// they emit cover them. The DSL calls them by the same names.
//
// When a function deserves a primitive instead (docs/ARCHITECTURE.md): when a measurement shows
// that the composite is slower than one kernel would be in a model that matters, or less precise
// (a composite that overflows or cancels where a fused formula would not). Until then, a composite.
#pragma once

#include <cstdint>
#include <string>

#include "ops/builder.h"

namespace mnemo {

/// The mean of (pred - target)² over every element; a scalar difference stays its square.
/// \p name names the result (the reduction).
Node* mse(Builder& b, Node* pred, Node* target, const std::string& name = "");

/// exp(x) / sum(exp(x)) along \p axis. Not shifted by the maximum (mnemo has no max reduction):
/// float overflows for inputs above ~88, which is the precision case for a primitive.
Node* softmax(Builder& b, Node* x, int64_t axis, const std::string& name = "");

/// log(sum(exp(x))) along \p axis (the axis is removed); the same overflow caveat as softmax.
Node* logsumexp(Builder& b, Node* x, int64_t axis, const std::string& name = "");

}  // namespace mnemo
