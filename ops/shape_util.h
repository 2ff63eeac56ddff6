// Shape helpers shared by the op families: numpy broadcasting, axis checks, index maps.
#pragma once

#include <cstddef>
#include <vector>

#include "graph/types.h"

namespace mnemo {

/// numpy broadcasting of two shapes; throws mnemo::Error when they do not broadcast.
Dims broadcastDims(const Dims& a, const Dims& b);
/// For each element of a tensor of \p out dims, the flat index of the element of a tensor of
/// \p in dims that broadcasting reads (in must broadcast to out).
std::vector<size_t> broadcastIndexMap(const Dims& out, const Dims& in);
/// Checks that \p axis is in [0, rank) and throws a clear error if not.
void checkAxis(int64_t axis, int rank, const char* what = "axis");
/// Row-major strides of \p dims.
std::vector<int64_t> stridesOf(const Dims& dims);
/// Throws unless \p t is an f32 tensor; \p what names the operand in the message.
void requireF32(const TensorType& t, const char* what);

}  // namespace mnemo
