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

/// Weighted: the mean over every element of weight · (pred - target)². \p weights is f32 of
/// pred's shape, or of pred's shape without its last axis (one weight per position, e.g. a
/// [T, B] per-time-step mask for a [T, B, k] prediction, broadcast over the k values). A 0/1 mask
/// drops positions: their elements add nothing to the loss or to any gradient. Throws
/// mnemo::Error for weights of another shape.
Node* mse(Builder& b, Node* pred, Node* target, Node* weights, const std::string& name = "");

/// exp(x) / sum(exp(x)) along \p axis, computed as exp(x − m) / sum(exp(x − m)) with m the
/// maximum along the axis (reduce_max), so that large inputs do not overflow.
Node* softmax(Builder& b, Node* x, int64_t axis, const std::string& name = "");

/// log(sum(exp(x))) along \p axis (the axis is removed), as m + log(sum(exp(x − m))): no
/// overflow for large inputs, and no log(0) when every input is very negative.
Node* logsumexp(Builder& b, Node* x, int64_t axis, const std::string& name = "");

}  // namespace mnemo
