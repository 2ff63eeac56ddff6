// Losses: softmax_xent(logits [N,C] f32, labels [N] i64) = mean over the N rows of
// logsumexp(logits) - logits[label], the notebook's cross_entropy_loss. Its gradient is the fused
// softmax_xent_grad(logits, labels, g) = g * (softmax(logits) - onehot(labels)) / N, so no
// softmax backward is ever built.
// softmax_xent_rows(logits, labels) is the same loss per row, f32[N], unreduced (for weighted or
// masked losses); its gradient softmax_xent_rows_grad(logits, labels, g[N]) scales each row by
// its own g: g[r] * (softmax(logits[r]) - onehot(labels[r])).
#include <cmath>

#include "ops/builder.h"
#include "support/error.h"
#include "ops/op_table.h"
#include "ops/ref_tensor.h"

namespace mnemo {

namespace {

void checkLogitsAndLabels(const TensorType& logits, const TensorType& labels) {
  if (logits.dtype != DType::F32 || logits.rank() != 2)
    MNEMO_FAIL("logits must be a 2-D f32 tensor [N,C], got " << logits.str());
  if (labels.dtype != DType::I64 || labels.rank() != 1 || labels.dims[0] != logits.dims[0])
    MNEMO_FAIL("labels must be i64[" << logits.dims[0] << "] to match logits " << logits.str()
                                     << ", got " << labels.str());
}

TensorType xentType(const std::vector<TensorType>& ins, const Attrs&) {
  checkLogitsAndLabels(ins[0], ins[1]);
  return TensorType::f32({});
}

TensorType xentGradType(const std::vector<TensorType>& ins, const Attrs&) {
  checkLogitsAndLabels(ins[0], ins[1]);
  if (ins[2] != TensorType::f32({})) MNEMO_FAIL("incoming gradient must be f32[], got " << ins[2].str());
  return ins[0];
}

int64_t labelAt(const RefTensor& labels, int64_t row, int64_t classes) {
  double v = labels[row];
  if (v < 0 || v >= classes || v != std::floor(v))
    MNEMO_FAIL("label " << v << " at position " << row << " is not a class in [0," << classes << ")");
  return static_cast<int64_t>(v);
}

/// Writes the softmax of each row of \p logits into \p probs and, if \p perRow is given, each
/// row's loss into it; \returns the mean loss.
double softmaxRows(const RefTensor& logits, const RefTensor& labels, std::vector<double>& probs,
                   std::vector<double>* perRow = nullptr) {
  int64_t rows = logits.type.dims[0], classes = logits.type.dims[1];
  probs.assign(logits.size(), 0.0);
  if (perRow) perRow->assign(static_cast<size_t>(rows), 0.0);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const double* z = &logits.data[r * classes];
    double mx = z[0];
    for (int64_t c = 1; c < classes; ++c) mx = std::max(mx, z[c]);
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c) sum += std::exp(z[c] - mx);
    for (int64_t c = 0; c < classes; ++c) probs[r * classes + c] = std::exp(z[c] - mx) / sum;
    const double loss = mx + std::log(sum) - z[labelAt(labels, r, classes)];
    if (perRow) (*perRow)[r] = loss;
    total += loss;
  }
  return total / static_cast<double>(rows);
}

void evalXent(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<double> probs;
  out[0] = softmaxRows(*ins[0], *ins[1], probs);
}

void evalXentGrad(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<double> probs;
  softmaxRows(*ins[0], *ins[1], probs);
  int64_t rows = ins[0]->type.dims[0], classes = ins[0]->type.dims[1];
  double scale = (*ins[2])[0] / static_cast<double>(rows);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t label = labelAt(*ins[1], r, classes);
    for (int64_t c = 0; c < classes; ++c)
      out[r * classes + c] = scale * (probs[r * classes + c] - (c == label ? 1.0 : 0.0));
  }
}

TensorType xentRowsType(const std::vector<TensorType>& ins, const Attrs&) {
  checkLogitsAndLabels(ins[0], ins[1]);
  return TensorType::f32({ins[0].dims[0]});
}

TensorType xentRowsGradType(const std::vector<TensorType>& ins, const Attrs&) {
  checkLogitsAndLabels(ins[0], ins[1]);
  if (ins[2] != TensorType::f32({ins[0].dims[0]}))
    MNEMO_FAIL("incoming gradient must be f32[" << ins[0].dims[0] << "], got " << ins[2].str());
  return ins[0];
}

void evalXentRows(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<double> probs;
  softmaxRows(*ins[0], *ins[1], probs, &out.data);
}

void evalXentRowsGrad(const Node&, const std::vector<RefTensor*>& ins, RefTensor& out) {
  std::vector<double> probs;
  softmaxRows(*ins[0], *ins[1], probs);
  int64_t rows = ins[0]->type.dims[0], classes = ins[0]->type.dims[1];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t label = labelAt(*ins[1], r, classes);
    for (int64_t c = 0; c < classes; ++c)
      out[r * classes + c] = (*ins[2])[r] * (probs[r * classes + c] - (c == label ? 1.0 : 0.0));
  }
}

std::vector<Node*> vjpXentRows(Builder& b, Node* n, Node* g) {
  return {b.create(OpKind::SoftmaxXentRowsGrad, {n->operand(0), n->operand(1), g}), nullptr};
}

std::vector<Node*> vjpXent(Builder& b, Node* n, Node* g) {
  return {b.create(OpKind::SoftmaxXentGrad, {n->operand(0), n->operand(1), g}), nullptr};
}

}  // namespace

void describeLossOps(OpInfo* t) {
  define(t, OpKind::SoftmaxXent, {}, xentType, evalXent, vjpXent);
  define(t, OpKind::SoftmaxXentGrad, {}, xentGradType, evalXentGrad, nullptr);
  define(t, OpKind::SoftmaxXentRows, {}, xentRowsType, evalXentRows, vjpXentRows);
  define(t, OpKind::SoftmaxXentRowsGrad, {}, xentRowsGradType, evalXentRowsGrad, nullptr);
}

}  // namespace mnemo
