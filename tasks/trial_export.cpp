// exportTrials / exportBatches (see trial_export.h).
#include "tasks/trial_export.h"

#include <algorithm>
#include <cmath>

#include "support/error.h"
#include "support/limits.h"

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
  const int k = task.targetSize();
  std::vector<int64_t> labels(static_cast<size_t>(n) * tmax, -1);
  std::vector<float> targets(static_cast<size_t>(n) * tmax * k, std::nanf(""));
  InfoColumns info(task);
  for (int64_t i = 0; i < n; ++i) {
    const Trial& t = trials[static_cast<size_t>(i)];
    std::copy(t.inputs.begin(), t.inputs.end(),
              inputs.begin() + static_cast<std::ptrdiff_t>(i * tmax * obs));
    std::copy(t.labels.begin(), t.labels.end(),
              labels.begin() + static_cast<std::ptrdiff_t>(i * tmax));
    std::copy(t.targets.begin(), t.targets.end(), targets.begin() + static_cast<std::ptrdiff_t>(i * tmax * k));
    info.add(t.info);
  }
  NpzArchive out;
  out.add("inputs", NpyArray::from({n, tmax, obs}, inputs));
  if (k > 0) out.add("labels", NpyArray::from({n, tmax, static_cast<int64_t>(k)}, targets));
  else out.add("labels", NpyArray::from({n, tmax}, labels));
  info.store(out, "");
  out.add("dt", NpyArray::scalar(task.dt()));
  out.add("seed", NpyArray::scalar(static_cast<int64_t>(seed)));
  return out;
}

namespace {

/// The heap a drawn trial keeps: its rows, labels and metadata (names included), each allocation
/// with the allocator's 16 bytes of bookkeeping.
size_t heldBytes(const Trial& t) {
  auto vectorBytes = [](const auto& v) { return v.capacity() * sizeof(v[0]) + 16; };
  size_t bytes = sizeof(Trial) + vectorBytes(t.inputs) + vectorBytes(t.labels) + vectorBytes(t.targets) +
                 vectorBytes(t.periodSlots) + vectorBytes(t.rowScratch) + vectorBytes(t.noiseScratch) +
                 vectorBytes(t.info.periods) + vectorBytes(t.info.params);
  for (const PeriodSpan& p : t.info.periods) bytes += p.name.capacity() + 1;
  for (const TrialParam& p : t.info.params) bytes += p.name.capacity() + p.text.capacity() + 2;
  return bytes;
}

/// A row of the trial table (index, length, the task's params and its periods' starts and ends).
double trialRowBytes(const Task& task) {
  return 16.0 + 8.0 * static_cast<double>(task.paramNames().size()) + 16.0 * static_cast<double>(task.periodNames().size());
}

/// What an export of \p steps padded steps of \p obs inputs and \p targets targets each, and of
/// \p rows trial-table rows of \p rowBytes, holds at its peak:
///  - making the arrays fills inputs, labels and targets for every step (all three, whichever the
///    archive keeps) and the table's columns (grown by doubling: up to 3 times their size while
///    one moves), then copies what it keeps into the archive;
///  - writeNpz then holds the archive, each member encoded, libzip's image of the file and the
///    file's bytes: the archive four times.
double exportPeakBytes(double steps, double obs, double targets, double rows, double rowBytes) {
  const double stepBytes = obs * 4 + 8 + targets * 4;
  const double archiveStepBytes = obs * 4 + (targets > 0 ? targets * 4 : 8.0);
  const double archive = steps * archiveStepBytes + rows * rowBytes;
  return std::max(steps * stepBytes + 3 * rows * rowBytes + archive, 4 * archive);
}

}  // namespace

std::vector<Trial> drawTrialsForExport(const Task& task, Rng& rng, int64_t count, const std::string& what) {
  const size_t limit = memoryLimitBytes();
  // Exporting N trials padded to S steps each holds N x S steps and N table rows at its peak
  // (exportPeakBytes), besides the trials, which stay alive throughout in a vector of fewer than 2N
  // slots.
  std::vector<Trial> trials;
  double held = 0;
  int longest = 0;
  const double all = static_cast<double>(count);
  for (int64_t i = 0; i < count; ++i) {
    trials.emplace_back();
    task.newTrial(rng, trials.back());
    held += static_cast<double>(heldBytes(trials.back()));
    longest = std::max(longest, trials.back().length());
    const double projected = held / static_cast<double>(i + 1) * all + all * sizeof(Trial) +
                             exportPeakBytes(all * longest, task.obsSize(), task.targetSize(), all, trialRowBytes(task));
    if (projected > static_cast<double>(limit))
      checkMemoryBudget(static_cast<size_t>(std::min(projected, 1e18)),
                        what + ": " + std::to_string(count) + " trials of " + task.name() + " and their export");
  }
  return trials;
}

NpzArchive exportBatches(Dataset& dataset, int count) {
  if (count <= 0) MNEMO_FAIL("number of batches must be positive, got " << count);
  const Task& task = dataset.task();
  const int64_t n = count, T = dataset.seqLen(), B = dataset.batchSize(), obs = dataset.obsSize();
  const int64_t k = dataset.targetSize();
  // As for exported trials (exportPeakBytes). The table has a row per served trial (four more
  // int64 columns: batch, column, offset, served), known only as the batches are made: it is
  // projected from those made so far. In double, as the products can pass 2^64.
  const double steps = static_cast<double>(n) * static_cast<double>(T) * static_cast<double>(B);
  const double rowBytes = 4 * 8 + trialRowBytes(task);
  const std::string what = std::to_string(count) + " batches [T=" + std::to_string(T) + ", B=" + std::to_string(B) +
                           "] of " + task.name();
  auto checkBudget = [&](double rows) {
    const double bytes = exportPeakBytes(steps, static_cast<double>(obs), static_cast<double>(k), rows, rowBytes);
    checkMemoryBudget(static_cast<size_t>(std::min(bytes, 1e18)), what);
  };
  checkBudget(0);
  std::vector<float> inputs(static_cast<size_t>(n * T * B * obs));
  std::vector<int64_t> labels(static_cast<size_t>(n * T * B));
  std::vector<float> targets(static_cast<size_t>(n * T * B * k));
  std::vector<int64_t> batchIdx, column, offset, served;
  InfoColumns info(task);
  for (int64_t i = 0; i < n; ++i) {
    dataset.next(inputs.data() + i * T * B * obs, labels.data() + i * T * B, targets.data() + i * T * B * k);
    for (const ServedTrial& s : dataset.lastBatchTrials()) {
      batchIdx.push_back(i);
      column.push_back(s.column);
      offset.push_back(s.offset);
      served.push_back(s.served);
      info.add(s.info);
    }
    checkBudget(static_cast<double>(batchIdx.size()) / static_cast<double>(i + 1) * static_cast<double>(n));
  }
  NpzArchive out;
  out.add("inputs", NpyArray::from({n, T, B, obs}, inputs));
  if (k > 0) out.add("labels", NpyArray::from({n, T, B, k}, targets));
  else out.add("labels", NpyArray::from({n, T, B}, labels));
  const int64_t rows = static_cast<int64_t>(batchIdx.size());
  out.add("trial_batch", NpyArray::from({rows}, batchIdx));
  out.add("trial_column", NpyArray::from({rows}, column));
  out.add("trial_offset", NpyArray::from({rows}, offset));
  out.add("trial_served", NpyArray::from({rows}, served));
  info.store(out, "trial_");
  out.add("dt", NpyArray::scalar(task.dt()));
  out.add("seed", NpyArray::scalar(static_cast<int64_t>(dataset.seed())));
  out.add("cache_len", NpyArray::scalar(static_cast<int64_t>(dataset.cacheLen())));
  return out;
}

}  // namespace mnemo
