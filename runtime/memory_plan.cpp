#include "runtime/memory_plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "support/error.h"
#include "support/limits.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {

constexpr size_t kAlign = 64;  // cache line; oneDNN prefers aligned buffers
size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

/// A best-fit allocator over offsets of a growing arena: the smallest free block that fits,
/// the lowest offset among equal sizes. Free blocks are indexed by offset (to merge neighbours)
/// and by (size, offset) (to find the best fit in O(log n) rather than a walk over all of them,
/// which made planning long sequences quadratic).
class OffsetAllocator {
 public:
  size_t allocate(size_t bytes) {
    auto best = bySize_.lower_bound({bytes, 0});
    if (best == bySize_.end()) {
      // Grow the arena; a free block at its end is extended rather than wasted.
      if (!free_.empty() && std::prev(free_.end())->first + std::prev(free_.end())->second == end_) {
        auto last = std::prev(free_.end());
        size_t offset = last->first;
        end_ = offset + bytes;
        remove(last);
        return offset;
      }
      size_t offset = end_;
      end_ += bytes;
      return offset;
    }
    size_t size = best->first, offset = best->second;
    remove(free_.find(offset));
    if (size > bytes) add(offset + bytes, size - bytes);
    return offset;
  }
  void release(size_t offset, size_t bytes) {
    auto next = free_.lower_bound(offset);
    if (next != free_.end() && offset + bytes == next->first) {
      bytes += next->second;
      next = remove(next);
    }
    if (next != free_.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == offset) {
        offset = prev->first;
        bytes += prev->second;
        remove(prev);
      }
    }
    add(offset, bytes);
  }
  size_t size() const { return end_; }

 private:
  void add(size_t offset, size_t bytes) {
    free_.emplace(offset, bytes);
    bySize_.insert({bytes, offset});
  }
  std::map<size_t, size_t>::iterator remove(std::map<size_t, size_t>::iterator it) {
    bySize_.erase({it->second, it->first});
    return free_.erase(it);
  }
  std::map<size_t, size_t> free_;                 // offset -> size
  std::set<std::pair<size_t, size_t>> bySize_;    // (size, offset) of the same blocks
  size_t end_ = 0;
};

/// Where each value's bytes live before resolving chains: inside `parent` at `offset`.
using Parents = std::unordered_map<const Node*, Placement>;

/// Stacks along axis 0 whose parts can be written in place: the parts become slots of the
/// stack's buffer (no copy), or, when the parts already are consecutive slots of a bigger
/// stack, the stack is a view of that range. Bigger stacks choose first.
void placeStacks(const std::vector<const Node*>& order, Parents& parent, std::unordered_set<const Node*>& noKernel) {
  std::vector<const Node*> stacks;
  for (const Node* n : order)
    if (n->kind() == OpKind::Stack && n->attr<int64_t>("axis") == 0) stacks.push_back(n);
  std::stable_sort(stacks.begin(), stacks.end(),
                   [](const Node* a, const Node* b) { return a->numOperands() > b->numOperands(); });
  const std::unordered_set<const Node*> inOrder(order.begin(), order.end());
  for (const Node* s : stacks) {
    size_t part = valueBytes(s->operand(0)->type());
    bool own = true;
    std::unordered_set<const Node*> seen;
    for (const Node* p : s->operands())
      own = own && inOrder.count(p) && !noKernel.count(p) && !parent.count(p) && seen.insert(p).second;
    if (own) {
      for (int k = 0; k < s->numOperands(); ++k) parent[s->operand(k)] = {s, static_cast<size_t>(k) * part};
      noKernel.insert(s);
      continue;
    }
    // A run of consecutive slots of one stack: a view.
    auto first = parent.find(s->operand(0));
    if (first == parent.end() || first->second.base->kind() != OpKind::Stack) continue;
    bool slice = true;
    for (int k = 1; k < s->numOperands() && slice; ++k) {
      auto it = parent.find(s->operand(k));
      slice = it != parent.end() && it->second.base == first->second.base &&
              it->second.offset == first->second.offset + static_cast<size_t>(k) * part;
    }
    if (slice) {
      parent[s] = first->second;
      noKernel.insert(s);
    }
  }
}

}  // namespace

size_t elementBytes(const TensorType& t) { return t.dtype == DType::I64 ? 8 : 4; }
size_t valueBytes(const TensorType& t) { return static_cast<size_t>(t.numel()) * elementBytes(t); }

namespace {

/// True if \p n is a view of its operand (its op row says so); \p bytes is where it starts.
bool viewAt(const Node* n, size_t* bytes) {
  size_t elements = 0;
  if (!opInfo(n->kind()).view || !opInfo(n->kind()).view(*n, &elements)) return false;
  *bytes = elements * elementBytes(n->type());
  return true;
}

}  // namespace

bool isView(const Node* n) {
  size_t bytes;
  return viewAt(n, &bytes);
}

MemoryPlan planMemory(const Graph& g, const std::vector<const Node*>& order) {
  MemoryPlan plan;
  Parents parent;
  for (const Node* n : order) {
    size_t offset = 0;
    if (!viewAt(n, &offset)) continue;
    parent[n] = {n->operand(0), offset};
    plan.noKernel.insert(n);
  }
  placeStacks(order, parent, plan.noKernel);
  // Follow each chain of parents to the value that owns the bytes.
  std::function<Placement(const Node*)> resolve = [&](const Node* n) -> Placement {
    auto done = plan.placement.find(n);
    if (done != plan.placement.end()) return done->second;
    auto it = parent.find(n);
    Placement p{n, 0};
    if (it != parent.end()) {
      Placement up = it->second.base->isLeaf() ? Placement{it->second.base, 0} : resolve(it->second.base);
      p = {up.base, up.offset + it->second.offset};
    }
    plan.placement[n] = p;
    return p;
  };
  for (const Node* n : order) resolve(n);

  // Last position at which each base's bytes are read (through itself or any value inside it).
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
  // Walk the order: a base is allocated when the first value inside it is written, and
  // released after its last read.
  std::vector<std::vector<const Node*>> releaseAt(order.size() + 1);
  OffsetAllocator arena;
  for (size_t i = 0; i < order.size(); ++i) {
    const Node* n = order[i];
    const Node* base = plan.placement.at(n).base;
    bool writes = !plan.noKernel.count(n) && !n->type().isNone();
    if (writes && !base->isLeaf() && !plan.arenaOffset.count(base)) {
      size_t bytes = alignUp(valueBytes(base->type()));
      plan.arenaOffset[base] = arena.allocate(bytes);
      plan.unsharedBytes += bytes;
      auto it = lastUse.find(base);
      // A value nobody reads is released right after it is written.
      releaseAt[it == lastUse.end() ? i : std::max(it->second, i)].push_back(base);
    }
    // Released after position i is allocated, so a kernel never reads and writes the same bytes.
    for (const Node* dead : releaseAt[i])
      arena.release(plan.arenaOffset.at(dead), alignUp(valueBytes(dead->type())));
  }
  plan.arenaBytes = arena.size();
  return plan;
}

void checkPlannedMemory(const Graph& g, size_t leafBytes, const MemoryPlan& plan) {
  checkMemoryBudget(leafBytes + plan.arenaBytes,
                    "graph @" + g.name() + " (" + formatBytes(static_cast<double>(leafBytes)) + " of parameters and inputs, " +
                        formatBytes(static_cast<double>(plan.arenaBytes)) + " of intermediate values)");
}

}  // namespace mnemo
