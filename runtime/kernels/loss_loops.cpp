// softmax_xent and its gradient as loops over rows. With 3 classes per row oneDNN's softmax
// costs 107–166 µs on [1600,3] and its backward is reference code (ONEDNN-NOTES.md); a row loop
// that fuses max, exp, sum, log and the label pick is a few microseconds. Rows go in blocks, and
// every loop of a block runs down its rows, a class at a time, so it vectorises even with three
// classes a row: the maxima, the exponentials (mnemo's own expOf), the sums, their logarithms
// (logOf), then the label picks. softmax_xent_rows and
// its gradient are the same rows, unreduced and scaled per row. Many rows are split over the
// threads (parallel.h); the mean loss then adds per-thread partial sums in thread order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "support/error.h"
#include "runtime/kernels/exp_of.h"
#include "runtime/kernels/kernel.h"
#include "runtime/kernels/parallel.h"

namespace mnemo {

namespace {

/// Checks a label before it indexes a row; a bad label is a data error, not a crash.
inline size_t checkedLabel(int64_t label, size_t row, size_t classes) {
  if (label < 0 || static_cast<size_t>(label) >= classes)
    MNEMO_FAIL("label " << label << " at position " << row << " is not a class in [0," << classes << ")");
  return static_cast<size_t>(label);
}

/// For \p count rows of \p classes logits from \p z: each row's max in \p mx and e^(z − max)
/// class by class in \p e (e[c·count + i] for row i), with every loop running down the rows so
/// that it vectorises however few classes a row has.
inline void shiftedExp(const float* z, size_t count, size_t classes, float* mx, float* e) {
  for (size_t i = 0; i < count; ++i) mx[i] = z[i * classes];
  for (size_t c = 1; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) mx[i] = std::max(mx[i], z[i * classes + c]);
  for (size_t c = 0; c < classes; ++c) {
    float* ec = e + c * count;
    for (size_t i = 0; i < count; ++i) ec[i] = z[i * classes + c] - mx[i];
  }
  expSpan(e, count * classes);
}

/// sum[i] = Σ_c e[c·count + i], the classes added in order.
inline void classSums(const float* e, size_t count, size_t classes, float* sum) {
  for (size_t i = 0; i < count; ++i) sum[i] = 0.f;
  for (size_t c = 0; c < classes; ++c)
    for (size_t i = 0; i < count; ++i) sum[i] += e[c * count + i];
}

/// Rows are worked on in blocks whose exponentials fit in a local buffer.
constexpr size_t kBlockValues = 1024;

/// Scratch of one thread's blocks: the exponentials, the rows' maxima and sums.
struct RowScratch {
  std::vector<float> e, mx, sum;
  void fit(size_t count, size_t classes) { e.resize(count * classes), mx.resize(count), sum.resize(count); }
};

/// body(first, count) for blocks of rows in [begin, end), at most kBlockValues values each.
template <class Body>
void rowBlocks(size_t begin, size_t end, size_t classes, Body&& body) {
  const size_t rowsPerBlock = std::max<size_t>(1, kBlockValues / std::max<size_t>(classes, 1));
  for (size_t r = begin; r < end; r += rowsPerBlock) body(r, std::min(rowsPerBlock, end - r));
}

/// logsumexp(z) − z[label] for \p count rows from \p first, into \p loss[i] (i from 0).
inline void blockLoss(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes, float* loss,
                      RowScratch& s) {
  s.fit(count, classes);
  const float* z = logits + first * classes;
  shiftedExp(z, count, classes, s.mx.data(), s.e.data());
  classSums(s.e.data(), count, classes, s.sum.data());
  logSpan(s.sum.data(), count);  // sum becomes log(sum)
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    loss[i] = s.mx[i] + s.sum[i] - z[i * classes + checkedLabel(labels[r], r, classes)];
  }
}

/// d = scale · (softmax(z) − onehot(label)) for \p count rows from \p first; \p scale(r) per row.
template <class Scale>
inline void blockGradient(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes, float* out,
                          Scale scale, RowScratch& s) {
  s.fit(count, classes);
  shiftedExp(logits + first * classes, count, classes, s.mx.data(), s.e.data());
  classSums(s.e.data(), count, classes, s.sum.data());
  float* d = out + first * classes;
  for (size_t i = 0; i < count; ++i) s.sum[i] = scale(first + i) / s.sum[i];  // sum becomes scale / sum
  for (size_t c = 0; c < classes; ++c) {
    const float* ec = s.e.data() + c * count;
    for (size_t i = 0; i < count; ++i) d[i * classes + c] = ec[i] * s.sum[i];
  }
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    d[i * classes + checkedLabel(labels[r], r, classes)] -= scale(r);
  }
}

}  // namespace

std::unique_ptr<Kernel> makeLossKernel(const Node& n, KernelEnv& env) {
  const Node* logitsNode = n.operand(0);
  size_t rows = static_cast<size_t>(logitsNode->dims()[0]), classes = static_cast<size_t>(logitsNode->dims()[1]);
  const float* logits = env.f32(logitsNode);
  const int64_t* labels = env.i64(n.operand(1));
  const size_t work = rows * classes * 4;  // max, exp, sum, pick: about 4 passes over the row
  // body(r) for every row, split over the threads when there are many.
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
        std::vector<float> each;
        RowScratch scratch;
        rowBlocks(begin, end, classes, [&](size_t first, size_t count) {
          each.resize(count);
          blockLoss(logits, labels, first, count, classes, each.data(), scratch);
          double blockSum = 0;  // a local, so that the adds chain through a register
          for (float l : each) blockSum += static_cast<double>(l);
          sum += blockSum;
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
        blockLoss(logits, labels, first, count, classes, loss + first, scratch);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_grad", [=] {
      const float scale = *g / static_cast<float>(rows);
      forBlocks([&](size_t first, size_t count, RowScratch& scratch) {
        blockGradient(logits, labels, first, count, classes, out, [scale](size_t) { return scale; }, scratch);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentRowsGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows_grad", [=] {
      forBlocks([&](size_t first, size_t count, RowScratch& scratch) {
        blockGradient(logits, labels, first, count, classes, out, [g](size_t r) { return g[r]; }, scratch);
      });
    });
  } else {
    MNEMO_FAIL("no loss kernel for op '" << opName(n.kind()) << "'");
  }
  k->node = &n;
  return k;
}

}  // namespace mnemo
