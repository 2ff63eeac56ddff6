// Shape kernels as copy loops: broadcast, stack, insert_slice, slice, concat, transpose, and
// select along an inner axis.
// (reshape and select along the outermost axis are views and have no kernel.) These only move
// bytes; a oneDNN reorder or concat would cost a primitive call each for the same memcpy.
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

}  // namespace

std::unique_ptr<Kernel> makeShapeKernel(const Node& n, KernelEnv& env) {
  char* out = env.address(&n);
  size_t elem = elementBytes(n.type());
  switch (n.kind()) {
    case OpKind::Broadcast: {
      const char* src = env.address(n.operand(0));
      auto map = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(0)->dims()));
      return loop(n, "broadcast", [=] {
        for (size_t i = 0; i < map->size(); ++i) std::memcpy(out + i * elem, src + (*map)[i] * elem, elem);
      });
    }
    case OpKind::Stack: {
      Planes p = planesAround(n.dims(), n.attrs().getInt("axis"));
      std::vector<const char*> parts;
      for (const Node* op : n.operands()) parts.push_back(env.address(op));
      size_t chunk = p.inner * elem;
      return loop(n, "stack", [=] {
        for (size_t k = 0; k < p.len; ++k)
          for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + (o * p.len + k) * chunk, parts[k] + o * chunk, chunk);
      });
    }
    case OpKind::Select: {
      Planes p = planesAround(n.operand(0)->dims(), n.attrs().getInt("axis"));
      size_t index = static_cast<size_t>(n.attrs().getInt("index"));
      const char* src = env.address(n.operand(0));
      size_t chunk = p.inner * elem;
      return loop(n, "select", [=] {
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + o * chunk, src + (o * p.len + index) * chunk, chunk);
      });
    }
    case OpKind::InsertSlice: {
      Planes p = planesAround(n.dims(), n.attrs().getInt("axis"));
      size_t index = static_cast<size_t>(n.attrs().getInt("index"));
      const char* src = env.address(n.operand(0));
      size_t chunk = p.inner * elem, total = valueBytes(n.type());
      return loop(n, "insert_slice", [=] {
        std::memset(out, 0, total);
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + (o * p.len + index) * chunk, src + o * chunk, chunk);
      });
    }
    case OpKind::Slice: {
      Planes p = planesAround(n.operand(0)->dims(), n.attrs().getInt("axis"));
      const char* src = env.address(n.operand(0)) + static_cast<size_t>(n.attrs().getInt("start")) * p.inner * elem;
      size_t inChunk = p.len * p.inner * elem, outChunk = static_cast<size_t>(n.attrs().getInt("size")) * p.inner * elem;
      return loop(n, "slice", [=] {
        for (size_t o = 0; o < p.outer; ++o) std::memcpy(out + o * outChunk, src + o * inChunk, outChunk);
      });
    }
    case OpKind::Concat: {
      Planes p = planesAround(n.dims(), n.attrs().getInt("axis"));
      std::vector<std::pair<const char*, size_t>> parts;  // address, bytes per outer index
      for (const Node* op : n.operands())
        parts.push_back({env.address(op), static_cast<size_t>(op->dims()[n.attrs().getInt("axis")]) * p.inner * elem});
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
      // An index table from each result element to its source, built once.
      std::vector<int64_t> perm = n.attrs().getInts("perm");
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
      return loop(n, "transpose", [=] {
        for (size_t i = 0; i < map->size(); ++i) std::memcpy(out + i * elem, src + (*map)[i] * elem, elem);
      });
    }
    default: MNEMO_FAIL("no shape kernel for op '" << opName(n.kind()) << "'");
  }
}

}  // namespace mnemo
