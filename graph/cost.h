// The arithmetic cost of a graph: floating-point operations (FLOPs) per node and in total, and
// the critical path — the FLOP-weighted longest chain of dependencies, i.e. the work that must
// run one node after another however many threads there are (for an RNN's training step: the T
// recurrent matmuls forward, their T transposes backward, and what hangs off their ends). `mnemo
// bench` divides these by the machine's measured matmul throughput to get a lower bound on the
// step time (docs/PERFORMANCE.md, "Roofline"). On P threads a node big enough to be split
// (kSplitFlops or more) can take 1/P of its time, so the critical path at P threads counts such
// a node with FLOPs/P and the others whole; at one thread it is the plain critical path.
//
// What one node costs (a convention, stated once here and in `mnemo bench --help`):
//   matmul               2·M·K·N
//   elementwise op       1 per result element (exp, tanh, ... included)
//   reduction            1 per operand element
//   softmax_xent(_rows)  4 per logit (max, subtract, exp, sum); its gradient 5 per logit
//   adam_update          12 per parameter element; sgd_update 4
//   fused region         the sum of its body's ops
//   shape ops, random draws, leaves: 0 (they move or make data; no arithmetic)
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

/// FLOPs of node \p n by the convention above.
double nodeFlops(const Node& n);

/// The least FLOPs of a node that threads can share: about 5 µs of a core's matmul peak, beside
/// which a fork and join (a microsecond or two) is small. Smaller nodes run on one thread.
constexpr double kSplitFlops = 1e6;

struct GraphCost {
  double total = 0;          ///< every node's FLOPs
  double matmul = 0;         ///< of which matmuls (also those inside fused regions)
  double stage[3] = {0, 0, 0};  ///< by stage: fwd, bwd, opt
  double criticalPath = 0;   ///< FLOPs on the longest dependency chain
  /// The longest chain at the threads asked for: nodes of at least the split size count FLOPs /
  /// threads (equal to criticalPath at one thread).
  double criticalPathThreaded = 0;
  /// Every matmul, those inside fused regions' bodies included, in graph order.
  std::vector<const Node*> matmuls;
};

/// The cost of \p g. The critical path weighs each node with its FLOPs (a fused region as a
/// whole) and follows operand edges in \p g's topological order; the threaded one divides the
/// FLOPs of nodes of \p splitFlops or more by \p threads.
GraphCost graphCost(const Graph& g, int threads = 1, double splitFlops = kSplitFlops);

}  // namespace mnemo
