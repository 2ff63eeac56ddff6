// Parsing .gir IR text into a graph. The parser accepts exactly what the printer prints, plus
// comments and whitespace, and checks each node as the builder would: errors are one line,
// "FILE:line:col: message".
#pragma once

#include <memory>
#include <string>

#include "graph/graph.h"

namespace mnemo {

/// Parses \p text (named \p file in diagnostics). Throws mnemo::Error on the first problem.
std::unique_ptr<Graph> parseGraph(const std::string& text, const std::string& file = "<input>");
/// Reads and parses the file at \p path.
std::unique_ptr<Graph> parseGraphFile(const std::string& path);

}  // namespace mnemo
