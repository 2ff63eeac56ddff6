// Reductions as loops. oneDNN 2.6's reduction primitive falls back to reference code when it
// reduces an outer axis (1600×64 → 64 costs 3.4 ms there, ONEDNN-NOTES.md), which is exactly the
// bias-gradient shape; a loop costs microseconds. argmax and reduce_max (softmax's shift) are
// loops too. A large prefix or suffix sum is split over the threads by the kept elements
// (parallel.h), so each result is summed in the same order as on one thread.
#include <algorithm>
#include <limits>
#include <memory>

#include "support/error.h"
#include "ops/shape_util.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/micro_gemm.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

namespace {

std::unique_ptr<Kernel> loop(const Node& n, const char* what, std::function<void()> body) {
  auto k = std::make_unique<LoopKernel>(what, std::move(body));
  k->node = &n;
  return k;
}

/// Rows summed in two interleaved sets (even and odd rows, then the two sums added), so each
/// column's additions form two chains of half the length: one chain of 1,600 dependent adds
/// is about 2 µs of latency on its own.
constexpr size_t kRowSets = 2;

/// dst[j] = scale·Σ_r src[r·kept + j] for j in [begin, end): kBlock columns at a time summed down
/// all rows in local blocks the compiler keeps in vector registers (dst itself may alias src,
/// so its sums would go through memory). Every build adds in the same order: the same bits.
template <size_t kBlock>
inline void prefixColumns(const float* src, float* dst, size_t reduced, size_t kept, size_t begin, size_t end, float scale) {
  for (size_t j0 = begin; j0 < end; j0 += kBlock) {
    const size_t width = std::min(kBlock, end - j0);
    float acc[kRowSets][kBlock] = {};
    size_t r = 0;
    if (width == kBlock) {
      for (; r + kRowSets <= reduced; r += kRowSets)
        for (size_t q = 0; q < kRowSets; ++q) {
          const float* row = src + (r + q) * kept + j0;
          for (size_t j = 0; j < kBlock; ++j) acc[q][j] += row[j];
        }
    } else {
      for (; r + kRowSets <= reduced; r += kRowSets)
        for (size_t q = 0; q < kRowSets; ++q)
          for (size_t j = 0; j < width; ++j) acc[q][j] += src[(r + q) * kept + j0 + j];
    }
    for (size_t q = 0; r < reduced; ++r, ++q)
      for (size_t j = 0; j < width; ++j) acc[q][j] += src[r * kept + j0 + j];
    for (size_t j = 0; j < width; ++j) {
      float sum = acc[0][j];
      for (size_t q = 1; q < kRowSets; ++q) sum += acc[q][j];
      dst[j0 + j] = scale != 1.f ? sum * scale : sum;
    }
  }
}

/// Rows that are kNarrowRows·kept ≤ 64 contiguous floats: a few columns (a readout's bias
/// gradient, [T·B, 3] → [3]). The rows go kNarrowRows at a time as one contiguous run, each
/// position of the run its own sum, so the loop is as wide as the vectors; position p belongs to
/// column p mod kept, whose kNarrowRows sums are then added in order.
constexpr size_t kNarrowRows = 16;
inline void narrowColumns(const float* src, float* dst, size_t reduced, size_t kept, float scale) {
  const size_t run = kNarrowRows * kept;
  float acc[kNarrowRows * 4] = {};
  size_t r = 0;
  for (; r + kNarrowRows <= reduced; r += kNarrowRows) {
    const float* block = src + r * kept;
    for (size_t p = 0; p < run; ++p) acc[p] += block[p];
  }
  for (size_t p = 0; r < reduced; ++r, p += kept)
    for (size_t j = 0; j < kept; ++j) acc[p + j] += src[r * kept + j];
  for (size_t j = 0; j < kept; ++j) {
    float sum = acc[j];
    for (size_t q = 1; q < kNarrowRows; ++q) sum += acc[q * kept + j];
    dst[j] = scale != 1.f ? sum * scale : sum;
  }
}

using PrefixFn = void (*)(const float*, float*, size_t, size_t, size_t, size_t, float);

// 32 columns fill the 16 SSE registers' worth of a block; with AVX2 and AVX-512 a block of 64
// (a hidden layer's whole row) reads each row once instead of in two passes.
// (The narrow form, for a whole row of at most 4 columns, is the same in every build.)
void prefixGeneric(const float* s, float* d, size_t r, size_t k, size_t b, size_t e, float c) {
  if (b == 0 && e == k && k <= 4) return narrowColumns(s, d, r, k, c);
  prefixColumns<32>(s, d, r, k, b, e, c);
}
__attribute__((target("avx2"))) void prefixAvx2(const float* s, float* d, size_t r, size_t k, size_t b, size_t e, float c) {
  if (b == 0 && e == k && k <= 4) return narrowColumns(s, d, r, k, c);
  prefixColumns<64>(s, d, r, k, b, e, c);
}
__attribute__((target("avx512f"))) void prefixAvx512(const float* s, float* d, size_t r, size_t k, size_t b, size_t e, float c) {
  if (b == 0 && e == k && k <= 4) return narrowColumns(s, d, r, k, c);
  prefixColumns<64>(s, d, r, k, b, e, c);
}

}  // namespace

void columnSumsWith(const char* build, const float* src, float* dst, size_t rows, size_t cols) {
  const PrefixFn f = forNamedBuild<PrefixFn>(build, prefixGeneric, prefixAvx2, prefixAvx512);
  MNEMO_CHECK(f, "no build '" << build << "' of the column sums on this CPU");
  f(src, dst, rows, cols, 0, cols, 1.f);
}

namespace {

/// Sums over axes of \p in into \p out. Reduced axes that form a prefix, a suffix or one run in
/// the middle of the shape get a dense loop; any other set goes through an index table.
std::function<void()> sumLoop(const Dims& in, const std::vector<int64_t>& axes, const float* src, float* dst, float scale) {
  size_t total = 1;
  for (int64_t d : in) total *= static_cast<size_t>(d);
  size_t reduced = 1;
  for (int64_t a : axes) reduced *= static_cast<size_t>(in[a]);
  size_t kept = total / reduced;
  bool prefix = true, suffix = true;
  for (size_t i = 0; i < axes.size(); ++i) {
    prefix = prefix && axes[i] == static_cast<int64_t>(i);
    suffix = suffix && axes[i] == static_cast<int64_t>(in.size() - axes.size() + i);
  }
  if (prefix) {
    return [=] {
      // Columns split in multiples of 16 floats (a cache line), so threads share no line of dst.
      static const PrefixFn columns = forBestGemmIsa<PrefixFn>(prefixGeneric, prefixAvx2, prefixAvx512);
      parallelRanges(kept, total, 16, [&](size_t begin, size_t end, int) {
        columns(src, dst, reduced, kept, begin, end, scale);
      });
    };
  }
  if (suffix) {
    return [=] {
      parallelRanges(kept, total, 16, [&](size_t begin, size_t end, int) {
        for (size_t j = begin; j < end; ++j) {
          float s = 0;
          for (size_t r = 0; r < reduced; ++r) s += src[j * reduced + r];
          dst[j] = s * scale;
        }
      });
    };
  }
  // One run of reduced axes in the middle (a batched matmul's rows, [G,M,N] → [G,N]): a dense
  // prefix sum per outer index, in the same order of additions as the index table below.
  bool run = !axes.empty();
  for (size_t i = 1; i < axes.size(); ++i) run = run && axes[i] == axes[i - 1] + 1;
  if (run) {
    size_t outer = 1;
    for (int64_t d = 0; d < axes[0]; ++d) outer *= static_cast<size_t>(in[d]);
    const size_t inner = kept / outer;
    return [=] {
      for (size_t o = 0; o < outer; ++o) {
        float* out = dst + o * inner;
        const float* from = src + o * reduced * inner;
        std::fill(out, out + inner, 0.f);
        for (size_t r = 0; r < reduced; ++r)
          for (size_t j = 0; j < inner; ++j) out[j] += from[r * inner + j];
        if (scale != 1.f) for (size_t j = 0; j < inner; ++j) out[j] *= scale;
      }
    };
  }
  Dims keptDims = in;
  for (int64_t a : axes) keptDims[a] = 1;
  auto map = std::make_shared<std::vector<size_t>>(broadcastIndexMap(in, keptDims));
  return [=] {
    std::fill(dst, dst + kept, 0.f);
    for (size_t i = 0; i < total; ++i) dst[(*map)[i]] += src[i];
    if (scale != 1.f) for (size_t j = 0; j < kept; ++j) dst[j] *= scale;
  };
}

}  // namespace

std::unique_ptr<Kernel> makeReduceKernel(const Node& n, KernelEnv& env) {
  const Node* x = n.operand(0);
  switch (n.kind()) {
    case OpKind::ReduceSum:
    case OpKind::ReduceMean: {
      std::vector<int64_t> axes = n.attr<std::vector<int64_t>>("axes");
      float scale = 1.f;
      if (n.kind() == OpKind::ReduceMean) {
        double count = 1;
        for (int64_t a : axes) count *= static_cast<double>(x->dims()[a]);
        scale = static_cast<float>(1.0 / count);
      }
      return loop(n, n.kind() == OpKind::ReduceSum ? "reduce_sum" : "reduce_mean",
                  sumLoop(x->dims(), axes, env.f32(x), env.f32(&n), scale));
    }
    case OpKind::ReduceMax: {  // through the index table: it serves shifts of small rows (softmax)
      const Dims& in = x->dims();
      Dims keptDims = in;
      for (int64_t a : n.attr<std::vector<int64_t>>("axes")) keptDims[a] = 1;
      auto map = std::make_shared<std::vector<size_t>>(broadcastIndexMap(in, keptDims));
      const size_t kept = static_cast<size_t>(n.type().numel());
      const float* src = env.f32(x);
      float* dst = env.f32(&n);
      return loop(n, "reduce_max", [=] {
        std::fill(dst, dst + kept, -std::numeric_limits<float>::infinity());
        for (size_t i = 0; i < map->size(); ++i) {
          const float v = src[i];
          float& m = dst[(*map)[i]];
          if (v > m || v != v) m = m != m ? m : v;  // a NaN wins, as in the reference evaluator
        }
      });
    }
    case OpKind::ArgMax: {
      const Dims& d = x->dims();
      int64_t axis = n.attr<int64_t>("axis");
      size_t outer = 1, inner = 1, len = static_cast<size_t>(d[axis]);
      for (int64_t i = 0; i < axis; ++i) outer *= static_cast<size_t>(d[i]);
      for (size_t i = static_cast<size_t>(axis) + 1; i < d.size(); ++i) inner *= static_cast<size_t>(d[i]);
      const float* src = env.f32(x);
      int64_t* dst = env.i64(&n);
      return loop(n, "argmax", [=] {
        for (size_t o = 0; o < outer; ++o)
          for (size_t i = 0; i < inner; ++i) {
            size_t best = 0;
            for (size_t k = 1; k < len; ++k)
              if (src[(o * len + k) * inner + i] > src[(o * len + best) * inner + i]) best = k;
            dst[o * inner + i] = static_cast<int64_t>(best);
          }
      });
    }
    default: MNEMO_FAIL("no reduction kernel for op '" << opName(n.kind()) << "'");
  }
}

}  // namespace mnemo
