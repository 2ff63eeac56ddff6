// Shape kernels as copy loops: broadcast, stack, insert_slice, slice, concat, transpose, and
// select along an inner axis.
// (reshape and select along the outermost axis are views and have no kernel.) These only move
// bytes; a oneDNN reorder or concat would cost a primitive call each for the same memcpy.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "support/error.h"
#include "ops/shape_util.h"
#include "runtime/kernels/kernel.h"
#include "runtime/memory_plan.h"

namespace mnemo {

namespace {

/// The tensor of \p dims seen as [outer, len, inner] around \p axis.
struct Planes {
  size_t outer = 1, len = 1, inner = 1;
};
Planes planesAround(const Dims& dims, int64_t axis) {
  Planes p;
  p.len = static_cast<size_t>(dims[axis]);
  for (int64_t i = 0; i < axis; ++i) p.outer *= static_cast<size_t>(dims[i]);
  for (size_t i = static_cast<size_t>(axis) + 1; i < dims.size(); ++i) p.inner *= static_cast<size_t>(dims[i]);
  return p;
}

std::unique_ptr<Kernel> loop(const Node& n, const char* what, std::function<void()> body) {
  auto k = std::make_unique<LoopKernel>(what, std::move(body));
  k->node = &n;
  return k;
}

/// out[i] = src[map[i]] for elements of \p elem bytes; the common sizes as typed copies (a
/// memcpy call per element of a runtime size costs more than the copy).
void gatherElements(char* out, const char* src, const std::vector<size_t>& map, size_t elem) {
  auto typed = [&](auto zero) {
    using T = decltype(zero);
    T* o = reinterpret_cast<T*>(out);
    const T* s = reinterpret_cast<const T*>(src);
    for (size_t i = 0; i < map.size(); ++i) o[i] = s[map[i]];
  };
  switch (elem) {
    case 1: return typed(uint8_t{});
    case 2: return typed(uint16_t{});
    case 4: return typed(uint32_t{});
    case 8: return typed(uint64_t{});
    default:
      for (size_t i = 0; i < map.size(); ++i) std::memcpy(out + i * elem, src + map[i] * elem, elem);
  }
}

/// [outer, rows, cols] → [outer, cols, rows] for 4-byte elements, in 8×8 blocks so that both
/// sides are read and written a cache line at a time.
void transposeLastTwo(uint32_t* out, const uint32_t* src, size_t outer, size_t rows, size_t cols) {
  constexpr size_t kB = 8;
  for (size_t o = 0; o < outer; ++o, src += rows * cols, out += rows * cols)
    for (size_t r0 = 0; r0 < rows; r0 += kB)
      for (size_t c0 = 0; c0 < cols; c0 += kB) {
        const size_t r1 = std::min(rows, r0 + kB), c1 = std::min(cols, c0 + kB);
        for (size_t c = c0; c < c1; ++c)
          for (size_t r = r0; r < r1; ++r) out[c * rows + r] = src[r * cols + c];
      }
}

}  // namespace

std::unique_ptr<Kernel> makeShapeKernel(const Node& n, KernelEnv& env) {
  char* out = env.address(&n);
  size_t elem = elementBytes(n.type());
  switch (n.kind()) {
    case OpKind::Broadcast: {
      const char* src = env.address(n.operand(0));
      auto map = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(0)->dims()));
      return loop(n, "broadcast", [=] { gatherElements(out, src, *map, elem); });
    }
    case OpKind::Stack: {
      Planes p = planesAround(n.dims(), n.attr<int64_t>("axis"));
      std::vector<const char*> parts;
      for (const Node* op : n.operands()) parts.push_back(env.address(op));
      size_t chunk = p.inner * elem;
      return loop(n, "stack", [=] {
        for (size_t k = 0; k < p.len; ++k)
          for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + (o * p.len + k) * chunk, parts[k] + o * chunk, chunk);
      });
    }
    case OpKind::Select: {
      Planes p = planesAround(n.operand(0)->dims(), n.attr<int64_t>("axis"));
      size_t index = static_cast<size_t>(n.attr<int64_t>("index"));
      const char* src = env.address(n.operand(0));
      size_t chunk = p.inner * elem;
      return loop(n, "select", [=] {
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + o * chunk, src + (o * p.len + index) * chunk, chunk);
      });
    }
    case OpKind::InsertSlice: {
      Planes p = planesAround(n.dims(), n.attr<int64_t>("axis"));
      size_t index = static_cast<size_t>(n.attr<int64_t>("index"));
      const char* src = env.address(n.operand(0));
      size_t chunk = p.inner * elem, total = valueBytes(n.type());
      return loop(n, "insert_slice", [=] {
        std::memset(out, 0, total);
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + (o * p.len + index) * chunk, src + o * chunk, chunk);
      });
    }
    case OpKind::Slice: {
      Planes p = planesAround(n.operand(0)->dims(), n.attr<int64_t>("axis"));
      const char* src = env.address(n.operand(0)) + static_cast<size_t>(n.attr<int64_t>("start")) * p.inner * elem;
      size_t inChunk = p.len * p.inner * elem, outChunk = static_cast<size_t>(n.attr<int64_t>("size")) * p.inner * elem;
      return loop(n, "slice", [=] {
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + o * outChunk, src + o * inChunk, outChunk);
      });
    }
    case OpKind::Concat: {
      Planes p = planesAround(n.dims(), n.attr<int64_t>("axis"));
      std::vector<std::pair<const char*, size_t>> parts;  // address, bytes per outer index
      for (const Node* op : n.operands())
        parts.push_back({env.address(op), static_cast<size_t>(op->dims()[n.attr<int64_t>("axis")]) * p.inner * elem});
      size_t outChunk = p.len * p.inner * elem;
      return loop(n, "concat", [=] {
        for (size_t o = 0; o < p.outer; ++o) {
          char* dst = out + o * outChunk;
          for (const auto& [src, bytes] : parts) {
            std::memcpy(dst, src + o * bytes, bytes);
            dst += bytes;
          }
        }
      });
    }
    case OpKind::Transpose: {
      std::vector<int64_t> perm = n.attr<std::vector<int64_t>>("perm");
      const Dims& id = n.operand(0)->dims();
      const size_t rank = perm.size();
      bool lastTwo = rank >= 2 && elem == 4 && perm[rank - 2] == static_cast<int64_t>(rank - 1) &&
                     perm[rank - 1] == static_cast<int64_t>(rank - 2);
      for (size_t i = 0; i + 2 < rank; ++i) lastTwo = lastTwo && perm[i] == static_cast<int64_t>(i);
      if (lastTwo) {  // the usual case: a matrix (or a batch of them) transposed
        const size_t rows = static_cast<size_t>(id[rank - 2]), cols = static_cast<size_t>(id[rank - 1]);
        const size_t outer = static_cast<size_t>(n.type().numel()) / std::max<size_t>(rows * cols, 1);
        const uint32_t* src = reinterpret_cast<const uint32_t*>(env.address(n.operand(0)));
        uint32_t* dst = reinterpret_cast<uint32_t*>(out);
        return loop(n, "transpose", [=] { transposeLastTwo(dst, src, outer, rows, cols); });
      }
      // Any other permutation: an index table from each result element to its source, built once.
      std::vector<int64_t> inStrides = stridesOf(n.operand(0)->dims());
      const Dims& od = n.dims();
      auto map = std::make_shared<std::vector<size_t>>(static_cast<size_t>(n.type().numel()));
      std::vector<int64_t> idx(od.size(), 0);
      for (size_t flat = 0; flat < map->size(); ++flat) {
        int64_t from = 0;
        for (size_t i = 0; i < od.size(); ++i) from += idx[i] * inStrides[perm[i]];
        (*map)[flat] = static_cast<size_t>(from);
        for (int i = static_cast<int>(od.size()) - 1; i >= 0; --i) {
          if (++idx[i] < od[i]) break;
          idx[i] = 0;
        }
      }
      const char* src = env.address(n.operand(0));
      return loop(n, "transpose", [=] { gatherElements(out, src, *map, elem); });
    }
    default: MNEMO_FAIL("no shape kernel for op '" << opName(n.kind()) << "'");
  }
}

}  // namespace mnemo
