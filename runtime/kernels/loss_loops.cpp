// softmax_xent and its gradient as loops over rows. With 3 classes per row oneDNN's softmax
// costs 107–166 µs on [1600,3] and its backward is reference code (ONEDNN-NOTES.md); a row loop
// that fuses max, exp, sum, log and the label pick is a few microseconds. softmax_xent_rows and
// its gradient are the same rows, unreduced and scaled per row. Many rows are split over the
// threads (parallel.h); the mean loss then adds per-thread partial sums in thread order.
#include <cmath>
#include <vector>

#include "support/error.h"
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

/// logsumexp(z) − z[label] for one row of \p classes logits.
inline float rowLoss(const float* z, size_t classes, size_t label) {
  float mx = z[0];
  for (size_t c = 1; c < classes; ++c) mx = std::max(mx, z[c]);
  float sum = 0;
  for (size_t c = 0; c < classes; ++c) sum += std::exp(z[c] - mx);
  return mx + std::log(sum) - z[label];
}

/// d = scale · (softmax(z) − onehot(label)) for one row.
inline void rowGradient(const float* z, float* d, size_t classes, size_t label, float scale) {
  float mx = z[0];
  for (size_t c = 1; c < classes; ++c) mx = std::max(mx, z[c]);
  float sum = 0;
  for (size_t c = 0; c < classes; ++c) sum += (d[c] = std::exp(z[c] - mx));
  float inv = scale / sum;
  for (size_t c = 0; c < classes; ++c) d[c] *= inv;
  d[label] -= scale;
}

}  // namespace

std::unique_ptr<Kernel> makeLossKernel(const Node& n, KernelEnv& env) {
  const Node* logitsNode = n.operand(0);
  size_t rows = static_cast<size_t>(logitsNode->dims()[0]), classes = static_cast<size_t>(logitsNode->dims()[1]);
  const float* logits = env.f32(logitsNode);
  const int64_t* labels = env.i64(n.operand(1));
  const size_t work = rows * classes * 4;  // max, exp, sum, pick: about 4 passes over the row
  // body(r) for every row, split over the threads when there are many.
  auto forRows = [rows, work](auto body) {
    parallelRanges(rows, work, 1, [&](size_t begin, size_t end, int) {
      for (size_t r = begin; r < end; ++r) body(r);
    });
  };
  std::unique_ptr<Kernel> k;
  if (n.kind() == OpKind::SoftmaxXent) {
    float* loss = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent", [=] {
      std::vector<double> partial(static_cast<size_t>(loopThreads(work)), 0.0);
      parallelRanges(rows, work, 1, [&](size_t begin, size_t end, int t) {
        double sum = 0;
        for (size_t r = begin; r < end; ++r)
          sum += static_cast<double>(rowLoss(logits + r * classes, classes, checkedLabel(labels[r], r, classes)));
        partial[static_cast<size_t>(t)] = sum;
      });
      double total = 0;
      for (double p : partial) total += p;
      *loss = static_cast<float>(total / static_cast<double>(rows));
    });
  } else if (n.kind() == OpKind::SoftmaxXentRows) {
    float* loss = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows", [=] {
      forRows([&](size_t r) { loss[r] = rowLoss(logits + r * classes, classes, checkedLabel(labels[r], r, classes)); });
    });
  } else if (n.kind() == OpKind::SoftmaxXentGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_grad", [=] {
      float scale = *g / static_cast<float>(rows);
      forRows([&](size_t r) {
        rowGradient(logits + r * classes, out + r * classes, classes, checkedLabel(labels[r], r, classes), scale);
      });
    });
  } else if (n.kind() == OpKind::SoftmaxXentRowsGrad) {
    const float* g = env.f32(n.operand(2));
    float* out = env.f32(&n);
    k = std::make_unique<LoopKernel>("softmax_xent_rows_grad", [=] {
      forRows([&](size_t r) {
        rowGradient(logits + r * classes, out + r * classes, classes, checkedLabel(labels[r], r, classes), g[r]);
      });
    });
  } else {
    MNEMO_FAIL("no loss kernel for op '" << opName(n.kind()) << "'");
  }
  k->node = &n;
  return k;
}

}  // namespace mnemo
