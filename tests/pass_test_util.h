// Helpers for pass tests: run a pipeline or a single pass, count ops, and check that an
// optimized graph computes what the unoptimized one does (reference evaluator, double).
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>

#include "graph/graph.h"
#include "frontend/ir/parser.h"
#include "graph/passes/pass_manager.h"
#include "graph/printer.h"
#include "runtime/reference/evaluator.h"

namespace mnemo::testing {

/// Number of nodes of op \p kind in \p g.
inline int countOps(const Graph& g, OpKind kind) {
  int n = 0;
  for (const Node* node : g.nodes()) n += node->kind() == kind;
  return n;
}

/// A deep copy of \p g (through its IR text).
inline std::unique_ptr<Graph> cloneGraph(const Graph& g) { return parseGraph(printGraph(g), "<clone>"); }

/// Checks that the lines of \p text contain \p patterns in order (each a substring of a line).
inline bool containsInOrder(const std::string& text, const std::vector<std::string>& patterns, std::string* missing) {
  size_t at = 0;
  for (const std::string& p : patterns) {
    size_t found = text.find(p, at);
    if (found == std::string::npos) {
      *missing = p;
      return false;
    }
    at = found + p.size();
  }
  return true;
}

/// Random bindings for every input, param and state of \p g (labels as classes of the loss),
/// by name, so two graphs with the same declarations get the same values.
inline std::map<std::string, RefTensor> randomBindings(const Graph& g, uint64_t seed) {
  ReferenceEvaluator ev(g);
  ev.bindRandom(seed);
  std::map<std::string, RefTensor> out;
  for (const Node* n : g.nodes())
    if (n->kind() == OpKind::Input || n->kind() == OpKind::Param || n->kind() == OpKind::State)
      out[n->name()] = ev.value(n);
  return out;
}

/// Runs both graphs on the same bindings and \returns the largest relative difference over the
/// returned values and over every param and state after the run.
inline double maxDifference(const Graph& a, const Graph& b, const std::map<std::string, RefTensor>& bindings) {
  ReferenceEvaluator ea(a), eb(b);
  for (const auto& [name, t] : bindings) {
    if (a.find(name)) ea.bind(name, t);
    if (b.find(name)) eb.bind(name, t);
  }
  ea.run();
  eb.run();
  double worst = 0;
  auto compare = [&](const RefTensor& x, const RefTensor& y) {
    if (x.size() != y.size()) {
      worst = 1e300;
      return;
    }
    for (size_t i = 0; i < x.size(); ++i)
      worst = std::max(worst, std::abs(x[i] - y[i]) / std::max(1.0, std::abs(x[i])));
  };
  if (a.outputs().size() != b.outputs().size()) return 1e300;
  for (size_t i = 0; i < a.outputs().size(); ++i) compare(ea.value(a.outputs()[i]), eb.value(b.outputs()[i]));
  for (const auto& [name, t] : bindings)
    if (a.find(name) && b.find(name)) compare(ea.value(name), eb.value(name));
  return worst;
}

}  // namespace mnemo::testing
