// `mnemo analyze` pieces on tasks other than the notebook's: the .npz export of a task whose
// trials lack a period now and then (PostDecisionWager's pre_sure exists on wager trials only)
// marks the missing period -1, -1 instead of failing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "analysis/export.h"
#include "analysis/pca.h"
#include "analysis/runner.h"
#include "training/checkpoint.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"

using namespace mnemo;
namespace fs = std::filesystem;

TEST_CASE("analysis export of a task with an optional period marks it missing with -1", "[analyze][tasks]") {
  const fs::path dir = fs::temp_directory_path() / ("mnemo_analyze_tasks_" + std::to_string(::getpid()));
  TrainOptions o;
  o.run.modelFile = kNotebookModelFile;
  o.run.modelSource = notebookModelSource();
  o.run.task = "PostDecisionWager-v0";
  o.run.steps = 3;
  o.outDir = dir.string();
  o.overwrite = true;  // a run left by an earlier process of the same pid is scratch
  train(o);
  const Checkpoint ckpt = loadCheckpoint((dir / "checkpoint.npz").string());
  CompileCache cache(ckpt, "pdw.npz");
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  AnalysisRun run = runTrials(cache, *task, 30, 3);
  const std::vector<float> act = run.concatenatedHidden();
  const size_t S = static_cast<size_t>(run.totalSteps());
  Pca pca = fitPca(act.data(), S, static_cast<size_t>(run.hiddenSize), 2);
  const NpzArchive out = exportAnalysis(run, pca, pca.transform(act.data(), S));
  const std::vector<int64_t> preSure = out.get("period_pre_sure", NpyType::Int64, {30, 2}).values<int64_t>();
  int with = 0, without = 0;
  for (size_t i = 0; i < run.trials.size(); ++i) {
    const PeriodSpan* p = run.trials[i].trial.info.findPeriod("pre_sure");
    INFO("trial " << i);
    CHECK(preSure[2 * i] == (p ? p->start : -1));
    CHECK(preSure[2 * i + 1] == (p ? p->end : -1));
    (p ? with : without) += 1;
  }
  CHECK(with > 0);     // both kinds of trial occur in 30 (half are wager trials)
  CHECK(without > 0);
  fs::remove_all(dir);
}
