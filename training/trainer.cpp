#include "training/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <ostream>

#include "training/batch_prefetch.h"
#include "training/batch_source.h"
#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "training/data_parallel.h"
#include "frontend/init.h"
#include "training/input_feeds.h"
#include "training/lr_schedule.h"
#include "training/training_report.h"
#include "support/error.h"
#include "support/limits.h"
#include "tasks/task.h"

namespace mnemo {

double decisionAccuracy(const float* logits, const int64_t* labels, size_t positions, size_t classes) {
  size_t counted = 0, correct = 0;
  for (size_t i = 0; i < positions; ++i) {
    if (labels[i] <= 0) continue;
    const float* z = logits + i * classes;
    size_t best = 0;
    for (size_t c = 1; c < classes; ++c)
      if (z[c] > z[best]) best = c;
    ++counted;
    correct += static_cast<int64_t>(best) == labels[i];
  }
  return counted ? static_cast<double>(correct) / static_cast<double>(counted) : std::nan("");
}

namespace {

/// The values a checkpoint holds for \p leaf: a param's, or an optimizer state's.
std::map<std::string, StoredTensor>& storedFor(Checkpoint& ckpt, const Node* leaf) {
  return leaf->kind() == OpKind::Param ? ckpt.params : ckpt.state;
}

/// The leaves a checkpoint holds, whatever the optimizer: the trained params and the optimizer's
/// state.
std::vector<Node*> checkpointed(const Model& model) { return model.graph->persistentLeaves(); }

/// Restores params, optimizer state and the step from \p ckpt, checking every shape.
void restore(Session& s, const Model& model, Checkpoint& ckpt, const std::string& path) {
  for (const Node* n : checkpointed(model))
    s.setF32(n->name(), storedValues(storedFor(ckpt, n), n->name(), n->name(), n->dims(), path));
}

}  // namespace

Checkpoint captureCheckpoint(const Session& s, const Model& model, const RunConfig& run) {
  Checkpoint ckpt;
  ckpt.config = run;
  ckpt.step = s.step();
  for (const Node* n : checkpointed(model)) storedFor(ckpt, n)[n->name()] = StoredTensor{n->dims(), s.getF32(n->name())};
  return ckpt;
}

TrainResult train(const TrainOptions& o) {
  RunConfig run = o.run;
  checkCount(run.steps, limits::kMaxTrainingSteps, "--steps");
  if (run.lr <= 0 || !std::isfinite(run.lr)) MNEMO_FAIL("--lr must be a positive number, got " << run.lr);
  if (o.printEvery < 1) MNEMO_FAIL("--print-every must be at least 1, got " << o.printEvery);
  if (o.checkpointEvery < 1) MNEMO_FAIL("--checkpoint-every must be at least 1, got " << o.checkpointEvery);

  // Everything that can be wrong with the input is checked before the run directory is touched.
  Checkpoint initial;
  if (!o.initCheckpoint.empty()) initial = loadCheckpoint(o.initCheckpoint);
  const ExistingRun existing{o.initCheckpoint, o.overwrite, o.existingRunAdvice};
  checkExistingRun(o.outDir, existing);
  const Model declared = parseRunModel(run);
  std::shared_ptr<const Task> task;
  if (o.dataFile.empty()) {
    task = runTask(run, /*quiet=*/true);
    bindTaskSizes(run, declared, *task);
  }
  checkLrSchedule(run);
  if (!(run.clipGradNorm >= 0) || !std::isfinite(run.clipGradNorm))
    MNEMO_FAIL("--clip-grad-norm must be a positive number (0: no clipping), got " << run.clipGradNorm);
  CompileSettings settings{true, o.fuse, o.threads, run.optimizer, run.clipGradNorm, o.microKernels};
  ModelOptions sized = runModelOptions(run);
  if (o.parallel) sized.batch = o.parallel->shardBatch();  // run.batch stays the global batch
  CompiledModel cm = compileModel(run.modelSource, run.modelFile, sized, settings);
  Session& s = *cm.session;
  const Node* input = cm.graph().find(cm.model.input);
  const int64_t T = run.seqLen, B = run.batch, I = input->dims().back();
  if (task) checkTaskSizes(run, cm.model, *task);
  if (o.parallel && cm.model.inputs.size() > 1)
    MNEMO_FAIL("data-parallel training does not feed a model's further inputs yet (" << cm.model.name << " has "
                                                                                       << cm.model.inputs.size() << ")");
  // Every param from its initialiser (fixed tensors keep these values), then a checkpoint's.
  for (auto& [name, values] : initParams(cm.graph(), run.seed)) s.setF32(name, values);
  if (!o.initCheckpoint.empty()) {
    restore(s, cm.model, initial, o.initCheckpoint);
    s.setHyper(optimizerHyper(run, initial.step));
  } else {
    s.setHyper(optimizerHyper(run, 0));
  }
  // The model's noise (randn, rand) draws from the run's seed; step k draws with counter k, so a
  // resumed run continues the same noise.
  s.setRandomSeed(static_cast<int64_t>(run.seed), o.initCheckpoint.empty() ? 0 : initial.step);
  const Node* logits = cm.graph().find("logits");
  const size_t classes = static_cast<size_t>(logits->dims().back());
  std::unique_ptr<BatchSource> batches =
      o.dataFile.empty() ? taskBatches(run, I) : fileBatches(o.dataFile, T, B, I, static_cast<int64_t>(classes));
  if (o.prefetch && o.dataFile.empty() && !o.parallel && prefetchHelps(o.threads))  // ranks share the cores
    batches = prefetchBatches(std::move(batches), static_cast<size_t>(T * B * I), static_cast<size_t>(T * B));
  const std::string source = o.dataFile.empty() ? "task " + run.task : "--data " + o.dataFile;
  const Node* target = cm.graph().find(cm.model.labels);
  const bool continuous = checkTargetKind(*target, *batches, source);
  if (o.parallel && continuous)
    MNEMO_FAIL("data-parallel training (mpirun) takes class targets only; " << source << " has continuous targets");
  InputFeeds feeds(cm.model, run.feeds, run.seed, source, o.dataFile);
  if (!o.initCheckpoint.empty()) {
    // Continue the same data stream (and noise feeds): skip the batches the checkpoint's run
    // already used.
    std::vector<float> skipX(static_cast<size_t>(T * B * I));
    std::vector<int64_t> skipY(static_cast<size_t>(T * B));
    for (int64_t i = 0; i < initial.step; ++i) {
      batches->next(skipX.data(), skipY.data());
      feeds.feed(s);
    }
  }
  RunDirectory dir(o.outDir, existing);
  if (!o.initCheckpoint.empty()) dir.continueFrom(initial.step);

  TrainResult result;
  result.compileMilliseconds = cm.compileMilliseconds;
  result.kernelsPerStep = s.executable().kernelCount(Stage::Opt);
  result.firstStep = s.step() + 1;
  std::vector<float> x(static_cast<size_t>(T * B * I));
  std::vector<int64_t> y(static_cast<size_t>(T * B));
  ProgressLine progress(o.progress, run.steps);
  std::unique_ptr<GroupAccuracy> perTask;
  if (!batches->groupNames().empty()) perTask = std::make_unique<GroupAccuracy>(batches->groupNames());
  if (o.out)
    *o.out << "mnemo train: model " << cm.model.name << " (" << run.modelFile << "), " << batches->describe() << ", B="
           << B << " T=" << T << ", " << (!o.fuse ? "unfused" : o.microKernels ? "fused" : "fused, oneDNN only") << " (" << result.kernelsPerStep
           << " kernels/step), compiled in " << static_cast<int>(cm.compileMilliseconds) << " ms\n";

  auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < run.steps; ++i) {
    batches->next(x.data(), y.data());
    const std::vector<int64_t>& labels = o.parallel ? o.parallel->shardLabels(y, T) : y;
    s.setF32(cm.model.input, o.parallel ? o.parallel->shardInputs(x, T, I) : x);
    if (continuous) s.setF32(cm.model.labels, batches->lastTargets(), static_cast<size_t>(target->type().numel()));
    else s.setI64(cm.model.labels, labels);
    feeds.feed(s);
    s.setLearningRate(learningRateAt(run, s.step() + 1));
    float loss = o.parallel ? o.parallel->trainStep(s, cm.model.params) : s.trainStep();
    int64_t step = s.step();
    // A finite loss can still come with an update that overflowed; such a state is never
    // checkpointed either.
    std::string broken = !std::isfinite(loss) ? std::string("the loss is ") + (std::isnan(loss) ? "NaN" : "infinite")
                                              : firstNonFinite(s, cm.model);
    if (!broken.empty()) {
      progress.clear();
      MNEMO_FAIL("step " << step << ": " << broken << "; training stopped"
                         << (dir.lastCheckpointStep() > 0 ? "; the last good checkpoint is " + dir.checkpointPath() +
                                                                " (step " + std::to_string(dir.lastCheckpointStep()) + ")"
                                                          : ""));
    }
    // Continuous targets have no decision accuracy (NaN, like a batch without a label > 0).
    double acc = continuous ? std::nan("") : decisionAccuracy(s.f32("logits"), labels.data(), labels.size(), classes);
    if (o.parallel) acc = o.parallel->globalAccuracy(acc, labels);
    if (perTask && !o.parallel && i >= run.steps - TrainResult::kPerTaskSteps)
      perTask->add(s.f32("logits"), y.data(), batches->lastGroups(), y.size(), classes);
    result.loss.push_back(loss);
    result.accuracy.push_back(acc);
    result.lastStep = step;
    result.runningLoss = trailingMean(result.loss, 100);
    result.runningAccuracy = trailingMean(result.accuracy, 100);
    dir.recordStep(step, loss, acc, result.runningLoss, result.runningAccuracy);
    if (step % o.printEvery == 0 && o.out) {
      progress.clear();
      char line[96];
      if (continuous)  // no decision accuracy to print
        std::snprintf(line, sizeof line, "Step %lld, Loss %0.4f", static_cast<long long>(step), result.runningLoss);
      else
        std::snprintf(line, sizeof line, "Step %lld, Loss %0.4f, Acc %0.3f", static_cast<long long>(step),
                      result.runningLoss, result.runningAccuracy);
      *o.out << line << "\n" << std::flush;
    }
    if (step % o.checkpointEvery == 0 || i + 1 == run.steps) dir.saveCheckpoint(captureCheckpoint(s, cm.model, run));
    progress.update(i + 1, result.runningLoss, result.runningAccuracy);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.clear();
  for (const std::string& p : cm.model.params) {
    std::vector<float> v = s.getF32(p);
    result.finalParams.insert(result.finalParams.end(), v.begin(), v.end());
  }
  if (o.finalState) *o.finalState = captureCheckpoint(s, cm.model, run);
  dir.finish();
  if (perTask) {
    result.perTask = perTask->scores();
    if (o.out)
      perTask->print(*o.out, "accuracy per task over the last " +
                                 std::to_string(std::min(run.steps, TrainResult::kPerTaskSteps)) +
                                 " steps (training batches, positions with label > 0):");
  }
  if (o.out) {
    char line[160];
    std::snprintf(line, sizeof line, "trained steps %lld-%lld in %.2f s (%.2f ms/step, data included)",
                  static_cast<long long>(result.firstStep), static_cast<long long>(result.lastStep), result.seconds,
                  1000 * result.seconds / static_cast<double>(run.steps));
    *o.out << line;
    if (!o.outDir.empty()) *o.out << "; wrote " << dir.describe();
    *o.out << "\n";
  }
  return result;
}

}  // namespace mnemo
