// The memory plan: assigns every intermediate value a byte range of one arena by liveness, so a
// value's bytes are reused once its last reader has run. Views (reshape, select of an outer
// index) share their source's bytes and keep it alive. A stack along the outer axis is built in
// place: its parts are written straight into their slots (or, if they already are consecutive
// slots of a bigger stack, it is a view of them), so it costs no copy. Values read by the bwd stage stay live
// until that read, because liveness is computed over the whole fwd → bwd → opt order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// Where a value lives: in the arena at \p offset, or (for a view) at an offset inside another
/// value's storage.
struct Placement {
  const Node* base = nullptr;  // the value that owns the bytes (itself unless a view)
  size_t offset = 0;           // byte offset inside the base's storage
};

struct MemoryPlan {
  /// Arena offset of every value that owns arena bytes.
  std::unordered_map<const Node*, size_t> arenaOffset;
  /// Every non-leaf value's placement (views point at their base).
  std::unordered_map<const Node*, Placement> placement;
  /// Values that need no kernel: views, and stacks whose parts were written in place.
  std::unordered_set<const Node*> noKernel;
  size_t arenaBytes = 0;     // peak: the arena's size
  size_t unsharedBytes = 0;  // what the values would take with no reuse
};

/// Element size in bytes of \p t's dtype.
size_t elementBytes(const TensorType& t);
/// Bytes of a value of type \p t.
size_t valueBytes(const TensorType& t);
/// True if \p n is computed without a kernel as a view of its operand (reshape, select of an
/// index along the outermost axis).
bool isView(const Node* n);

/// Plans the arena for the non-leaf values of \p g in \p order (the execution order).
MemoryPlan planMemory(const Graph& g, const std::vector<const Node*>& order);

/// Throws a one-line mnemo::Error naming graph \p g when its leaves (\p leafBytes) and the arena
/// of \p plan together exceed the memory limit (support/limits.h: available memory or --max-memory).
void checkPlannedMemory(const Graph& g, size_t leafBytes, const MemoryPlan& plan);

}  // namespace mnemo
