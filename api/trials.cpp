// api::runTrials: the analysis of `mnemo analyze` (single trials, PCA) returned as arrays.
#include "api/convert.h"
#include "analysis/export.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "support/error.h"
#include "mnemo/trials.h"

namespace mnemo::api {

const Array& Trials::operator[](const std::string& name) const {
  for (const auto& [n, a] : arrays)
    if (n == name) return a;
  MNEMO_FAIL("trials: no array '" << name << "'");
}

Trials runTrials(const TrainedModel& model, int64_t count, uint64_t seed, const std::string& state) {
  if (count < 1 || count > 1000000) MNEMO_FAIL("trials: count must be between 1 and 1000000, got " << count);
  const Checkpoint& ckpt = model.checkpoint();
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  CompileCache cache(ckpt, "the trained model", {}, true, state);
  AnalysisRun run = mnemo::runTrials(cache, *task, static_cast<int>(count), seed);
  const int64_t S = run.totalSteps();
  if (S < 2) MNEMO_FAIL("trials: PCA needs at least two time points; run more trials");
  const std::vector<float> activity = run.concatenatedHidden();
  Pca pca = fitPca(activity.data(), static_cast<size_t>(S), static_cast<size_t>(run.hiddenSize), 2);
  NpzArchive archive = exportAnalysis(run, pca, pca.transform(activity.data(), static_cast<size_t>(S)));
  Trials out;
  out.accuracy = run.decisionAccuracy();
  for (const std::string& name : archive.names()) out.arrays.emplace_back(name, toArray(NpyArray(archive.get(name))));
  return out;
}

}  // namespace mnemo::api
