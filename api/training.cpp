// api::train, api::TrainingSession and api::TrainedModel over mnemo's trainer, compiled models
// and checkpoints.
#include <cmath>

#include "api/convert.h"
#include "training/batch_source.h"
#include "training/checkpoint.h"
#include "training/compiled_model.h"
#include "frontend/init.h"
#include "training/input_feeds.h"
#include "training/trainer.h"
#include "support/error.h"
#include "support/limits.h"
#include "mnemo/training.h"
#include "tasks/task.h"

namespace mnemo::api {

namespace {

/// The run `mnemo train` would make of \p model and \p s.
RunConfig runConfig(const Model& model, const TrainSettings& s) {
  RunConfig run;
  run.modelFile = model.file();
  run.modelSource = model.source();
  run.task = s.task;
  run.batch = s.batch;
  run.seqLen = s.seqLen;
  run.sizes = s.sizes;
  run.lr = s.lr;
  run.optimizer = s.optimizer;
  run.momentum = s.momentum;
  run.seed = s.seed;
  run.steps = s.steps;
  checkOptimizer(run, "");
  checkCount(s.threads, limits::kMaxThreads, "threads");
  return run;
}

}  // namespace

// ---- TrainedModel ----------------------------------------------------------------------------

TrainedModel TrainedModel::load(const std::string& path) {
  return TrainedModel(std::make_shared<const Checkpoint>(loadCheckpoint(path)));
}

void TrainedModel::save(const std::string& path) const { saveCheckpoint(path, *ckpt_); }
int64_t TrainedModel::step() const { return ckpt_->step; }
Model TrainedModel::model() const { return Model::fromText(ckpt_->config.modelSource, ckpt_->config.modelFile); }
const std::string& TrainedModel::task() const { return ckpt_->config.task; }
std::map<std::string, Array> TrainedModel::params() const { return toArrays(ckpt_->params); }
std::map<std::string, Array> TrainedModel::optimizerState() const { return toArrays(ckpt_->state); }

// ---- train -----------------------------------------------------------------------------------

TrainOutcome train(const Model& model, const TrainSettings& s, std::ostream* log) {
  TrainOptions o;
  o.run = runConfig(model, s);
  o.fuse = s.fuse;
  o.threads = s.threads;
  o.outDir = s.outDir;
  o.existingRunAdvice = "choose another out_dir, or move that run elsewhere first";  // no --init or --overwrite here
  o.printEvery = s.printEvery;
  o.out = log;
  auto final = std::make_shared<Checkpoint>();
  o.finalState = final.get();
  TrainResult r = mnemo::train(o);

  History h;
  for (int64_t step = r.firstStep; step <= r.lastStep; ++step) h.steps.push_back(step);
  h.loss = std::move(r.loss);
  h.accuracy = std::move(r.accuracy);
  h.seconds = r.seconds;
  h.compileMilliseconds = r.compileMilliseconds;
  h.kernelsPerStep = static_cast<int64_t>(r.kernelsPerStep);
  return TrainOutcome{std::move(h), TrainedModel(std::move(final))};
}

// ---- TrainingSession -------------------------------------------------------------------------

struct TrainingSession::Impl {
  RunConfig run;
  CompiledModel cm;
  std::unique_ptr<InputFeeds> feeds;
  int64_t T = 0, B = 0, I = 0, classes = 0;
  double lastAccuracy = std::nan("");
};

TrainingSession::TrainingSession(const Model& model, const TrainSettings& s) : impl_(new Impl) {
  Impl& m = *impl_;
  m.run = runConfig(model, s);
  const mnemo::Model declared = parseRunModel(m.run);
  std::shared_ptr<const Task> task = runTask(m.run, /*quiet=*/true);
  bindTaskSizes(m.run, declared, *task);
  m.cm = compileModel(m.run.modelSource, m.run.modelFile, runModelOptions(m.run),
                      CompileSettings{true, s.fuse, s.threads, m.run.optimizer});
  checkTaskSizes(m.run, m.cm.model, *task);
  Session& session = *m.cm.session;
  for (auto& [name, values] : initParams(m.cm.graph(), m.run.seed)) session.setF32(name, values);
  session.setHyper(optimizerHyper(m.run, 0));
  m.feeds = std::make_unique<InputFeeds>(m.cm.model, m.run.feeds, m.run.seed, "the training session", "");
  m.T = m.run.seqLen;
  m.B = m.run.batch;
  m.I = m.cm.graph().find(m.cm.model.input)->dims().back();
  m.classes = m.cm.graph().find("logits")->dims().back();
}

TrainingSession::~TrainingSession() = default;
TrainingSession::TrainingSession(TrainingSession&&) noexcept = default;
TrainingSession& TrainingSession::operator=(TrainingSession&&) noexcept = default;

double TrainingSession::step(const ArrayRef& inputs, const ArrayRef& labels) {
  const Impl& m = *impl_;
  checkArray(inputs, DType::Float32, {m.T, m.B, m.I}, "inputs");
  checkArray(labels, DType::Int64, {m.T, m.B}, "labels");
  const auto* y = static_cast<const int64_t*>(labels.data);
  for (int64_t i = 0; i < m.T * m.B; ++i)
    if (y[i] < 0 || y[i] >= m.classes)
      MNEMO_FAIL("labels: value " << y[i] << " at position " << i << " is outside [0, " << m.classes
                                  << ") (the model has " << m.classes << " classes)");
  // A NaN or infinite input would make the gradient of the input weights NaN while the loss can
  // stay finite (relu maps NaN to 0): refuse it as mnemo train --data does.
  const auto* x = static_cast<const float*>(inputs.data);
  for (int64_t i = 0; i < m.T * m.B * m.I; ++i)
    if (!std::isfinite(x[i]))
      MNEMO_FAIL("inputs: value " << x[i] << " at (t " << i / (m.B * m.I) << ", b " << i / m.I % m.B << ", channel "
                                  << i % m.I << ") is not a finite number");
  return step(x, y);
}

double TrainingSession::step(const float* inputs, const int64_t* labels) {
  Impl& m = *impl_;
  Session& s = *m.cm.session;
  s.setF32(m.cm.model.input, inputs, static_cast<size_t>(m.T * m.B * m.I));
  s.setI64(m.cm.model.labels, labels, static_cast<size_t>(m.T * m.B));
  m.feeds->feed(s);
  const float loss = s.trainStep();
  if (!std::isfinite(loss)) MNEMO_FAIL("step " << s.step() << ": the loss is " << (std::isnan(loss) ? "NaN" : "infinite"));
  const std::string broken = firstNonFinite(s, m.cm.model);
  if (!broken.empty()) MNEMO_FAIL("step " << s.step() << ": " << broken);
  m.lastAccuracy = decisionAccuracy(s.f32("logits"), labels, static_cast<size_t>(m.T * m.B), static_cast<size_t>(m.classes));
  return loss;
}

double TrainingSession::lastAccuracy() const { return impl_->lastAccuracy; }
int64_t TrainingSession::stepsTaken() const { return impl_->cm.session->step(); }
std::vector<int64_t> TrainingSession::inputShape() const { return {impl_->T, impl_->B, impl_->I}; }
int64_t TrainingSession::classes() const { return impl_->classes; }

TrainedModel TrainingSession::snapshot() const {
  return TrainedModel(std::make_shared<const Checkpoint>(captureCheckpoint(*impl_->cm.session, impl_->cm.model, impl_->run)));
}

}  // namespace mnemo::api
