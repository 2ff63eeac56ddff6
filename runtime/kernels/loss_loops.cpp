// softmax_xent and its gradient as loops over rows. With 3 classes per row oneDNN's softmax
// costs 107–166 µs on [1600,3] and its backward is reference code (ONEDNN-NOTES.md); a row loop
// that fuses max, exp, sum, log and the label pick is a few microseconds. Rows go in blocks, and
// every loop of a block runs down its rows, a class at a time, so it vectorises even with three
// classes a row: the logits turned class-major once, the maxima, the exponentials (mnemo's own
// expOf), the sums, their logarithms (logOf), then the label picks. A block's function is built
// for plain x86-64, AVX2 and AVX-512F (target attributes; the build has no -march) and the one
// of the micro-kernel's instruction set is used (forBestGemmIsa): the same operations in the
// same order in each, so the same bits. softmax_xent_rows and its gradient are the same rows,
// unreduced and scaled per row. Many rows are split over the threads (parallel.h); the mean loss
// then adds per-thread partial sums in thread order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "support/error.h"
#include "runtime/kernels/exp_of.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/micro_gemm.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

namespace {

/// Checks the labels of rows [first, first + count) before they index the rows: a bad label is a
/// data error, not a crash. The scan has no branch per row, so it vectorises; only a block with
/// a bad label looks for the first one to name it.
[[noreturn]] __attribute__((noinline)) void badLabel(const int64_t* labels, size_t first, size_t count,
                                                     size_t classes) {
  for (size_t r = first; r < first + count; ++r)
    if (labels[r] < 0 || static_cast<size_t>(labels[r]) >= classes)
      MNEMO_FAIL("label " << labels[r] << " at position " << r << " is not a class in [0," << classes << ")");
  MNEMO_CHECK(false, "checkLabels found a bad label that badLabel does not");
}
inline void checkLabels(const int64_t* labels, size_t first, size_t count, size_t classes) {
  bool bad = false;
  for (size_t r = first; r < first + count; ++r) bad |= static_cast<uint64_t>(labels[r]) >= classes;
  if (bad) badLabel(labels, first, count, classes);
}

/// Scratch of one thread's blocks: the logits class-major, the exponentials, the rows' maxima
/// and sums.
struct RowScratch {
  std::vector<float> zt, e, mx, sum;
  void fit(size_t count, size_t classes) {
    zt.resize(count * classes), e.resize(count * classes), mx.resize(count), sum.resize(count);
  }
};

// Inlined into each instruction set's build of the block functions below.
#define MNEMO_INLINE inline __attribute__((always_inline))

/// Row-major [count, C] into class-major [C, count] (\p toRows false), or back. A class count
/// known at compile time lets the compiler vectorise the interleaved accesses with shuffles.
template <size_t C>
MNEMO_INLINE void reorderFixed(const float* from, float* to, size_t count, bool toRows) {
  if (toRows)
    for (size_t i = 0; i < count; ++i)
      for (size_t c = 0; c < C; ++c) to[i * C + c] = from[c * count + i];
  else
    for (size_t i = 0; i < count; ++i)
      for (size_t c = 0; c < C; ++c) to[c * count + i] = from[i * C + c];
}
MNEMO_INLINE void reorder(const float* from, float* to, size_t count, size_t classes, bool toRows) {
  switch (classes) {
    case 2: return reorderFixed<2>(from, to, count, toRows);
    case 3: return reorderFixed<3>(from, to, count, toRows);
    case 4: return reorderFixed<4>(from, to, count, toRows);
    default:
      for (size_t i = 0; i < count; ++i)
        for (size_t c = 0; c < classes; ++c) {
          if (toRows) to[i * classes + c] = from[c * count + i];
          else to[c * count + i] = from[i * classes + c];
        }
  }
}

/// For \p count rows of \p classes logits from \p z: the logits class by class in s.zt
/// (zt[c·count + i] for row i), each row's max in s.mx, e^(z − max) in s.e (class-major as zt)
/// and the rows' sums of those in s.sum, the classes added in order. Every loop but the first
/// runs down the rows, so it vectorises however few classes a row has.
MNEMO_INLINE void shiftedExpSums(const float* z, size_t count, size_t classes, RowScratch& s) {
  float* zt = s.zt.data();
  reorder(z, zt, count, classes, false);
  float* mx = s.mx.data();
  for (size_t i = 0; i < count; ++i) mx[i] = zt[i];
  for (size_t c = 1; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) mx[i] = std::max(mx[i], zt[c * count + i]);
  float* e = s.e.data();
  for (size_t c = 0; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) e[c * count + i] = zt[c * count + i] - mx[i];
  expSpan(e, count * classes);
  float* sum = s.sum.data();
  for (size_t i = 0; i < count; ++i) sum[i] = 0.f;
  for (size_t c = 0; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) sum[i] += e[c * count + i];
}

/// Rows are worked on in blocks whose exponentials fit in a local buffer.
constexpr size_t kBlockValues = 1024;

/// body(first, count) for blocks of rows in [begin, end), at most kBlockValues values each.
template <class Body>
void rowBlocks(size_t begin, size_t end, size_t classes, Body&& body) {
  const size_t rowsPerBlock = std::max<size_t>(1, kBlockValues / std::max<size_t>(classes, 1));
  for (size_t r = begin; r < end; r += rowsPerBlock) body(r, std::min(rowsPerBlock, end - r));
}

/// Eight running double sums, lane l adding the values at l, l + 8, ...: the adds of a long
/// block no longer chain through one register, and every build adds in this order.
constexpr size_t kSumLanes = 8;

/// logsumexp(z) − z[label] for \p count rows from \p first, into \p loss[i] (i from 0) when
/// \p loss is given; \returns their sum in double.
MNEMO_INLINE double blockLossIn(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes,
                                float* loss, RowScratch& s) {
  checkLabels(labels, first, count, classes);
  s.fit(count, classes);
  const float* z = logits + first * classes;
  shiftedExpSums(z, count, classes, s);
  logSpan(s.sum.data(), count);  // sum becomes log(sum)
  float* l = loss ? loss : s.e.data();  // the exponentials are no longer needed
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    l[i] = s.mx[i] + s.sum[i] - z[i * classes + static_cast<size_t>(labels[r])];
  }
  double lanes[kSumLanes] = {};
  size_t i = 0;
  for (; i + kSumLanes <= count; i += kSumLanes)
    for (size_t k = 0; k < kSumLanes; ++k) lanes[k] += static_cast<double>(l[i + k]);
  for (size_t k = 0; i < count; ++i, ++k) lanes[k] += static_cast<double>(l[i]);
  double total = 0;
  for (double v : lanes) total += v;
  return total;
}

/// d = scale · (softmax(z) − onehot(label)) for \p count rows from \p first; the scale is
/// \p rowScale[r] per row when given, else \p scale.
MNEMO_INLINE void blockGradientIn(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes,
                                  float* out, float scale, const float* rowScale, RowScratch& s) {
  checkLabels(labels, first, count, classes);
  s.fit(count, classes);
  shiftedExpSums(logits + first * classes, count, classes, s);
  float* d = out + first * classes;
  float* factor = s.sum.data();  // sum becomes scale / sum
  if (rowScale)
    for (size_t i = 0; i < count; ++i) factor[i] = rowScale[first + i] / factor[i];
  else
    for (size_t i = 0; i < count; ++i) factor[i] = scale / factor[i];
  float* e = s.e.data();
  for (size_t c = 0; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) e[c * count + i] *= factor[i];
  reorder(e, d, count, classes, true);
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    d[i * classes + static_cast<size_t>(labels[r])] -= rowScale ? rowScale[r] : scale;
  }
}
#undef MNEMO_INLINE

using BlockLossFn = double (*)(const float*, const int64_t*, size_t, size_t, size_t, float*, RowScratch&);
using BlockGradientFn = void (*)(const float*, const int64_t*, size_t, size_t, size_t, float*, float, const float*,
                                 RowScratch&);

double blockLossGeneric(const float* z, const int64_t* y, size_t f, size_t n, size_t c, float* l, RowScratch& s) {
  return blockLossIn(z, y, f, n, c, l, s);
}
void blockGradientGeneric(const float* z, const int64_t* y, size_t f, size_t n, size_t c, float* d, float scale,
                          const float* rows, RowScratch& s) {
  blockGradientIn(z, y, f, n, c, d, scale, rows, s);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) double blockLossAvx2(const float* z, const int64_t* y, size_t f, size_t n, size_t c,
                                                     float* l, RowScratch& s) {
  return blockLossIn(z, y, f, n, c, l, s);
}
__attribute__((target("avx2"))) void blockGradientAvx2(const float* z, const int64_t* y, size_t f, size_t n, size_t c,
                                                       float* d, float scale, const float* rows, RowScratch& s) {
  blockGradientIn(z, y, f, n, c, d, scale, rows, s);
}
__attribute__((target("avx512f"))) double blockLossAvx512(const float* z, const int64_t* y, size_t f, size_t n,
                                                          size_t c, float* l, RowScratch& s) {
  return blockLossIn(z, y, f, n, c, l, s);
}
__attribute__((target("avx512f"))) void blockGradientAvx512(const float* z, const int64_t* y, size_t f, size_t n,
                                                            size_t c, float* d, float scale, const float* rows,
                                                            RowScratch& s) {
  blockGradientIn(z, y, f, n, c, d, scale, rows, s);
}
#else
#define blockLossAvx2 blockLossGeneric
#define blockLossAvx512 blockLossGeneric
#define blockGradientAvx2 blockGradientGeneric
#define blockGradientAvx512 blockGradientGeneric
#endif

BlockLossFn blockLoss() { return forBestGemmIsa<BlockLossFn>(blockLossGeneric, blockLossAvx2, blockLossAvx512); }
BlockGradientFn blockGradient() {
  return forBestGemmIsa<BlockGradientFn>(blockGradientGeneric, blockGradientAvx2, blockGradientAvx512);
}

}  // namespace

float softmaxXentWith(const char* build, const float* logits, const int64_t* labels, size_t rows, size_t classes,
                      float* rowLoss) {
  const BlockLossFn f = forNamedBuild<BlockLossFn>(build, blockLossGeneric, blockLossAvx2, blockLossAvx512);
  MNEMO_CHECK(f, "no build '" << build << "' of the loss loops on this CPU");
  RowScratch scratch;
  double sum = 0;
  rowBlocks(0, rows, classes, [&](size_t first, size_t count) {
    sum += f(logits, labels, first, count, classes, rowLoss + first, scratch);
  });
  return static_cast<float>(sum / static_cast<double>(rows));
}

void softmaxXentGradWith(const char* build, const float* logits, const int64_t* labels, size_t rows, size_t classes,
                         float g, float* out) {
  const BlockGradientFn f =
      forNamedBuild<BlockGradientFn>(build, blockGradientGeneric, blockGradientAvx2, blockGradientAvx512);
  MNEMO_CHECK(f, "no build '" << build << "' of the loss loops on this CPU");
  RowScratch scratch;
  const float scale = g / static_cast<float>(rows);
  rowBlocks(0, rows, classes, [&](size_t first, size_t count) {
    f(logits, labels, first, count, classes, out, scale, nullptr, scratch);
  });
}

std::unique_ptr<Kernel> makeLossKernel(const Node& n, KernelEnv& env) {
  const Node* logitsNode = n.operand(0);
  size_t rows = static_cast<size_t>(logitsNode->dims()[0]), classes = static_cast<size_t>(logitsNode->dims()[1]);
  const float* logits = env.f32(logitsNode);
  const int64_t* labels = env.i64(n.operand(1));
  const size_t work = rows * classes * 4;  // max, exp, sum, pick: about 4 passes over the row
  const BlockLossFn lossOf = blockLoss();
  const BlockGradientFn gradientOf = blockGradient();
  // body(first, count) over blocks of rows, the rows split over the threads when there are many.
  auto forBlocks = [rows, work, classes](auto body) {
    parallelRanges(rows, work, 1, [&](size_t begin, size_t end, int) {
      RowScratch scratch;  // for the range's blocks
      rowBlocks(begin, end, classes, [&](size_t first, size_t count) { body(first, count, scratch); });
    });
  };
  std::unique_ptr<Kernel> k;
  if (n.kind() == OpKind::SoftmaxXent) {
    float* loss = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent", [=] {
      std::vector<double> partial(static_cast<size_t>(loopThreads(work)), 0.0);
      parallelRanges(rows, work, 1, [&](size_t begin, size_t end, int t) {
        double sum = 0;
        RowScratch scratch;
        rowBlocks(begin, end, classes, [&](size_t first, size_t count) {
          sum += lossOf(logits, labels, first, count, classes, nullptr, scratch);
        });
        partial[static_cast<size_t>(t)] = sum;
      });
      double total = 0;
      for (double p : partial) total += p;
      *loss = static_cast<float>(total / static_cast<double>(rows));
    });
  } else if (n.kind() == OpKind::SoftmaxXentRows) {
    float* loss = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows", [=] {
      forBlocks([&](size_t first, size_t count, RowScratch& scratch) {
        lossOf(logits, labels, first, count, classes, loss + first, scratch);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_grad", [=] {
      const float scale = *g / static_cast<float>(rows);
      forBlocks([&](size_t first, size_t count, RowScratch& scratch) {
        gradientOf(logits, labels, first, count, classes, out, scale, nullptr, scratch);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentRowsGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows_grad", [=] {
      forBlocks([&](size_t first, size_t count, RowScratch& scratch) {
        gradientOf(logits, labels, first, count, classes, out, 0.f, g, scratch);
      });
    });
  } else {
    MNEMO_FAIL("no loss kernel for op '" << opName(n.kind()) << "'");
  }
  k->node = &n;
  return k;
}

}  // namespace mnemo
