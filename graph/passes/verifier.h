// The verifier: checks a graph's structural invariants and returns diagnostics (never aborts).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// \returns one message per problem, e.g. "node %h1 (tanh): type f32[16,64] is stored but the
/// shape rule gives f32[16,32]"; empty when the graph is well formed. Checks: operands defined
/// before use, use lists equal to operand lists, arity and attributes as the op table says,
/// re-inferred types equal to stored ones, positive dimensions, leaves well declared, stages in
/// order (fwd, bwd, opt) and returned values in the graph.
std::vector<std::string> verify(const Graph& g);
/// Throws mnemo::Error with the first problem (and how many more) if verify() finds any.
void verifyOrThrow(const Graph& g, const std::string& context);

}  // namespace mnemo
