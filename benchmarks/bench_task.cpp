// Benchmarks of task data generation: one DelayComparison-v0 trial, and one Dataset batch
// (B = 16, T = 100, notebook config) with cache refills amortised — the per-step data cost of
// `mnemo train`, which must stay well under 5% of a ~2 ms training step.
#include <benchmark/benchmark.h>

#include <memory>

#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"

namespace {

std::shared_ptr<const mnemo::Task> notebookTask() {
  mnemo::TaskConfig c = mnemo::notebookConfig();
  c.warn = [](const std::string&) {};
  return std::make_shared<mnemo::DelayComparison>(c);
}

void BM_DelayComparisonTrial(benchmark::State& state) {
  auto task = notebookTask();
  mnemo::Rng rng(1);
  mnemo::Trial trial;
  for (auto _ : state) {
    task->newTrial(rng, trial);
    benchmark::DoNotOptimize(trial.inputs.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DelayComparisonTrial);

// One training batch; every 21st call refills the 2100-step cache, so the mean over many
// iterations is the amortised cost. Arg: 1 = keep per-trial metadata (the default), 0 = not.
void BM_DatasetBatch(benchmark::State& state) {
  mnemo::DatasetConfig config;
  config.seed = 1;
  config.keepTrialInfo = state.range(0) != 0;
  mnemo::Dataset dataset(notebookTask(), config);
  mnemo::Batch batch;
  dataset.next(batch);
  for (auto _ : state) {
    dataset.next(batch);
    benchmark::DoNotOptimize(batch.inputs.data());
    benchmark::DoNotOptimize(batch.labels.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["fills"] = static_cast<double>(dataset.fills());
}
BENCHMARK(BM_DatasetBatch)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

}  // namespace
