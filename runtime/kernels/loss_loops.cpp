// softmax_xent and its gradient as loops over rows. With 3 classes per row oneDNN's softmax
// costs 107–166 µs on [1600,3] and its backward is reference code (ONEDNN-NOTES.md); a row loop
// that fuses max, exp, sum, log and the label pick is a few microseconds. Rows go in blocks: the
// maxima first, then one flat vectorised loop of mnemo's own exp over the block (expOf), then the
// sums, logs and label picks. softmax_xent_rows and
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

/// For \p rows rows of \p classes logits from \p z: each row's max in \p mx and
/// e^(z − max) in \p e (both the caller's, \p rows and rows·classes long).
inline void shiftedExp(const float* z, size_t rows, size_t classes, float* mx, float* e) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = z + r * classes;
    float m = row[0];
    for (size_t c = 1; c < classes; ++c) m = std::max(m, row[c]);
    mx[r] = m;
    for (size_t c = 0; c < classes; ++c) e[r * classes + c] = row[c] - m;
  }
  const size_t n = rows * classes;
  for (size_t i = 0; i < n; ++i) e[i] = expOf(e[i]);  // one flat loop: vectorised
}

/// Rows are worked on in blocks whose exponentials fit in a local buffer.
constexpr size_t kBlockValues = 1024;

/// body(first, count) for blocks of rows in [begin, end), at most kBlockValues values each.
template <class Body>
void rowBlocks(size_t begin, size_t end, size_t classes, Body&& body) {
  const size_t rowsPerBlock = std::max<size_t>(1, kBlockValues / std::max<size_t>(classes, 1));
  for (size_t r = begin; r < end; r += rowsPerBlock) body(r, std::min(rowsPerBlock, end - r));
}

/// logsumexp(z) − z[label] for \p count rows from \p first, into \p loss[i] (i from 0); \p e
/// and \p mx are scratch.
inline void blockLoss(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes, float* loss,
                      std::vector<float>& e, std::vector<float>& mx) {
  e.resize(count * classes), mx.resize(count);
  shiftedExp(logits + first * classes, count, classes, mx.data(), e.data());
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    float sum = 0;
    for (size_t c = 0; c < classes; ++c) sum += e[i * classes + c];
    loss[i] = mx[i] + std::log(sum) - logits[r * classes + checkedLabel(labels[r], r, classes)];
  }
}

/// d = scale · (softmax(z) − onehot(label)) for \p count rows from \p first; \p scale(r) per row;
/// \p mx is scratch.
template <class Scale>
inline void blockGradient(const float* logits, const int64_t* labels, size_t first, size_t count, size_t classes, float* out,
                          Scale scale, std::vector<float>& mx) {
  mx.resize(count);
  float* d = out + first * classes;
  shiftedExp(logits + first * classes, count, classes, mx.data(), d);
  for (size_t i = 0; i < count; ++i) {
    const size_t r = first + i;
    float* row = d + i * classes;
    float sum = 0;
    for (size_t c = 0; c < classes; ++c) sum += row[c];
    const float s = scale(r), inv = s / sum;
    for (size_t c = 0; c < classes; ++c) row[c] *= inv;
    row[checkedLabel(labels[r], r, classes)] -= s;
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
      std::vector<float> e, mx;  // scratch for the range's blocks
      rowBlocks(begin, end, classes, [&](size_t first, size_t count) { body(first, count, e, mx); });
    });
  };
  std::unique_ptr<Kernel> k;
  if (n.kind() == OpKind::SoftmaxXent) {
    float* loss = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent", [=] {
      std::vector<double> partial(static_cast<size_t>(loopThreads(work)), 0.0);
      parallelRanges(rows, work, 1, [&](size_t begin, size_t end, int t) {
        double sum = 0;
        std::vector<float> each, e, mx;
        rowBlocks(begin, end, classes, [&](size_t first, size_t count) {
          each.resize(count);
          blockLoss(logits, labels, first, count, classes, each.data(), e, mx);
          for (float l : each) sum += static_cast<double>(l);
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
      forBlocks([&](size_t first, size_t count, std::vector<float>& e, std::vector<float>& mx) {
        blockLoss(logits, labels, first, count, classes, loss + first, e, mx);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_grad", [=] {
      const float scale = *g / static_cast<float>(rows);
      forBlocks([&](size_t first, size_t count, std::vector<float>&, std::vector<float>& mx) {
        blockGradient(logits, labels, first, count, classes, out, [scale](size_t) { return scale; }, mx);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentRowsGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows_grad", [=] {
      forBlocks([&](size_t first, size_t count, std::vector<float>&, std::vector<float>& mx) {
        blockGradient(logits, labels, first, count, classes, out, [g](size_t r) { return g[r]; }, mx);
      });
    });
  } else {
    MNEMO_FAIL("no loss kernel for op '" << opName(n.kind()) << "'");
  }
  k->node = &n;
  return k;
}

}  // namespace mnemo
