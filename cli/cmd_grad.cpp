// `mnemo grad`: the loss and every parameter gradient of a model on one batch, written to a .npz
// file, so that another implementation (tests/torch/check_models.py) can check them. The model is
// set up exactly as `mnemo train` sets it up (the task binds I and O, --set, --feed, the same
// seeded initial parameters and first batch), compiled with the training pipeline, fused or not.
//
// The gradient is read from the training step itself: the measured step runs with Adam's
// beta1 = 0, so the first moment after it is m = 0 * m + (1 - 0) * g = g exactly, and `grad/<p>`
// is the gradient the optimizer received for p, through whichever pipeline compiled the step.
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>

#include "training/batch_source.h"
#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "training/compiled_model.h"
#include "frontend/init.h"
#include "training/input_feeds.h"
#include "support/error.h"
#include "io/npz.h"
#include "tasks/task.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

constexpr const char* kUsage =
    "mnemo grad --out FILE.npz [options]\n\n"
    "Computes the loss and the gradient of every parameter on one batch: the first batch `mnemo train`\n"
    "would take with the same flags (after --batch-index skipped ones), at the initial parameters of\n"
    "--seed; or, with --steps N, takes N - 1 Adam steps as mnemo train does and measures the N-th.\n"
    "Writes FILE.npz with\n"
    "  loss () float32               the loss of the measured batch\n"
    "  losses [N] float32            the loss of every step taken\n"
    "  logits [T,B,O] float32        the model's first output\n"
    "  param/<p>, grad/<p> float32   every parameter before the measured step, and its gradient\n"
    "  input/<x> float32             every input as fed (the task's, --data's or --feed's)\n"
    "  fixed/<f> float32             every fixed tensor (a mask, Dale's signs) as the run built it\n"
    "  labels [T,B] int64            the targets\n"
    "  config_json uint8             the run configuration (as in config.json)\n\n"
    "example:\n"
    "  mnemo grad --model examples/gru.mnemo --seq-len 20 --out gru_grads.npz --no-fuse\n\nOptions";

}  // namespace

int runGrad(const Args& args) {
  po::options_description opts(kUsage);
  std::string model, task, data, out, seedText;
  int64_t batchIndex = 0, steps = 1;
  double lr = 1e-3;
  ModelSizing sizing;
  std::vector<std::string> feedFlags;
  opts.add_options()("help,h", "show this help")
      ("model", po::value<std::string>(&model), "model file (.mnemo); default: the notebook's RNN")
      ("task", po::value<std::string>(&task)->default_value("DelayComparison-v0"), "task whose first batch is used")
      ("data", po::value<std::string>(&data), "take the batch from FILE.npz (as mnemo train --data)")
      ("batch-index", po::value<int64_t>(&batchIndex)->default_value(0), "skip this many batches first (0-based index)")
      ("steps", po::value<int64_t>(&steps)->default_value(1),
       "Adam steps to take; the gradient is that of the last step, at the parameters after the others")
      ("lr", po::value<double>(&lr)->default_value(1e-3), "Adam learning rate of the steps before the last")
      ("seed", po::value<std::string>(&seedText)->default_value("0"), "seed for initialisation and data")
      ("feed", po::value<std::vector<std::string>>(&feedFlags)->composing(), "NAME=SPEC: feeds a further input (as mnemo train)")
      ("no-fuse", "compile one kernel per op (no optimizing passes)")
      ("out", po::value<std::string>(&out), "the .npz file to write (required)");
  addSizingFlags(opts, sizing);
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm)) return 0;
  if (out.empty()) MNEMO_FAIL("--out FILE.npz is required");
  refuseCheckpointAsOutput(out, "--out");

  RunConfig run;
  run.modelFile = vm.count("model") ? model : kNotebookModelFile;
  run.modelSource = vm.count("model") ? readModelText(model) : notebookModelSource();
  run.task = task;
  run.seed = parseSeed(seedText);
  ModelOptions sized = modelOptions(sizing);
  run.batch = sized.batch;
  run.seqLen = sized.seqLen;
  run.sizes = sized.sizeOverrides;
  run.consts = sized.constOverrides;
  run.steps = steps;
  run.lr = lr;
  // Every skipped batch and every step is made and run: bound both as mnemo train bounds its steps.
  checkCount(steps, limits::kMaxTrainingSteps, "--steps");
  if (batchIndex < 0 || batchIndex > limits::kMaxTrainingSteps)
    MNEMO_FAIL("--batch-index must be between 0 and " << limits::kMaxTrainingSteps << " (the limit), got " << batchIndex);
  if (!(lr > 0) || !std::isfinite(lr)) MNEMO_FAIL("--lr must be a positive number, got " << lr);
  for (const std::string& text : feedFlags) {
    auto [name, spec] = parseFeedFlag(text);
    run.feeds.insert_or_assign(name, spec);
  }
  const Model declared = parseRunModel(run);
  std::shared_ptr<const Task> taskPtr;
  if (data.empty()) {
    taskPtr = runTask(run, /*quiet=*/true);
    bindTaskSizes(run, declared, *taskPtr);
  }

  CompiledModel cm = compileModel(run.modelSource, run.modelFile, runModelOptions(run), {true, !vm.count("no-fuse"), 1});
  Session& s = *cm.session;
  const Model& m = cm.model;
  if (taskPtr) checkTaskSizes(run, m, *taskPtr);
  const int64_t T = run.seqLen, B = run.batch, I = m.graph->find(m.input)->dims().back();
  const int64_t classes = m.graph->find("logits")->dims().back();
  std::unique_ptr<BatchSource> batches = data.empty() ? taskBatches(run, I) : fileBatches(data, T, B, I, classes);
  std::vector<float> x(static_cast<size_t>(T * B * I));
  std::vector<int64_t> y(static_cast<size_t>(T * B));
  InputFeeds feeds(m, run.feeds, run.seed, data.empty() ? "task " + run.task : "--data " + data, data);
  for (int64_t i = 0; i < batchIndex; ++i) {
    batches->next(x.data(), y.data());
    feeds.feed(s);
  }

  for (auto& [name, values] : initParams(*m.graph, run.seed)) s.setF32(name, values);
  s.setAdam(lr);
  s.setRandomSeed(static_cast<int64_t>(run.seed), 0);  // the model's noise: step k draws as mnemo train's step k
  NpzArchive npz;
  std::vector<float> losses;
  for (int64_t i = 0; i < steps; ++i) {
    batches->next(x.data(), y.data());
    s.setF32(m.input, x);
    s.setI64(m.labels, y);
    feeds.feed(s);
    if (i + 1 == steps) {  // the measured step: beta1 = 0 makes Adam's first moment the gradient
      for (const std::string& p : m.params) npz.add("param/" + p, NpyArray::from(m.graph->find(p)->dims(), s.getF32(p)));
      s.setAdam(lr, /*beta1=*/0.0, 0.999, 1e-8, s.step());
    }
    losses.push_back(s.trainStep());
    if (!std::isfinite(losses.back())) MNEMO_FAIL("step " << i + 1 << ": the loss is not finite (" << losses.back() << ")");
  }
  const float loss = losses.back();
  for (const std::string& p : m.params) npz.add("grad/" + p, NpyArray::from(m.graph->find(p)->dims(), s.getF32(p + ".m")));
  for (const std::string& f : m.fixed) npz.add("fixed/" + f, NpyArray::from(m.graph->find(f)->dims(), s.getF32(f)));
  for (const std::string& name : m.inputs) npz.add("input/" + name, NpyArray::from(m.graph->find(name)->dims(), s.getF32(name)));
  npz.add("labels", NpyArray::from({T, B}, y));
  npz.add("logits", NpyArray::from(m.graph->find("logits")->dims(), s.getF32("logits")));
  npz.add("loss", NpyArray::scalar<float>(loss));
  npz.add("losses", NpyArray::from({steps}, losses));
  const std::string json = run.toJson();
  npz.add("config_json", NpyArray::from({static_cast<int64_t>(json.size())}, reinterpret_cast<const uint8_t*>(json.data())));
  writeNpz(out, npz);
  std::cout << "mnemo grad: model " << m.name << " (" << run.modelFile << "), " << batches->describe() << ", B=" << B
            << " T=" << T << ", " << (vm.count("no-fuse") ? "unfused" : "fused") << ": loss " << loss << ", "
            << m.params.size() << " gradients; wrote " << out << "\n";
  return 0;
}

}  // namespace mnemo
