// exportTrials / exportBatches (see trial_export.h).
#include "tasks/trial_export.h"

#include <algorithm>

#include "support/error.h"

namespace mnemo {

namespace {

// Per-trial metadata columns, appended one trial at a time.
struct InfoColumns {
  explicit InfoColumns(const Task& task) : task_(task) {
    params.resize(task.paramNames().size());
    periods.resize(task.periodNames().size());
  }
  void add(const TrialInfo& info) {
    lengths.push_back(info.length);
    groundTruth.push_back(info.groundTruth);
    for (size_t i = 0; i < params.size(); ++i)
      params[i].push_back(info.param(task_.paramNames()[i]));
    for (size_t i = 0; i < periods.size(); ++i) {
      const PeriodSpan* p = info.findPeriod(task_.periodNames()[i]);
      periods[i].push_back(p ? p->start : -1);
      periods[i].push_back(p ? p->end : -1);
    }
  }
  void store(NpzArchive& out, const std::string& prefix) const {
    const int64_t n = static_cast<int64_t>(lengths.size());
    out.add(prefix + (prefix.empty() ? "lengths" : "length"), NpyArray::from({n}, lengths));
    out.add(prefix + "ground_truth", NpyArray::from({n}, groundTruth));
    for (size_t i = 0; i < params.size(); ++i)
      out.add(prefix + task_.paramNames()[i], NpyArray::from({n}, params[i]));
    for (size_t i = 0; i < periods.size(); ++i)
      out.add(prefix + "period_" + task_.periodNames()[i], NpyArray::from({n, 2}, periods[i]));
  }

  const Task& task_;
  std::vector<int64_t> lengths, groundTruth;
  std::vector<std::vector<double>> params;
  std::vector<std::vector<int64_t>> periods;
};

}  // namespace

NpzArchive exportTrials(const Task& task, const std::vector<Trial>& trials, uint64_t seed) {
  const int64_t n = static_cast<int64_t>(trials.size());
  const int obs = task.obsSize();
  int tmax = 0;
  for (const Trial& t : trials) tmax = std::max(tmax, t.length());
  std::vector<float> inputs(static_cast<size_t>(n) * tmax * obs, 0.0f);
  std::vector<int64_t> labels(static_cast<size_t>(n) * tmax, -1);
  InfoColumns info(task);
  for (int64_t i = 0; i < n; ++i) {
    const Trial& t = trials[static_cast<size_t>(i)];
    std::copy(t.inputs.begin(), t.inputs.end(),
              inputs.begin() + static_cast<std::ptrdiff_t>(i * tmax * obs));
    std::copy(t.labels.begin(), t.labels.end(),
              labels.begin() + static_cast<std::ptrdiff_t>(i * tmax));
    info.add(t.info);
  }
  NpzArchive out;
  out.add("inputs", NpyArray::from({n, tmax, obs}, inputs));
  out.add("labels", NpyArray::from({n, tmax}, labels));
  info.store(out, "");
  out.add("dt", NpyArray::scalar(task.dt()));
  out.add("seed", NpyArray::scalar(static_cast<int64_t>(seed)));
  return out;
}

NpzArchive exportBatches(Dataset& dataset, int count) {
  if (count <= 0) MNEMO_FAIL("number of batches must be positive, got " << count);
  const Task& task = dataset.task();
  const int64_t n = count, T = dataset.seqLen(), B = dataset.batchSize(), obs = dataset.obsSize();
  std::vector<float> inputs(static_cast<size_t>(n * T * B * obs));
  std::vector<int64_t> labels(static_cast<size_t>(n * T * B));
  std::vector<int64_t> batchIdx, column, offset, served;
  InfoColumns info(task);
  for (int64_t i = 0; i < n; ++i) {
    dataset.next(inputs.data() + i * T * B * obs, labels.data() + i * T * B);
    for (const ServedTrial& s : dataset.lastBatchTrials()) {
      batchIdx.push_back(i);
      column.push_back(s.column);
      offset.push_back(s.offset);
      served.push_back(s.served);
      info.add(s.info);
    }
  }
  NpzArchive out;
  out.add("inputs", NpyArray::from({n, T, B, obs}, inputs));
  out.add("labels", NpyArray::from({n, T, B}, labels));
  const int64_t k = static_cast<int64_t>(batchIdx.size());
  out.add("trial_batch", NpyArray::from({k}, batchIdx));
  out.add("trial_column", NpyArray::from({k}, column));
  out.add("trial_offset", NpyArray::from({k}, offset));
  out.add("trial_served", NpyArray::from({k}, served));
  info.store(out, "trial_");
  out.add("dt", NpyArray::scalar(task.dt()));
  out.add("seed", NpyArray::scalar(static_cast<int64_t>(dataset.seed())));
  out.add("cache_len", NpyArray::scalar(static_cast<int64_t>(dataset.cacheLen())));
  return out;
}

}  // namespace mnemo
