// mnemo train's --clip-grad-norm and --lr-schedule: the clip-grad-norm pass scales the gradients
// to the asked global norm (reference evaluator) and a clipped SGD step moves the params by
// exactly lr * max_norm; the schedules' learning rates by step, and their bad values; the run
// config keeps them.
#include <catch2/catch.hpp>

#include <cmath>

#include "cli_runner.h"

#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "training/lr_schedule.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "support/error.h"
#include "graph/passes/pass_manager.h"
#include "runtime/reference/evaluator.h"

using namespace mnemo;

namespace {

/// The global L2 norm of the gradients \p g marks, in the reference evaluator \p ev.
double globalNorm(const Graph& g, const ReferenceEvaluator& ev) {
  double sum = 0;
  for (const auto& entry : g.gradients())
    for (double x : ev.value(entry.second).data) sum += x * x;
  return std::sqrt(sum);
}

/// The notebook model at a small size, through the unfused training pipeline with \p clip.
std::unique_ptr<Graph> trainingGraph(double clip) {
  ModelOptions o;
  o.batch = 3, o.seqLen = 5;
  o.sizeOverrides["H"] = 8;
  Model m = loadNotebookModel(o);
  PassManager pm;
  PipelineOptions p;
  p.clipGradNorm = clip;
  buildPipeline("train-unfused", pm, p);
  pm.run(*m.graph);
  return std::move(m.graph);
}

}  // namespace

TEST_CASE("clip-grad-norm scales every gradient by one factor to the asked global norm", "[train][clip]") {
  auto plain = trainingGraph(0);
  ReferenceEvaluator ref(*plain);
  ref.bindRandom(3);
  ref.run(Stage::Bwd);
  const double norm = globalNorm(*plain, ref);
  REQUIRE(norm > 0.05);
  for (double clip : {norm / 10, norm * 10}) {
    auto g = trainingGraph(clip);
    REQUIRE(g->find("grad_scale"));
    ReferenceEvaluator ev(*g);
    ev.bindRandom(3);
    ev.run(Stage::Bwd);
    const double want = std::min(norm, clip);
    CHECK(globalNorm(*g, ev) == Approx(want * norm / (norm + 1e-6 * (clip < norm))).epsilon(1e-9));
    // The same direction: each clipped gradient is the plain one times the common factor.
    for (const auto& [param, grad] : g->gradients()) {
      const std::vector<double>& clipped = ev.value(grad).data;
      const std::vector<double>& raw = ref.value(plain->gradientOf(plain->find(param->name()))).data;
      for (size_t k = 0; k < raw.size(); ++k) REQUIRE(clipped[k] == Approx(raw[k] * want / norm).epsilon(1e-4).margin(1e-15));  // the 1e-6 in the scale
    }
  }
  CHECK_THROWS_WITH(trainingGraph(-1), Catch::Contains("maximum norm must be a positive number"));
}

TEST_CASE("a clipped SGD step moves the params by lr * max_norm in global norm", "[train][clip]") {
  RunConfig run;
  run.modelSource = notebookModelSource();
  run.modelFile = kNotebookModelFile;
  run.batch = 4, run.seqLen = 10, run.sizes["H"] = 8;
  run.optimizer = "sgd", run.momentum = 0, run.lr = 0.1, run.steps = 1, run.seed = 1;
  TrainOptions before;
  before.run = run;
  before.run.steps = 1, before.run.lr = 1e-30;  // the params at step 0 (a step of ~0)
  const std::vector<float> start = train(before).finalParams;
  run.clipGradNorm = 1e-3;
  TrainOptions o;
  o.run = run;
  const std::vector<float> after = train(o).finalParams;
  REQUIRE(after.size() == start.size());
  double moved = 0;
  for (size_t k = 0; k < after.size(); ++k) moved += (double(after[k]) - start[k]) * (double(after[k]) - start[k]);
  // f32 params near 1 lose about 1e-8 of each small change: a relative tolerance of 2%.
  CHECK(std::sqrt(moved) == Approx(0.1 * 1e-3).epsilon(0.02));
}

TEST_CASE("learning-rate schedules: step and cosine values by step, and bad settings", "[train][schedule]") {
  RunConfig run;
  run.lr = 0.01, run.steps = 1000;
  CHECK(learningRateAt(run, 1) == 0.01);
  CHECK(learningRateAt(run, 999) == 0.01);
  run.lrSchedule = "step", run.lrStepEvery = 100, run.lrGamma = 0.5;
  CHECK(learningRateAt(run, 1) == 0.01);
  CHECK(learningRateAt(run, 100) == 0.01);
  CHECK(learningRateAt(run, 101) == 0.005);
  CHECK(learningRateAt(run, 350) == Approx(0.00125));
  run.lrSchedule = "cosine", run.lrMin = 0.001;
  CHECK(learningRateAt(run, 1) == Approx(0.01));
  CHECK(learningRateAt(run, 501) == Approx(0.0055));   // half way: the mean of lr and lr_min
  CHECK(learningRateAt(run, 1001) == Approx(0.001));
  CHECK(learningRateAt(run, 5000) == Approx(0.001));  // past the period it stays at lr_min
  run.lrPeriod = 100;
  CHECK(learningRateAt(run, 51) == Approx(0.0055));
  CHECK_NOTHROW(checkLrSchedule(run));

  RunConfig bad = run;
  bad.lrSchedule = "linear";
  CHECK_THROWS_WITH(checkLrSchedule(bad), "--lr-schedule must be constant, step or cosine, got 'linear'");
  bad = run, bad.lrGamma = 0;
  CHECK_THROWS_WITH(checkLrSchedule(bad), "--lr-gamma must be in (0, 1], got 0");
  bad = run, bad.lrMin = 1;
  CHECK_THROWS_WITH(checkLrSchedule(bad), Catch::Contains("--lr-min must be in [0, lr = 0.01], got 1"));
  bad = run, bad.lrStepEvery = 0;
  CHECK_THROWS_WITH(checkLrSchedule(bad), "--lr-step-every must be at least 1, got 0");

  TrainOptions o;
  o.run.modelSource = notebookModelSource();
  o.run.modelFile = kNotebookModelFile;
  o.run.clipGradNorm = -2;
  CHECK_THROWS_WITH(train(o), Catch::Contains("--clip-grad-norm must be a positive number"));
}

TEST_CASE("the run config keeps the clipping and schedule settings", "[train][schedule]") {
  RunConfig run;
  run.clipGradNorm = 2.5, run.lrSchedule = "step", run.lrStepEvery = 300, run.lrGamma = 0.25;
  RunConfig back = RunConfig::fromJson(run.toJson(), "test");
  CHECK(back.clipGradNorm == 2.5);
  CHECK(back.lrSchedule == "step");
  CHECK(back.lrStepEvery == 300);
  CHECK(back.lrGamma == 0.25);
  RunConfig plain;
  CHECK(plain.toJson().find("clip") == std::string::npos);  // a default run's config is as before
  CHECK(RunConfig::fromJson(plain.toJson(), "test").lrSchedule == "constant");
}

TEST_CASE("cli: mnemo train takes --clip-grad-norm and --lr-schedule, keeps them and refuses bad values", "[train][cli]") {
  testing::TempDir dir("schedule");
  const std::vector<std::string> tiny = {"train", "--no-progress", "--hidden", "8", "--seq-len", "10", "--batch", "4",
                                         "--steps", "4"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = tiny;
    args.insert(args.end(), more.begin(), more.end());
    return testing::runMnemo(args);
  };
  testing::CliResult ok = with({"--clip-grad-norm", "0.5", "--lr-schedule", "cosine", "--lr-min", "1e-4", "--out",
                                dir / "run"});
  INFO(ok.err);
  REQUIRE(ok.code == 0);
  const RunConfig kept = loadCheckpoint(dir / "run/checkpoint.npz").config;
  CHECK(kept.clipGradNorm == 0.5);
  CHECK(kept.lrSchedule == "cosine");
  CHECK(kept.lrMin == 1e-4);
  testing::CliResult bad = with({"--lr-schedule", "linear", "--out", dir / "bad"});
  CHECK(bad.code != 0);
  CHECK(bad.err.find("--lr-schedule must be constant, step or cosine, got 'linear'") != std::string::npos);
  testing::CliResult negative = with({"--clip-grad-norm", "-1", "--out", dir / "bad"});
  CHECK(negative.code != 0);
  CHECK(negative.err.find("--clip-grad-norm must be a positive number") != std::string::npos);
}
