// Small questions the passes and the graph ask of nodes and names, answered in one place: is a
// name one the graph made up (a number), is a node a uniform constant, may an op's operands be
// swapped.
#pragma once

#include <string>

#include "graph/node.h"

namespace mnemo {

/// True for a name the graph numbered itself (all digits), and for the empty name (no name
/// given). A user's name has at least one non-digit.
bool isAnonymousName(const std::string& name);

/// True if \p n is a constant (one value, broadcast); stores it in \p value.
bool scalarConstant(const Node* n, double* value);

/// True if \p n's op gives the same result with its two operands swapped (its row's flag).
bool isCommutative(const Node* n);

}  // namespace mnemo
