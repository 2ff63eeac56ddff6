// Background prefetch of training batches (see batch_prefetch.h).
#include "training/batch_prefetch.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mnemo {

namespace {

/// One batch as the wrapped source gave it: inputs, labels, and its groups and continuous targets
/// when the source has them.
struct MadeBatch {
  std::vector<float> inputs;
  std::vector<int64_t> labels;
  std::vector<int> groups;
  std::vector<float> targets;
};

class PrefetchedBatches : public BatchSource {
 public:
  PrefetchedBatches(std::unique_ptr<BatchSource> source, size_t inputCount, size_t labelCount)
      : source_(std::move(source)),
        inputCount_(inputCount),
        labelCount_(labelCount),
        describe_(source_->describe()),
        groupNames_(source_->groupNames()),
        targetSize_(source_->targetSize()) {
    producer_ = std::thread([this] { produce(); });
  }
  ~PrefetchedBatches() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    producer_.join();
  }

  void next(float* inputs, int64_t* labels) override {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return ready_ || failure_; });
      if (!ready_) std::rethrow_exception(failure_);
      std::swap(served_, slot_);
      ready_ = false;
    }
    changed_.notify_all();
    std::copy(served_.inputs.begin(), served_.inputs.end(), inputs);
    std::copy(served_.labels.begin(), served_.labels.end(), labels);
  }
  std::string describe() const override { return describe_; }
  std::vector<std::string> groupNames() const override { return groupNames_; }
  const int* lastGroups() const override { return served_.groups.empty() ? nullptr : served_.groups.data(); }
  int targetSize() const override { return targetSize_; }
  const float* lastTargets() const override { return served_.targets.empty() ? nullptr : served_.targets.data(); }

 private:
  /// The producer thread: makes a batch, waits for the slot to be free, hands the batch over.
  void produce() {
    MadeBatch made;
    try {
      while (true) {
        made.inputs.resize(inputCount_);  // after the first rounds: buffers the consumer gave back
        made.labels.resize(labelCount_);
        source_->next(made.inputs.data(), made.labels.data());
        keep(source_->lastGroups(), labelCount_, made.groups);
        keep(source_->lastTargets(), labelCount_ * static_cast<size_t>(targetSize_), made.targets);
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !ready_; });
        if (stop_) return;
        std::swap(made, slot_);
        ready_ = true;
        lock.unlock();
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = std::current_exception();
      changed_.notify_all();
    }
  }

  template <typename T>
  static void keep(const T* values, size_t count, std::vector<T>& into) {
    if (values) into.assign(values, values + count);
    else into.clear();
  }

  std::unique_ptr<BatchSource> source_;  // the producer's alone once it runs
  const size_t inputCount_, labelCount_;
  const std::string describe_;
  const std::vector<std::string> groupNames_;
  const int targetSize_;
  std::mutex mutex_;
  std::condition_variable changed_;
  MadeBatch slot_;     // the batch made ahead (ready_), guarded by mutex_
  bool ready_ = false, stop_ = false;
  std::exception_ptr failure_;
  MadeBatch served_;   // the consumer's: the batch its last next() returned
  std::thread producer_;
};

}  // namespace

bool prefetchHelps(int stepThreads) {
  return static_cast<int64_t>(std::thread::hardware_concurrency()) > std::max(stepThreads, 1);
}

std::unique_ptr<BatchSource> prefetchBatches(std::unique_ptr<BatchSource> source, size_t inputsPerBatch,
                                             size_t labelsPerBatch) {
  return std::make_unique<PrefetchedBatches>(std::move(source), inputsPerBatch, labelsPerBatch);
}

}  // namespace mnemo
