// Small questions the passes and the graph ask of nodes and names, answered in one place: is a
// name one the graph made up (a number), is a node a uniform constant, may an op's operands be
// swapped.
#pragma once

#include <string>

#include "graph/names.h"  // isAnonymousName
#include "graph/node.h"

namespace mnemo {

/// True if \p n is a constant (one value, broadcast); stores it in \p value.
bool scalarConstant(const Node* n, double* value);

/// True if \p n's op gives the same result with its two operands swapped (its row's flag).
bool isCommutative(const Node* n);

}  // namespace mnemo
