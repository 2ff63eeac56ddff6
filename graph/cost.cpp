// FLOP counts and the FLOP-weighted critical path of a graph (see cost.h for the convention).
#include "graph/cost.h"

#include <algorithm>
#include <unordered_map>

namespace mnemo {

namespace {

double elements(const Node* n) { return static_cast<double>(n->type().numel()); }

/// Adds the matmuls of \p g (and of the bodies of its fused regions) to \p out.
void collectMatmuls(const Graph& g, std::vector<const Node*>& out) {
  for (const Node* n : g.nodes()) {
    if (n->kind() == OpKind::MatMul) out.push_back(n);
    if (n->body()) collectMatmuls(*n->body(), out);
  }
}

}  // namespace

double nodeFlops(const Node& n) {
  switch (opCategory(n.kind())) {
    case Category::Contraction: {
      // C[M,N] = op(A)·op(B): A holds M·K elements whatever its transpose; a batched [G,M,N]
      // result is G such products, and A holds G·M·K elements.
      const Dims& c = n.dims();
      const double rows = static_cast<double>(elements(&n) / static_cast<double>(c.back()));  // G·M
      const double cols = static_cast<double>(c.back());
      const double k = rows > 0 ? elements(n.operand(0)) / rows : 0;
      return 2 * rows * k * cols;
    }
    case Category::Elementwise: return elements(&n);
    case Category::Reduction: return elements(n.operand(0));
    case Category::Loss: {
      const bool gradient = n.kind() == OpKind::SoftmaxXentGrad || n.kind() == OpKind::SoftmaxXentRowsGrad;
      return (gradient ? 5 : 4) * elements(n.operand(0));
    }
    case Category::Optimizer: return (n.kind() == OpKind::AdamUpdate ? 12 : 4) * elements(n.operand(0));
    case Category::Fused: {
      double sum = 0;
      for (const Node* b : n.body()->nodes()) sum += nodeFlops(*b);
      return sum;
    }
    case Category::Leaf:
    case Category::Shape:
    case Category::Random: return 0;
  }
  return 0;
}

GraphCost graphCost(const Graph& g, int threads, double splitFlops) {
  GraphCost cost;
  collectMatmuls(g, cost.matmuls);
  for (const Node* m : cost.matmuls) cost.matmul += nodeFlops(*m);
  // Longest paths ending at each node, in topological order: its own weight plus the longest
  // path into any operand; plain FLOPs, and FLOPs shared by the threads where the node is big.
  std::unordered_map<const Node*, std::pair<double, double>> pathTo;
  for (const Node* n : g.nodes()) {
    const double own = nodeFlops(*n);
    const double shared = own >= splitFlops ? own / std::max(threads, 1) : own;
    cost.total += own;
    cost.stage[static_cast<int>(n->stage())] += own;
    std::pair<double, double> longestIn{0, 0};
    for (const Node* op : n->operands()) {
      const auto& in = pathTo[op];
      longestIn.first = std::max(longestIn.first, in.first);
      longestIn.second = std::max(longestIn.second, in.second);
    }
    pathTo[n] = {own + longestIn.first, shared + longestIn.second};
    cost.criticalPath = std::max(cost.criticalPath, own + longestIn.first);
    cost.criticalPathThreaded = std::max(cost.criticalPathThreaded, shared + longestIn.second);
  }
  return cost;
}

}  // namespace mnemo
