// NodeMap: a side table keyed by the nodes of one graph, stored in a vector indexed by Node::id.
// On a long sequence's graph (a hundred thousand nodes and more) a hash map keyed by node costs
// several cache misses a lookup and a scattered allocation per entry; this costs one. Nodes made
// after the table grow it on first write and read as absent until then. Only nodes of the graph
// the table was made for may be used as keys (ids are per graph).
#pragma once

#include <algorithm>
#include <vector>

#include "graph/graph.h"

namespace mnemo {

template <typename T>
class NodeMap {
 public:
  explicit NodeMap(const Graph& g, T absent = T()) : graph_(g), absent_(absent), values_(g.idBound(), absent) {}
  /// The value stored for \p n, or the absent value.
  const T& get(const Node* n) const { return n->id() < values_.size() ? values_[n->id()] : absent_; }
  /// The value of \p n for writing (absent until written).
  T& operator[](const Node* n) {
    if (n->id() >= values_.size()) values_.resize(std::max(graph_.idBound(), n->id() + 1), absent_);
    return values_[n->id()];
  }

 private:
  const Graph& graph_;
  T absent_;
  std::vector<T> values_;
};

}  // namespace mnemo
