// `mnemo grad`: the loss and every parameter gradient of a model on one batch, written to a .npz
// file, so that another implementation (tests/torch/check_models.py) can check them. The model is
// set up exactly as `mnemo train` sets it up (the task binds I and O, --set, --feed, the same
// seeded initial parameters and first batch), compiled with the training pipeline, fused or not.
//
// The gradient is read from the training step itself: with Adam's beta1 = 0, the first moment
// after one step is m = 0 * m + (1 - 0) * g = g exactly, so `grad/<p>` is the gradient the
// optimizer received for p, through whichever pipeline compiled the step.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "frontend/batch_source.h"
#include "frontend/cli_flags.h"
#include "frontend/commands.h"
#include "frontend/compiled_model.h"
#include "frontend/init.h"
#include "frontend/input_feeds.h"
#include "graph/error.h"
#include "io/npz.h"
#include "tasks/task.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

constexpr const char* kUsage =
    "mnemo grad --out FILE.npz [options]\n\n"
    "Computes the loss and the gradient of every parameter on one batch (the first batch `mnemo train`\n"
    "would take with the same flags, or batch --batch-index of a --data file) at the initial\n"
    "parameters of --seed, and writes FILE.npz with\n"
    "  loss () float32               the loss of the batch\n"
    "  logits [T,B,O] float32        the model's first output\n"
    "  param/<p>, grad/<p> float32   every parameter before the step and its gradient\n"
    "  input/<x> float32             every input as fed (the task's, --data's or --feed's)\n"
    "  labels [T,B] int64            the targets\n"
    "  config_json uint8             the run configuration (as in config.json)\n\n"
    "example:\n"
    "  mnemo grad --model examples/gru.mnemo --seq-len 20 --out gru_grads.npz --no-fuse\n\nOptions";

std::string readModelText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) MNEMO_FAIL("--model " << path << ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int runGrad(const Args& args) {
  po::options_description opts(kUsage);
  std::string model, task, data, out, seedText;
  int64_t batchIndex = 0;
  ModelSizing sizing;
  std::vector<std::string> feedFlags;
  opts.add_options()("help,h", "show this help")
      ("model", po::value<std::string>(&model), "model file (.mnemo); default: the notebook's RNN")
      ("task", po::value<std::string>(&task)->default_value("DelayComparison-v0"), "task whose first batch is used")
      ("data", po::value<std::string>(&data), "take the batch from FILE.npz (as mnemo train --data)")
      ("batch-index", po::value<int64_t>(&batchIndex)->default_value(0), "which batch of --data (0-based)")
      ("seed", po::value<std::string>(&seedText)->default_value("0"), "seed for initialisation and data")
      ("feed", po::value<std::vector<std::string>>(&feedFlags)->composing(), "NAME=SPEC: feeds a further input (as mnemo train)")
      ("no-fuse", "compile one kernel per op (no optimizing passes)")
      ("out", po::value<std::string>(&out), "the .npz file to write (required)");
  addSizingFlags(opts, sizing);
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm)) return 0;
  if (out.empty()) MNEMO_FAIL("--out FILE.npz is required");

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
  run.steps = 1;
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
  if (batchIndex < 0) MNEMO_FAIL("--batch-index must be non-negative, got " << batchIndex);
  std::vector<float> x(static_cast<size_t>(T * B * I));
  std::vector<int64_t> y(static_cast<size_t>(T * B));
  for (int64_t i = 0; i <= batchIndex; ++i) batches->next(x.data(), y.data());
  InputFeeds feeds(m, run.feeds, run.seed, data.empty() ? "task " + run.task : "--data " + data);

  NpzArchive npz;
  for (auto& [name, values] : initParams(*m.graph, run.seed)) {
    s.setF32(name, values);
    npz.add("param/" + name, NpyArray::from(m.graph->find(name)->dims(), values));
  }
  s.setF32(m.input, x);
  s.setI64(m.labels, y);
  feeds.feed(s);
  s.setAdam(1e-3, /*beta1=*/0.0);
  const float loss = s.trainStep();
  for (const std::string& p : m.params) npz.add("grad/" + p, NpyArray::from(m.graph->find(p)->dims(), s.getF32(p + ".m")));
  for (const std::string& name : m.inputs) npz.add("input/" + name, NpyArray::from(m.graph->find(name)->dims(), s.getF32(name)));
  npz.add("labels", NpyArray::from({T, B}, y));
  npz.add("logits", NpyArray::from(m.graph->find("logits")->dims(), s.getF32("logits")));
  npz.add("loss", NpyArray::scalar<float>(loss));
  const std::string json = run.toJson();
  npz.add("config_json", NpyArray::from({static_cast<int64_t>(json.size())}, reinterpret_cast<const uint8_t*>(json.data())));
  writeNpz(out, npz);
  std::cout << "mnemo grad: model " << m.name << " (" << run.modelFile << "), " << batches->describe() << ", B=" << B
            << " T=" << T << ", " << (vm.count("no-fuse") ? "unfused" : "fused") << ": loss " << loss << ", "
            << m.params.size() << " gradients; wrote " << out << "\n";
  return 0;
}

}  // namespace mnemo
