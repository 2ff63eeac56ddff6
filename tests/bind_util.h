// Shared by the runtime tests that compare a Session with the reference evaluator on one graph:
// the same random values bound into both.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "graph/graph.h"
#include "runtime/reference/evaluator.h"
#include "runtime/session.h"

namespace mnemo {
namespace testing {

/// Binds the same values to every input, param and state of \p g in \p s and \p ref: integer
/// leaves get labels in [0, 3); float leaves get what \p fill(node, rng, values) writes into
/// their zeroed value vector. One generator seeded with \p seed serves all leaves in graph order.
template <class Fill>
void bindLeavesAlike(const Graph& g, Session& s, ReferenceEvaluator& ref, uint64_t seed, Fill fill) {
  std::mt19937_64 rng(seed);
  for (const Node* n : g.nodes()) {
    if (n->kind() != OpKind::Input && n->kind() != OpKind::Param && n->kind() != OpKind::State) continue;
    const size_t count = static_cast<size_t>(n->type().numel());
    if (n->type().dtype == DType::I64) {
      std::vector<int64_t> v(count);
      for (auto& x : v) x = static_cast<int64_t>(rng() % 3);
      s.setI64(n->name(), v);
      ref.bind(n->name(), RefTensor(n->type(), std::vector<double>(v.begin(), v.end())));
      continue;
    }
    std::vector<float> v(count);
    fill(n, rng, v);
    s.setF32(n->name(), v);
    ref.bind(n->name(), RefTensor(n->type(), std::vector<double>(v.begin(), v.end())));
  }
}

}  // namespace testing
}  // namespace mnemo
