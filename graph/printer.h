// Printing a graph: the .gir IR text (which the parser reads back to the same graph) and
// Graphviz DOT (for pictures only).
#pragma once

#include <string>

#include "graph/graph.h"

namespace mnemo {

/// The IR text of \p g. Deterministic: node order, stable names, attributes sorted by key.
/// \p header, if not empty, is printed first as a `//` comment line.
std::string printGraph(const Graph& g, const std::string& header = "");
/// One node as its IR text line, without indentation or newline.
std::string printNode(const Node& n);
/// Graphviz DOT of \p g: one box per node, coloured by stage, edges from operands to users.
std::string printDot(const Graph& g);

}  // namespace mnemo
