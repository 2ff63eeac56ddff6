// Building a fused region out of existing nodes, shared by the fusion passes.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// Replaces \p members (in graph order; the last one is the region's result, and no member but
/// the last may be used outside the set) with one fused node of kind \p kind. Operands from
/// outside become region parameters %p0, %p1, ... in order of first use; constants are copied
/// into the body, except the operands of a matmul, which stay parameters. The fused node stands
/// where the last member stood and inherits its name. A non-empty \p kernel is recorded as its
/// "kernel" attribute (the runtime kernel the fusion chose).
/// \returns the fused node.
Node* replaceWithRegion(Graph& g, const std::vector<Node*>& members, const std::string& kind,
                        const std::string& kernel = "");

}  // namespace mnemo
