// CompileCache, runTrial and runTrials (see analysis/runner.h).
#include "analysis/runner.h"

#include <algorithm>
#include <cmath>

#include "frontend/init.h"
#include "training/batch_source.h"
#include "training/trainer.h"
#include "support/error.h"
#include "tasks/delay_comparison.h"
#include "tasks/registry.h"
#include "tasks/rng.h"

namespace mnemo {

void checkCheckpointShapes(const Checkpoint& ckpt, const std::string& path) {
  Model model = parseRunModel(ckpt.config);
  for (const std::string& p : model.params) storedValues(ckpt.params, p, p, model.graph->find(p)->dims(), path);
}

CompileCache::CompileCache(Checkpoint ckpt, std::string path, CompileReport report, bool fuse, const std::string& state,
                           bool noise)
    : ckpt_(std::move(ckpt)), path_(std::move(path)), report_(std::move(report)), fuse_(fuse), noise_(noise) {
  checkCheckpointShapes(ckpt_, path_);
  states_ = parseRunModel(ckpt_.config).states;
  std::string known;
  for (const std::string& s : states_) known += (known.empty() ? "" : ", ") + s;
  if (states_.empty()) MNEMO_FAIL("the model of " << path_ << " declares no state to analyse");
  if (!state.empty() && std::find(states_.begin(), states_.end(), state) == states_.end())
    MNEMO_FAIL("--state " << state << ": the model of " << path_ << " has no state '" << state << "' (its states: "
                          << known << ")");
  state_ = state.empty() ? states_.front() : state;
}

CompiledModel& CompileCache::get(const ShapeKey& key) {
  auto it = models_.find(key);
  if (it != models_.end()) return *it->second;
  if (key.batch < 1 || key.seqLen < 1)
    MNEMO_FAIL("cannot compile for batch " << key.batch << " and " << key.seqLen << " steps");

  ModelOptions opts = runModelOptions(ckpt_.config);
  opts.batch = key.batch;
  opts.seqLen = key.seqLen;
  opts.returnHidden = true;
  opts.noise = noise_;
  CompileSettings settings{/*train=*/false, fuse_, /*threads=*/1};
  auto cm = std::make_unique<CompiledModel>(
      compileModel(ckpt_.config.modelSource, ckpt_.config.modelFile, opts, settings));

  // Fixed tensors are not in the checkpoint: they come from their initialisers.
  for (auto& [name, values] : initParams(cm->graph(), ckpt_.config.seed)) cm->session->setF32(name, values);
  for (const std::string& p : cm->model.params) cm->session->setF32(p, ckpt_.params.at(p).values);
  feeds_[key] = std::make_unique<InputFeeds>(cm->model, ckpt_.config.feeds, ckpt_.config.seed, "task " + ckpt_.config.task);
  ++compiles_;
  compileMs_ += cm->compileMilliseconds;
  if (report_) report_(key, cm->compileMilliseconds);
  return *models_.emplace(key, std::move(cm)).first->second;
}

void CompileCache::seedNextTrial(Session& s) {
  if (noise_) s.setRandomSeed(static_cast<int64_t>(ckpt_.config.seed), ++trialsSeeded_);
}

InputFeeds& CompileCache::feeds(const ShapeKey& key) {
  get(key);
  return *feeds_.at(key);
}

std::vector<ShapeKey> CompileCache::keys() const {
  std::vector<ShapeKey> out;
  for (const auto& entry : models_) out.push_back(entry.first);
  return out;
}

TrialRecord runTrial(CompileCache& cache, Trial trial) {
  const int T = trial.length();
  if (T < 1) MNEMO_FAIL("cannot run an empty trial");
  CompiledModel& cm = cache.get({1, T});
  Session& s = *cm.session;
  s.setF32(cm.model.input, trial.inputs);
  const Node* target = cm.graph().find(cm.model.labels);
  const bool continuous = target->type().dtype == DType::F32;
  if (continuous) {
    if (trial.targets.size() != static_cast<size_t>(target->type().numel()))
      MNEMO_FAIL("the model's target '" << cm.model.labels << "' is " << target->type().str() << " but the trial gives "
                                        << trial.targetSize << " continuous value(s) per step over " << T << " steps");
    s.setF32(cm.model.labels, trial.targets);
  } else {
    s.setI64(cm.model.labels, trial.labels);
  }
  cache.feeds({1, T}).feed(s);
  cache.seedNextTrial(s);
  s.forward();

  TrialRecord r;
  for (const std::string& name : cache.states()) r.states[name] = s.getF32(stateOutputName(cm.model, name));
  r.hidden = r.states.at(cache.state());
  r.logits = s.getF32("logits");
  if (continuous) {
    if (r.logits.size() != trial.targets.size())
      MNEMO_FAIL("the model's output has " << r.logits.size() / static_cast<size_t>(T) << " value(s) per step but its target "
                                           << trial.targetSize << ": their errors cannot be compared");
    const int k = trial.targetSize;
    const int lastStart = trial.info.periods.empty() ? 0 : trial.info.periods.back().start;
    for (int t = 0; t < T; ++t)
      for (int c = 0; c < k; ++c) {
        const size_t at = static_cast<size_t>(t) * static_cast<size_t>(k) + static_cast<size_t>(c);
        const double d = static_cast<double>(r.logits[at]) - static_cast<double>(trial.targets[at]);
        r.squaredError += d * d, ++r.errorTerms;
        if (t >= lastStart) r.lastPeriodSquaredError += d * d, ++r.lastPeriodErrorTerms;
      }
    r.decisionStep = T - 1;
    r.choice = -1;
    r.trial = std::move(trial);
    return r;
  }
  const size_t classes = r.logits.size() / static_cast<size_t>(T);
  r.decisionStep = T - 1;
  for (int t = T - 1; t >= 0; --t)
    if (trial.labels[static_cast<size_t>(t)] > 0) {
      r.decisionStep = t;
      break;
    }
  const float* z = r.logits.data() + static_cast<size_t>(r.decisionStep) * classes;
  r.choice = static_cast<int64_t>(std::max_element(z, z + classes) - z);
  r.correct = r.choice == trial.info.groundTruth;
  r.trial = std::move(trial);
  return r;
}

AnalysisRun runTrials(CompileCache& cache, const Task& task, int count, uint64_t seed, RngKind rngKind) {
  if (count < 1) MNEMO_FAIL("--trials must be at least 1, got " << count);
  AnalysisRun run;
  run.taskName = task.name();
  run.seed = seed;
  run.paramNames = task.paramNames();
  run.periodNames = task.periodNames();
  run.dt = task.dt();

  Rng rng(seed, rngKind);
  run.trials.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    Trial trial = task.newTrial(rng);
    if (i == 0) {
      // The first compile tells the model's sizes; check them against the task once.
      CompiledModel& cm = cache.get({1, trial.length()});
      const Dims& in = cm.graph().find(cm.model.input)->dims();
      const Dims& lg = cm.graph().find("logits")->dims();
      run.inputSize = in.back();
      run.state = cache.state();
      for (const std::string& name : cache.states())
        run.stateSizes[name] = cm.graph().find(stateOutputName(cm.model, name))->type().numel() / trial.length();
      run.hiddenSize = run.stateSizes.at(run.state);
      run.outputSize = lg.back();
      run.continuous = cm.graph().find(cm.model.labels)->type().dtype == DType::F32;
      checkTaskSizes(cache.checkpoint().config, cm.model, task);
      if (run.continuous != (task.targetSize() > 0))
        MNEMO_FAIL("the model's target '" << cm.model.labels << "' is " << cm.graph().find(cm.model.labels)->type().str()
                                          << " but " << task.name()
                                          << (run.continuous ? " has class labels" : " has continuous targets"));
    }
    run.trials.push_back(runTrial(cache, std::move(trial)));
  }
  return run;
}

int64_t AnalysisRun::totalSteps() const {
  int64_t n = 0;
  for (const TrialRecord& r : trials) n += r.trial.length();
  return n;
}

std::vector<float> AnalysisRun::concatenatedHidden() const { return concatenatedState(state); }

std::vector<float> AnalysisRun::concatenatedState(const std::string& name) const {
  std::vector<float> out;
  out.reserve(static_cast<size_t>(totalSteps() * stateSizes.at(name)));
  for (const TrialRecord& r : trials) out.insert(out.end(), r.states.at(name).begin(), r.states.at(name).end());
  return out;
}

std::vector<int64_t> AnalysisRun::trialStarts() const {
  std::vector<int64_t> out;
  int64_t at = 0;
  for (const TrialRecord& r : trials) {
    out.push_back(at);
    at += r.trial.length();
  }
  return out;
}

double AnalysisRun::meanSquaredError(bool lastPeriod) const {
  if (!continuous) return std::nan("");
  double sum = 0;
  int64_t terms = 0;
  for (const TrialRecord& r : trials) {
    sum += lastPeriod ? r.lastPeriodSquaredError : r.squaredError;
    terms += lastPeriod ? r.lastPeriodErrorTerms : r.errorTerms;
  }
  return terms ? sum / static_cast<double>(terms) : std::nan("");
}

double AnalysisRun::decisionAccuracy() const {
  if (continuous) return std::nan("");
  std::vector<float> logits;
  std::vector<int64_t> labels;
  for (const TrialRecord& r : trials) {
    logits.insert(logits.end(), r.logits.begin(), r.logits.end());
    labels.insert(labels.end(), r.trial.labels.begin(), r.trial.labels.end());
  }
  return mnemo::decisionAccuracy(logits.data(), labels.data(), labels.size(), static_cast<size_t>(outputSize));
}

std::unique_ptr<Task> analysisTask(const RunConfig& config) {
  TaskConfig taskConfig = config.task == DelayComparison::kName ? notebookConfig() : TaskConfig{};
  taskConfig.warn = [](const std::string&) {};
  return makeTask(config.task, taskConfig);
}

}  // namespace mnemo
