#include "training/batch_source.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "support/error.h"
#include "support/limits.h"
#include "io/npz.h"
#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"
#include "tasks/registry.h"

namespace mnemo {

namespace {

class TaskBatches : public BatchSource {
 public:
  TaskBatches(std::shared_ptr<const Task> task, const DatasetConfig& cfg)
      : dataset_(task, cfg), seed_(cfg.seed), rng_(cfg.rngKind) {}
  void next(float* inputs, int64_t* labels) override {
    targets_.resize(static_cast<size_t>(dataset_.seqLen()) * dataset_.batchSize() * dataset_.targetSize());
    dataset_.next(inputs, labels, targets_.data());
    // A label past the task's actions would index past the logits: neurogym's Reaching1D tasks
    // write angles into their labels.
    const int64_t actions = dataset_.task().actionSize();
    const size_t n = static_cast<size_t>(dataset_.seqLen()) * static_cast<size_t>(dataset_.batchSize());
    for (size_t i = 0; i < n; ++i)
      if (labels[i] < 0 || labels[i] >= actions)
        MNEMO_FAIL("task " << dataset_.task().name() << " produced label " << labels[i] << " (t "
                           << i / static_cast<size_t>(dataset_.batchSize()) << ", b "
                           << i % static_cast<size_t>(dataset_.batchSize()) << "), outside its " << actions
                           << " actions; its labels are not classes and it cannot be trained with cross-entropy");
  }
  std::vector<std::string> groupNames() const override { return dataset_.task().groupNames(); }
  const int* lastGroups() const override { return dataset_.lastGroups(); }
  int targetSize() const override { return dataset_.targetSize(); }
  const float* lastTargets() const override { return targets_.empty() ? nullptr : targets_.data(); }
  std::string describe() const override {
    std::ostringstream s;  // dt as the task has it: 100, or SpatialSuppressMotion's 8.3
    s << dataset_.task().name() << " (dt " << dataset_.task().dt() << " ms, seed " << seed_
      << (rng_ == RngKind::Numpy ? ", numpy generator" : "") << ")";
    return s.str();
  }

 private:
  Dataset dataset_;
  uint64_t seed_;
  RngKind rng_;
  std::vector<float> targets_;  // [T,B,k] of the last batch, continuous targets only
};

class FileBatches : public BatchSource {
 public:
  FileBatches(std::string path, std::vector<float> inputs, std::vector<int64_t> labels, int64_t count, size_t inSize,
              size_t labelSize)
      : path_(std::move(path)), inputs_(std::move(inputs)), labels_(std::move(labels)), count_(count),
        inSize_(inSize), labelSize_(labelSize) {}
  void next(float* inputs, int64_t* labels) override {
    std::copy_n(inputs_.data() + at_ * inSize_, inSize_, inputs);
    std::copy_n(labels_.data() + at_ * labelSize_, labelSize_, labels);
    at_ = (at_ + 1) % count_;
  }
  std::string describe() const override { return std::to_string(count_) + " batches from " + path_ + " (cycled)"; }

 private:
  std::string path_;
  std::vector<float> inputs_;
  std::vector<int64_t> labels_;
  int64_t count_, at_ = 0;
  size_t inSize_, labelSize_;
};

}  // namespace

std::shared_ptr<const Task> runTask(const RunConfig& run, bool quiet) {
  TaskConfig taskConfig = run.task == "DelayComparison-v0" ? notebookConfig() : TaskConfig{};
  if (quiet) taskConfig.warn = [](const std::string&) {};
  return makeTask(run.task, taskConfig);
}

void bindTaskSizes(RunConfig& run, const Model& declared, const Task& task) {
  for (const auto& [size, value] : {std::pair<std::string, int64_t>{"I", task.obsSize()}, {"O", task.actionSize()}}) {
    auto it = declared.sizes.find(size);
    if (it != declared.sizes.end() && !run.sizes.count(size) && it->second != value) run.sizes[size] = value;
  }
}

namespace {

/// Why \p model's size \p size (the last dimension of \p what) differs from the task's \p value.
std::string sizeReason(const RunConfig& run, const Model& model, const std::string& size, int64_t value,
                       const std::string& what) {
  auto it = model.sizes.find(size);
  if (it == model.sizes.end())
    return "the model declares no size " + size + " for the task to bind (declare 'size " + size +
           " = ...' and use it as " + what + "'s last dimension)";
  if (it->second == value) return what + "'s last dimension is not the model's size " + size;
  return "size " + size + " = " + std::to_string(it->second) + " is set by the run (--size " + size + "=" +
         std::to_string(run.sizes.count(size) ? run.sizes.at(size) : it->second) +
         ", or the config of the checkpoint resumed); drop it to let the task bind " + size;
}

}  // namespace

void checkTaskSizes(const RunConfig& run, const Model& model, const Task& task) {
  const Dims& in = model.graph->find(model.input)->dims();
  if (in.empty() || in.back() != task.obsSize())
    MNEMO_FAIL("task " << task.name() << " has " << task.obsSize() << " input channels but the model's input '"
                       << model.input << "' is " << model.graph->find(model.input)->type().str() << ": "
                       << sizeReason(run, model, "I", task.obsSize(), "input '" + model.input + "'"));
  const Node* logits = model.graph->find("logits");
  if (logits->dims().empty() || logits->dims().back() != task.actionSize())
    MNEMO_FAIL("task " << task.name() << " has " << task.actionSize() << " actions but the model's output '" << model.logits
                       << "' is " << logits->type().str() << ": " << sizeReason(run, model, "O", task.actionSize(), "output '" + model.logits + "'"));
}

bool checkTargetKind(const Node& target, const BatchSource& batches, const std::string& task) {
  const int k = batches.targetSize();
  if (target.type().dtype == DType::F32) {
    if (k == 0)
      MNEMO_FAIL("the model's target '" << target.name() << "' is " << target.type().str() << " (continuous) but "
                                        << task << " has class labels; declare it i64[T, B]");
    if (target.dims().size() != 3 || target.dims().back() != k)
      MNEMO_FAIL("the model's target '" << target.name() << "' is " << target.type().str() << " but " << task
                                        << " has " << k << " continuous target values per step; declare it f32[T, B, "
                                        << k << "]");
    return true;
  }
  if (k > 0)
    MNEMO_FAIL("the model's target '" << target.name() << "' is " << target.type().str() << " but " << task
                                      << " has continuous targets (" << k << " per step): declare it f32[T, B, " << k
                                      << "] and train with mse (see examples/reaching_mse.mnemo)");
  return false;
}

std::unique_ptr<BatchSource> taskBatches(const RunConfig& run, int64_t inputs) {
  std::shared_ptr<const Task> task = runTask(run);
  if (task->obsSize() != inputs)
    MNEMO_FAIL("task " << run.task << " has " << task->obsSize() << " input channels, the model's input has " << inputs);
  checkCount(run.batch, limits::kMaxDimension, "the batch size");
  checkCount(run.seqLen, limits::kMaxSequenceLength, "the sequence length");
  DatasetConfig cfg;
  cfg.batchSize = static_cast<int>(run.batch);
  cfg.seqLen = static_cast<int>(run.seqLen);
  cfg.seed = run.seed;
  cfg.rngKind = parseRngKind(run.rng);
  cfg.keepTrialInfo = false;
  cfg.prepareColumn = neurogymDatasetPreparation(*task, cfg.rngKind, cfg.batchSize, cfg.seqLen);
  return std::make_unique<TaskBatches>(task, cfg);
}

std::unique_ptr<BatchSource> fileBatches(const std::string& path, int64_t seqLen, int64_t batch, int64_t inputs,
                                         int64_t classes) {
  if (!std::filesystem::exists(path)) MNEMO_FAIL("--data " << path << ": no such file");
  NpzArchive npz = readNpz(path);
  if (!npz.has("inputs") || !npz.has("labels")) MNEMO_FAIL("--data " << path << ": needs arrays 'inputs' and 'labels'");
  const NpyArray& x = npz.get("inputs");
  const NpyArray& y = npz.get("labels");
  auto wanted = "[N," + std::to_string(seqLen) + "," + std::to_string(batch) + "," + std::to_string(inputs) + "]";
  if (x.dtype != NpyType::Float32 || x.shape.size() != 4 || x.shape[1] != seqLen || x.shape[2] != batch || x.shape[3] != inputs)
    MNEMO_FAIL("--data " << path << ": inputs are " << npyTypeName(x.dtype) << shapeString(x.shape) << ", the model wants float32"
                         << wanted << " (set --seq-len/--batch to match the file)");
  if (x.shape[0] < 1) MNEMO_FAIL("--data " << path << ": holds no batches");
  if (y.shape != std::vector<int64_t>{x.shape[0], seqLen, batch})
    MNEMO_FAIL("--data " << path << ": labels are " << shapeString(y.shape) << ", expected " << shapeString({x.shape[0], seqLen, batch}));
  std::vector<int64_t> labels;
  if (y.dtype == NpyType::Int64) labels = y.values<int64_t>();
  else if (y.dtype == NpyType::Int32) for (int32_t v : y.values<int32_t>()) labels.push_back(v);
  else MNEMO_FAIL("--data " << path << ": labels must be int64 or int32, got " << npyTypeName(y.dtype));
  for (size_t i = 0; classes > 0 && i < labels.size(); ++i) {
    if (labels[i] >= 0 && labels[i] < classes) continue;
    const int64_t perBatch = seqLen * batch, at = static_cast<int64_t>(i) % perBatch;
    MNEMO_FAIL("--data " << path << ": label " << labels[i] << " (batch " << static_cast<int64_t>(i) / perBatch
                         << ", t " << at / batch << ", b " << at % batch << ") is not a class of the model, [0,"
                         << classes << ")");
  }
  std::vector<float> inputValues = x.values<float>();
  for (size_t i = 0; i < inputValues.size(); ++i) {
    if (std::isfinite(inputValues[i])) continue;
    const int64_t perBatch = seqLen * batch * inputs, at = static_cast<int64_t>(i) % perBatch;
    MNEMO_FAIL("--data " << path << ": input " << inputValues[i] << " (batch " << static_cast<int64_t>(i) / perBatch
                         << ", t " << at / (batch * inputs) << ", b " << at / inputs % batch << ", channel "
                         << at % inputs << ") is not a finite number");
  }
  return std::make_unique<FileBatches>(path, std::move(inputValues), std::move(labels), x.shape[0],
                                       static_cast<size_t>(seqLen * batch * inputs), static_cast<size_t>(seqLen * batch));
}

}  // namespace mnemo
