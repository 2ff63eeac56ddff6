// Elementwise kernels, chosen from the op's row in the op table. An op with a oneDNN binary
// algorithm runs on oneDNN's binary primitive when its first operand has the result's full shape
// (oneDNN broadcasts only its second source fast; commutative ops are swapped to get there). An op
// with a oneDNN eltwise algorithm runs on oneDNN's eltwise primitive. What remains (a broadcast
// first operand, two broadcast operands, ops without a oneDNN algorithm: relu_grad, the
// comparisons) is a loop: the row's span form over tiles, broadcast operands gathered through
// index tables made at compile time. oneDNN 2.6 falls back to its slow reference code when src0
// is the broadcast operand (../shared/design/ONEDNN-NOTES.md). where has its own loop. Large
// loops are split over the threads (parallel.h); each range gathers into its own tiles.
#include <cmath>

#include "support/error.h"
#include "ops/shape_util.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"
#include "ops/op_table.h"

namespace mnemo {

namespace {
using dnnl::algorithm;
using dnnl::memory;

/// \p dims padded with leading 1s to \p rank (oneDNN wants equal ranks for broadcasting).
Dims padTo(const Dims& dims, size_t rank) {
  Dims out(rank - dims.size(), 1);
  out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

std::unique_ptr<Kernel> finish(std::unique_ptr<Kernel> k, const Node& n) {
  k->node = &n;
  return k;
}

constexpr size_t kTile = 512;
constexpr int64_t kNarrowColumns = 16;

/// Is \p operand of \p n one value per column (per position of the last axis), repeated down
/// every other axis?
bool perColumn(const Node& n, const Node* operand) {
  const Dims& d = operand->dims();
  if (n.dims().empty() || d.empty() || d.back() != n.dims().back()) return false;
  for (size_t i = 0; i + 1 < d.size(); ++i)
    if (d[i] != 1) return false;
  return true;
}

/// The row's span form over \p n's operands: full-shape operands read in place, per-column ones
/// repeated into a local tile once per range, other broadcast ones gathered a tile at a time.
std::unique_ptr<Kernel> spanLoop(const Node& n, KernelEnv& env, const std::string& label) {
  SpanFn span = opInfo(n.kind()).elementwise.scalar.span;
  MNEMO_CHECK(span, "no elementwise kernel for op '" << opName(n.kind()) << "'");
  const size_t count = static_cast<size_t>(n.type().numel());
  const size_t arity = n.numOperands();
  MNEMO_CHECK(arity <= 2, "the span loop takes one or two operands, op '" << opName(n.kind()) << "' has " << arity);
  std::vector<const float*> data;
  std::vector<std::shared_ptr<std::vector<size_t>>> index;  // null: read in place or per column
  std::vector<bool> columns;
  const size_t width = n.dims().empty() ? 1 : static_cast<size_t>(n.dims().back());
  // A per-column operand's tile holds whole rows, so every tile of a range starts at the same column.
  const size_t step = width <= kTile ? kTile / width * width : kTile;
  for (size_t i = 0; i < arity; ++i) {
    data.push_back(env.f32(n.operand(i)));
    const bool full = n.operand(i)->dims() == n.dims();
    columns.push_back(!full && width <= kTile && perColumn(n, n.operand(i)));
    index.push_back(full || columns[i] ? nullptr
                                       : std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(i)->dims())));
  }
  float* out = env.f32(&n);
  return finish(std::make_unique<LoopKernel>(label, [=] {
    parallelRanges(count, count, kTile, [&](size_t begin, size_t end, int) {
      float tiles[2 * kTile];
      for (size_t i = 0; i < arity; ++i)
        if (columns[i])
          for (size_t e = 0; e < step; ++e) tiles[i * kTile + e] = data[i][(begin + e) % width];
      for (size_t start = begin; start < end; start += step) {
        size_t len = std::min(step, end - start);
        const float* src[2] = {nullptr, nullptr};
        for (size_t i = 0; i < arity; ++i) {
          if (columns[i]) {
            src[i] = tiles + i * kTile;
            continue;
          }
          if (!index[i]) {
            src[i] = data[i] + start;
            continue;
          }
          float* tile = tiles + i * kTile;
          const size_t* idx = index[i]->data() + start;
          for (size_t e = 0; e < len; ++e) tile[e] = data[i][idx[e]];
          src[i] = tile;
        }
        span(out + start, src[0], src[1], len);
      }
    });
  }), n);
}

std::unique_ptr<Kernel> whereLoop(const Node& n, KernelEnv& env) {
  const float* c = env.f32(n.operand(0));
  const float* a = env.f32(n.operand(1));
  const float* b = env.f32(n.operand(2));
  float* out = env.f32(&n);
  auto ic = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(0)->dims()));
  auto ia = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(1)->dims()));
  auto ib = std::make_shared<std::vector<size_t>>(broadcastIndexMap(n.dims(), n.operand(2)->dims()));
  size_t count = ic->size();
  return finish(std::make_unique<LoopKernel>("where", [=] {
    parallelRanges(count, count, kTile, [&](size_t begin, size_t end, int) {
      for (size_t i = begin; i < end; ++i) out[i] = c[(*ic)[i]] != 0.f ? a[(*ia)[i]] : b[(*ib)[i]];
    });
  }), n);
}

}  // namespace

std::unique_ptr<Kernel> makeBinaryKernel(const Node& n, KernelEnv& env) {
  if (opInfo(n.kind()).elementwise.scalar.arity != 2) return whereLoop(n, env);
  const DnnlLowering& lowering = opInfo(n.kind()).elementwise.dnnl;
  const std::string loopLabel = lowering.kind == DnnlLowering::Binary ? "broadcast-binary" : opName(n.kind());
  if (lowering.kind != DnnlLowering::Binary) return spanLoop(n, env, loopLabel);
  const Node* a = n.operand(0);
  const Node* b = n.operand(1);
  if (a->dims() != n.dims() && opInfo(n.kind()).hasFlag(kCommutative) && b->dims() == n.dims()) std::swap(a, b);
  if (a->dims() != n.dims()) return spanLoop(n, env, loopLabel);
  // oneDNN's binary primitive vectorises along the last axis: with fewer columns than a vector
  // (a readout's bias over 3 classes) it takes ~3 ns an element; the loop well under 1.
  if (b->dims() != n.dims() && perColumn(n, b) && n.dims().back() < kNarrowColumns)
    return spanLoop(n, env, "per-column-binary");
  algorithm alg = dnnlAlgorithm(lowering.algorithm);
  size_t rank = std::max<size_t>(n.dims().size(), 1);
  memory::desc aMd = plainDesc(n.dims());
  memory::desc bMd = plainDesc(padTo(b->dims().empty() ? Dims{1} : b->dims(), rank));
  memory::desc cMd = plainDesc(n.dims());
  dnnl::binary::primitive_desc pd(dnnl::binary::desc(alg, aMd, bMd, cMd), env.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC_0, memory(aMd, env.engine, env.address(a))},
      {DNNL_ARG_SRC_1, memory(bMd, env.engine, env.address(b))},
      {DNNL_ARG_DST, memory(cMd, env.engine, env.address(&n))},
  };
  return finish(std::make_unique<DnnlKernel>(dnnl::binary(pd), std::move(args), env.stream, pd.impl_info_str()), n);
}

std::unique_ptr<Kernel> makeUnaryKernel(const Node& n, KernelEnv& env) {
  const DnnlLowering& lowering = opInfo(n.kind()).elementwise.dnnl;
  if (lowering.kind != DnnlLowering::Eltwise) return spanLoop(n, env, opName(n.kind()));  // relu_grad
  memory::desc md = plainDesc(n.dims());
  dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, dnnlAlgorithm(lowering.algorithm), md,
                                  lowering.alpha, lowering.beta),
      env.engine);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(md, env.engine, env.address(n.operand(0)))},
      {DNNL_ARG_DST, memory(md, env.engine, env.address(&n))},
  };
  return finish(std::make_unique<DnnlKernel>(dnnl::eltwise_forward(pd), std::move(args), env.stream, pd.impl_info_str()), n);
}

}  // namespace mnemo
