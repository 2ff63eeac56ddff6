// The streaming Dataset (see dataset.h).
#include "tasks/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

namespace {

/// neurogym's rule for a budget of `values` cached values.
int cacheLenWithin(double values, int obsSize, int batchSize, int seqLen, int targetElements) {
  // Discrete actions have shape (), so their element count is 1.
  const double c = values / (obsSize + targetElements) / batchSize;
  return static_cast<int>((1 + std::floor(c / seqLen)) * seqLen);
}

/// Copies n rows of `width` floats from consecutive rows of src to rows `stride` apart in dst: a
/// plain loop the compiler vectorises. (GCC would turn the inner loop into a memmove call per
/// row, which costs more than the copy for rows of a few dozen floats.)
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
void copyRows(const float* __restrict src, float* __restrict dst, int n, int width, size_t stride) {
  for (int t = 0; t < n; ++t, dst += stride, src += width)
    for (int c = 0; c < width; ++c) dst[c] = src[c];
}

}  // namespace

int Dataset::defaultCacheLen(int obsSize, int batchSize, int seqLen, int targetElements) {
  return cacheLenWithin(1e5, obsSize, batchSize, seqLen, targetElements);
}

int Dataset::mnemoCacheLen(int obsSize, int batchSize, int seqLen, int targetElements) {
  const int raised = std::min(cacheLenWithin(3e5, obsSize, batchSize, seqLen, targetElements),
                              static_cast<int>(std::min<int64_t>(int64_t{6} * seqLen, INT32_MAX)));
  return std::max(defaultCacheLen(obsSize, batchSize, seqLen, targetElements), raised);
}

Dataset::Dataset(std::shared_ptr<const Task> task, const DatasetConfig& config)
    : task_(std::move(task)),
      batchSize_(config.batchSize),
      seqLen_(config.seqLen),
      cacheLen_(config.cacheLen),
      obsSize_(0),
      seed_(config.seed),
      keepInfo_(config.keepTrialInfo) {
  MNEMO_CHECK(task_, "Dataset needs a task");
  obsSize_ = task_->obsSize();
  targetSize_ = task_->targetSize();
  if (batchSize_ <= 0) MNEMO_FAIL("batch size must be positive, got " << batchSize_);
  if (seqLen_ <= 0) MNEMO_FAIL("sequence length must be positive, got " << seqLen_);
  if (cacheLen_ == 0) {
    const int targetElements = targetSize_ > 0 ? targetSize_ : 1;
    cacheLen_ = config.rngKind == RngKind::Numpy ? defaultCacheLen(obsSize_, batchSize_, seqLen_, targetElements)
                                                 : mnemoCacheLen(obsSize_, batchSize_, seqLen_, targetElements);
  }
  if (cacheLen_ < seqLen_)
    MNEMO_FAIL("cache length " << cacheLen_ << " is shorter than the sequence length " << seqLen_);
  checkMemoryBudget(static_cast<size_t>(cacheLen_) * static_cast<size_t>(batchSize_) * (obsSize_ * 4 + 8 + targetSize_ * 4),
                    "the " + task_->name() + " dataset cache (" + std::to_string(cacheLen_) + " steps x batch " +
                        std::to_string(batchSize_) + ")");
  rngs_.reserve(static_cast<size_t>(batchSize_));
  for (int i = 0; i < batchSize_; ++i) {
    rngs_.emplace_back(seed_ + static_cast<uint64_t>(i), config.rngKind);
    if (config.prepareColumn) config.prepareColumn(i, rngs_.back());
  }
  cacheInputs_.assign(static_cast<size_t>(cacheLen_) * batchSize_ * obsSize_, 0.0f);
  cacheLabels_.assign(static_cast<size_t>(cacheLen_) * batchSize_, 0);
  cacheTargets_.assign(static_cast<size_t>(cacheLen_) * batchSize_ * targetSize_, 0.0f);
  if (!task_->groupNames().empty()) cacheGroups_.assign(static_cast<size_t>(cacheLen_) * batchSize_, -1);
  records_.resize(static_cast<size_t>(batchSize_));
  recordCount_.assign(static_cast<size_t>(batchSize_), 0);
  refill();
}

void Dataset::refill() {
  const size_t rowIn = static_cast<size_t>(batchSize_) * obsSize_;
  // Every cache row gets one trial's row: zero them all at once, and the trials built in place
  // need not zero their rows one by one.
  std::memset(cacheInputs_.data(), 0, cacheInputs_.size() * sizeof(float));
  for (int col = 0; col < batchSize_; ++col) {
    Rng& rng = rngs_[static_cast<size_t>(col)];
    std::vector<Record>& records = records_[static_cast<size_t>(col)];
    size_t count = 0;
    int pos = 0;
    while (pos < cacheLen_) {
      // The trial's rows go straight into the cache unless it runs past the cache end.
      float* dst = cacheInputs_.data() + static_cast<size_t>(pos) * rowIn + static_cast<size_t>(col) * obsSize_;
      scratch_.rowTarget = dst;
      scratch_.rowTargetStride = rowIn;
      scratch_.rowTargetRows = cacheLen_ - pos;
      scratch_.rowTargetWidth = obsSize_;
      scratch_.rowTargetZeroed = true;
      task_->newTrial(rng, scratch_);
      if (scratch_.length() <= 0)
        MNEMO_FAIL(task_->name() << " produced an empty trial; check its timing (dt "
                                 << task_->dt() << " ms)");
      const int n = std::min(scratch_.length(), cacheLen_ - pos);
      if (!scratch_.builtInPlace) copyRows(scratch_.inputs.data(), dst, n, obsSize_, rowIn);
      int64_t* lab = cacheLabels_.data() + static_cast<size_t>(pos) * batchSize_ + col;
      for (int t = 0; t < n; ++t) lab[static_cast<size_t>(t) * batchSize_] = scratch_.labels[t];
      if (targetSize_ > 0) {
        const size_t k = static_cast<size_t>(targetSize_), row = static_cast<size_t>(batchSize_) * k;
        float* dstTarget = cacheTargets_.data() + static_cast<size_t>(pos) * row + static_cast<size_t>(col) * k;
        for (int t = 0; t < n; ++t)
          std::copy_n(scratch_.targets.data() + static_cast<size_t>(t) * k, k, dstTarget + static_cast<size_t>(t) * row);
      }
      if (!cacheGroups_.empty()) {
        int* group = cacheGroups_.data() + static_cast<size_t>(pos) * batchSize_ + col;
        for (int t = 0; t < n; ++t) group[static_cast<size_t>(t) * batchSize_] = scratch_.info.group;
      }
      if (keepInfo_) {
        if (count == records.size()) records.emplace_back();
        records[count].cacheStart = pos;
        records[count].info = scratch_.info;
        ++count;
      }
      pos += n;
    }
    recordCount_[static_cast<size_t>(col)] = count;
  }
  ++fills_;
}

void Dataset::next(float* inputs, int64_t* labels, float* targets) {
  if (start_ + seqLen_ >= cacheLen_) {
    refill();
    start_ = 0;
  }
  const size_t rowIn = static_cast<size_t>(batchSize_) * obsSize_;
  std::memcpy(inputs, cacheInputs_.data() + static_cast<size_t>(start_) * rowIn,
              sizeof(float) * rowIn * static_cast<size_t>(seqLen_));
  std::memcpy(labels, cacheLabels_.data() + static_cast<size_t>(start_) * batchSize_,
              sizeof(int64_t) * static_cast<size_t>(batchSize_) * static_cast<size_t>(seqLen_));
  if (targets && targetSize_ > 0) {
    const size_t row = static_cast<size_t>(batchSize_) * static_cast<size_t>(targetSize_);
    std::memcpy(targets, cacheTargets_.data() + static_cast<size_t>(start_) * row,
                sizeof(float) * row * static_cast<size_t>(seqLen_));
  }
  lastStart_ = start_;
  start_ += seqLen_;
  ++calls_;
}

void Dataset::next(Batch& batch) {
  batch.seqLen = seqLen_;
  batch.batchSize = batchSize_;
  batch.obsSize = obsSize_;
  batch.targetSize = targetSize_;
  batch.inputs.resize(static_cast<size_t>(seqLen_) * batchSize_ * obsSize_);
  batch.labels.resize(static_cast<size_t>(seqLen_) * batchSize_);
  batch.targets.resize(static_cast<size_t>(seqLen_) * batchSize_ * targetSize_);
  next(batch.inputs.data(), batch.labels.data(), batch.targets.data());
}

Batch Dataset::next() {
  Batch b;
  next(b);
  return b;
}

const int* Dataset::lastGroups() const {
  if (cacheGroups_.empty() || lastStart_ < 0) return nullptr;
  return cacheGroups_.data() + static_cast<size_t>(lastStart_) * batchSize_;
}

std::vector<ServedTrial> Dataset::lastBatchTrials() const {
  std::vector<ServedTrial> out;
  if (!keepInfo_ || lastStart_ < 0) return out;
  const int winEnd = lastStart_ + seqLen_;
  for (int col = 0; col < batchSize_; ++col) {
    const std::vector<Record>& records = records_[static_cast<size_t>(col)];
    for (size_t k = 0; k < recordCount_[static_cast<size_t>(col)]; ++k) {
      const Record& r = records[k];
      const int end = std::min(r.cacheStart + r.info.length, cacheLen_);
      if (r.cacheStart >= winEnd || end <= lastStart_) continue;
      ServedTrial s;
      s.column = col;
      s.offset = r.cacheStart - lastStart_;
      s.cacheStart = r.cacheStart;
      s.served = std::min(end, winEnd) - std::max(r.cacheStart, lastStart_);
      s.info = r.info;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace mnemo
