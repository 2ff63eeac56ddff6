// api::Dataset: the task and batches `mnemo train` would use for the same settings.
#include "training/batch_source.h"
#include "support/error.h"
#include "support/limits.h"
#include "mnemo/dataset.h"
#include "tasks/dataset.h"
#include "tasks/registry.h"

namespace mnemo::api {

std::vector<std::string> taskNames() { return mnemo::taskNames(); }

struct Dataset::Impl {
  std::string task;
  std::unique_ptr<mnemo::Dataset> data;
};

Dataset::Dataset(const std::string& task, int64_t batch, int64_t seqLen, uint64_t seed) : impl_(new Impl) {
  checkCount(batch, limits::kMaxDimension, "the batch size");
  checkCount(seqLen, limits::kMaxSequenceLength, "the sequence length");
  RunConfig run;
  run.task = task;
  DatasetConfig cfg;
  cfg.batchSize = static_cast<int>(batch);
  cfg.seqLen = static_cast<int>(seqLen);
  cfg.seed = seed;
  cfg.keepTrialInfo = false;
  impl_->task = task;
  impl_->data = std::make_unique<mnemo::Dataset>(runTask(run, /*quiet=*/true), cfg);
}

Dataset::~Dataset() = default;
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&&) noexcept = default;

Batch Dataset::next() {
  mnemo::Batch b = impl_->data->next();
  Batch out;
  out.inputs = Array::of(DType::Float32, {b.seqLen, b.batchSize, b.obsSize}, b.inputs);
  out.labels = Array::of(DType::Int64, {b.seqLen, b.batchSize}, b.labels);
  return out;
}

const std::string& Dataset::task() const { return impl_->task; }
int64_t Dataset::batch() const { return impl_->data->batchSize(); }
int64_t Dataset::seqLen() const { return impl_->data->seqLen(); }
int64_t Dataset::observations() const { return impl_->data->obsSize(); }
int64_t Dataset::actions() const { return impl_->data->task().actionSize(); }

}  // namespace mnemo::api
