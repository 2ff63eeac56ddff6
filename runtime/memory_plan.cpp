#include "runtime/memory_plan.h"

#include <algorithm>
#include <map>

#include "graph/error.h"

namespace mnemo {

namespace {

constexpr size_t kAlign = 64;  // cache line; oneDNN prefers aligned buffers
size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/// A best-fit allocator over offsets of a growing arena.
class OffsetAllocator {
 public:
  size_t allocate(size_t bytes) {
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it)
      if (it->second >= bytes && (best == free_.end() || it->second < best->second)) best = it;
    if (best == free_.end()) {
      // Grow the arena; a free block at its end is extended rather than wasted.
      if (!free_.empty() && std::prev(free_.end())->first + std::prev(free_.end())->second == end_) {
        auto last = std::prev(free_.end());
        size_t offset = last->first;
        end_ = offset + bytes;
        free_.erase(last);
        return offset;
      }
      size_t offset = end_;
      end_ += bytes;
      return offset;
    }
    size_t offset = best->first, size = best->second;
    free_.erase(best);
    if (size > bytes) free_[offset + bytes] = size - bytes;
    return offset;
  }
  void release(size_t offset, size_t bytes) {
    auto it = free_.emplace(offset, bytes).first;
    auto next = std::next(it);
    if (next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }
  size_t size() const { return end_; }

 private:
  std::map<size_t, size_t> free_;  // offset -> size
  size_t end_ = 0;
};

}  // namespace

size_t elementBytes(const TensorType& t) { return t.dtype == DType::I64 ? 8 : 4; }
size_t valueBytes(const TensorType& t) { return static_cast<size_t>(t.numel()) * elementBytes(t); }

bool isView(const Node* n) {
  if (n->kind() == OpKind::Reshape) return true;
  return n->kind() == OpKind::Select && n->attrs().getInt("axis") == 0;
}

MemoryPlan planMemory(const Graph& g, const std::vector<const Node*>& order) {
  MemoryPlan plan;
  // Resolve views to their base and offset.
  for (const Node* n : order) {
    if (!isView(n)) {
      plan.placement[n] = {n, 0};
      continue;
    }
    const Node* src = n->operand(0);
    Placement p = src->isLeaf() ? Placement{src, 0} : plan.placement.at(src);
    if (n->kind() == OpKind::Select) p.offset += static_cast<size_t>(n->attrs().getInt("index")) * valueBytes(n->type());
    plan.placement[n] = p;
  }
  // Last position at which each base's bytes are read (through itself or any view).
  std::unordered_map<const Node*, size_t> lastUse;
  for (size_t i = 0; i < order.size(); ++i) {
    for (const Node* op : order[i]->operands()) {
      auto it = plan.placement.find(op);
      if (it != plan.placement.end()) lastUse[it->second.base] = i;
    }
  }
  for (const Node* out : g.outputs()) {
    auto it = plan.placement.find(out);
    if (it != plan.placement.end()) lastUse[it->second.base] = order.size();
  }
  // Walk the order: allocate at definition, release after the last use.
  std::vector<std::vector<const Node*>> releaseAt(order.size() + 1);
  OffsetAllocator arena;
  for (size_t i = 0; i < order.size(); ++i) {
    const Node* n = order[i];
    if (!isView(n) && !n->type().isNone()) {
      size_t bytes = alignUp(valueBytes(n->type()));
      plan.arenaOffset[n] = arena.allocate(bytes);
      plan.unsharedBytes += bytes;
      auto it = lastUse.find(n);
      // A value nobody reads is released right after it is written.
      releaseAt[it == lastUse.end() ? i : it->second].push_back(n);
    }
    // Released after position i is allocated, so a kernel never reads and writes the same bytes.
    for (const Node* dead : releaseAt[i])
      arena.release(plan.arenaOffset.at(dead), alignUp(valueBytes(dead->type())));
  }
  plan.arenaBytes = arena.size();
  return plan;
}

}  // namespace mnemo
