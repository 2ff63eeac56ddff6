// `mnemo train`: trains a model on a task (defaults: the notebook's RNN on DelayComparison-v0,
// 2000 Adam steps) and writes a run directory. See training/trainer.h for the loop.
#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "training/checkpoint.h"
#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "training/data_parallel.h"
#include "training/ensemble.h"
#include "training/input_feeds.h"
#include "frontend/dsl/model.h"
#include "training/trainer.h"
#include "support/error.h"
#include "tasks/rng.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

/// The seeds of --ensemble-seeds, a comma list.
std::vector<uint64_t> parseSeedList(const std::string& text) {
  std::vector<uint64_t> seeds;
  for (size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
    end = text.find(',', start);
    const std::string item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    try {
      seeds.push_back(parseSeed(item));
    } catch (const Error&) {
      MNEMO_FAIL("--ensemble-seeds: '" << item << "' is not a non-negative integer");
    }
  }
  return seeds;
}

}  // namespace

int runTrain(const Args& args) {
  po::options_description opts(
      "mnemo train [options]\n\nTrains a model with BPTT and Adam and prints the notebook's 'Step N, Loss L, Acc A'\n"
      "lines (100-step running means; accuracy over labels > 0). Defaults reproduce the notebook:\n"
      "the rate RNN of examples/notebook_rnn.mnemo on DelayComparison-v0, batch 16, 100 steps per\n"
      "batch, hidden 64, Adam lr 1e-3, 2000 steps. The task binds the model's sizes I and O (its\n"
      "input channels and actions) unless --size sets them; --set NAME=VALUE overrides a constant.\n"
      "Both, and every --feed, are kept in config.json, so --init and mnemo analyze reproduce them.\n\nOptions");
  std::string model, task, outDir, init, data, seedText, rngName;
  int64_t steps, printEvery, checkpointEvery, ensemble = 0;
  double lr, momentum, clip, gamma, lrMin;
  int64_t stepEvery, period;
  std::string optimizer, schedule;
  int threads;
  ModelSizing sizing;
  std::vector<std::string> feedFlags, memberDirs;
  std::string ensembleLr, ensembleSeeds, ensembleLayout;
  opts.add_options()("help,h", "show this help")
      ("model", po::value<std::string>(&model), "model file (.mnemo); default: the notebook's RNN")
      ("task", po::value<std::string>(&task)->default_value("DelayComparison-v0"), "task to train on")
      ("steps", po::value<int64_t>(&steps)->default_value(2000), "Adam steps to take")
      ("seed", po::value<std::string>(&seedText)->default_value("0"), "seed for initialisation and data")
      ("rng", po::value<std::string>(&rngName)->default_value("mnemo"),
       "the task's generator: mnemo, or numpy (neurogym's RandomState: neurogym's batches for the seed)")
      ("lr", po::value<double>(&lr)->default_value(1e-3), "learning rate")
      ("optimizer", po::value<std::string>(&optimizer)->default_value("adam"), "adam, or sgd (with momentum)")
      ("momentum", po::value<double>(&momentum)->default_value(0.9), "sgd's momentum, in [0, 1)")
      ("clip-grad-norm", po::value<double>(&clip)->default_value(0), "clip the gradients to this global L2 norm (0: no clipping)")
      ("lr-schedule", po::value<std::string>(&schedule)->default_value("constant"), "constant, step or cosine")
      ("lr-step-every", po::value<int64_t>(&stepEvery)->default_value(500), "step schedule: multiply the lr by --lr-gamma every N steps")
      ("lr-gamma", po::value<double>(&gamma)->default_value(0.5), "step schedule: the factor, in (0, 1]")
      ("lr-min", po::value<double>(&lrMin)->default_value(0), "cosine schedule: the final learning rate")
      ("lr-period", po::value<int64_t>(&period)->default_value(0), "cosine schedule: steps from --lr to --lr-min (0: --steps)")
      ("threads", po::value<int>(&threads)->default_value(1), "CPU threads (1 is fastest at these sizes)")
      ("no-fuse", "run one kernel per op (no optimizing passes)")
      ("onednn-only", "fuse, but run every matmul on oneDNN (no micro-kernel for small ones): to compare")
      ("out", po::value<std::string>(&outDir), "run directory (default runs/<model>-seed<seed>); one that holds a run already\n"
       "is refused unless --init resumes its own checkpoint or --overwrite is given")
      ("init", po::value<std::string>(&init), "start from this checkpoint (params, Adam state, step)")
      ("overwrite", "replace the run --out already holds (its checkpoint, config, metrics and plot)")
      ("data", po::value<std::string>(&data), "train on batches from FILE.npz (inputs [N,T,B,I] float32, labels [N,T,B]; a further input x\n"
       "from an array input/x [N, x's dims])")
      ("print-every", po::value<int64_t>(&printEvery)->default_value(100), "steps between report lines")
      ("checkpoint-every", po::value<int64_t>(&checkpointEvery)->default_value(500), "steps between checkpoints")
      ("feed", po::value<std::vector<std::string>>(&feedFlags)->composing(),
       "NAME=SPEC: feeds the model's further input NAME with zeros, constant(v) or normal(std) noise (repeatable)")
      ("ensemble", po::value<int64_t>(&ensemble),
       "train K >= 1 independent copies of the built-in model in one graph, member k as --seed S+k\n"
       "would train it alone; reports and checkpoints per member (OUT/member-k/). Leave it out for a lone run")
      ("ensemble-lr", po::value<std::string>(&ensembleLr),
       "with --ensemble K: member k's learning rate, a comma list of K values (1e-3,3e-3,...) or "
       "log:A:B, K values evenly spaced in log from A to B; member k trains as --lr would alone")
      ("ensemble-seeds", po::value<std::string>(&ensembleSeeds),
       "with --ensemble K: member k's seed, a comma list of K values, or 'same' for --seed in every "
       "member (default: --seed + k)")
      ("ensemble-out", po::value<std::vector<std::string>>(&memberDirs)->composing(),
       "with --ensemble K: member k's run directory, given K times in member order (default: OUT/member-k)")
      ("ensemble-layout", po::value<std::string>(&ensembleLayout),
       "with --ensemble K: 'member' (default: each member's graph is its lone run's, and trains bit for "
       "bit as it; as fast as K separate runs) or 'batched' (one recurrent product for all members per "
       "step; faster only for tiny steps, e.g. batch 1 and hidden 8-16, and quicker to compile for hundreds of "
       "members)")
      ("no-progress", "no live progress line")
      ("no-prefetch", "make each batch in the training loop (default: the next one on a second thread when a core is free)");
  addSizingFlags(opts, sizing);
  po::variables_map vm;
  if (!parseCommandLine(args, opts, vm)) return 0;

  TrainOptions o;
  RunConfig& run = o.run;
  if (vm.count("init")) {
    run = loadCheckpoint(init).config;  // resume the same model and task unless told otherwise
    o.initCheckpoint = init;
  }
  auto given = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };
  if (given("model") || (!vm.count("init") && !vm.count("model"))) {
    run.modelFile = vm.count("model") ? model : kNotebookModelFile;
    run.modelSource = vm.count("model") ? readModelText(model) : notebookModelSource();
  }
  if (given("task") || !vm.count("init")) run.task = task;
  ModelOptions sized = modelOptions(sizing);  // checks every sizing flag
  if (given("batch") || !vm.count("init")) run.batch = sized.batch;
  if (given("seq-len") || !vm.count("init")) run.seqLen = sized.seqLen;
  if (given("lr") || !vm.count("init")) run.lr = lr;
  if (given("optimizer") || !vm.count("init")) run.optimizer = optimizer;
  if (given("momentum") || !vm.count("init")) run.momentum = momentum;
  if (given("clip-grad-norm") || !vm.count("init")) run.clipGradNorm = clip;
  if (given("lr-schedule") || !vm.count("init")) run.lrSchedule = schedule;
  if (given("lr-step-every") || !vm.count("init")) run.lrStepEvery = stepEvery;
  if (given("lr-gamma") || !vm.count("init")) run.lrGamma = gamma;
  if (given("lr-min") || !vm.count("init")) run.lrMin = lrMin;
  if (given("lr-period") || !vm.count("init")) run.lrPeriod = period;
  checkOptimizer(run, "");
  if (given("seed") || !vm.count("init")) run.seed = parseSeed(seedText);
  if (given("rng") || !vm.count("init")) run.rng = rngKindName(parseRngKind(rngName));
  run.steps = steps;
  checkCount(threads, limits::kMaxThreads, "--threads");
  for (const auto& [name, value] : sized.sizeOverrides) run.sizes.insert_or_assign(name, value);
  for (const auto& [name, value] : sized.constOverrides) run.consts.insert_or_assign(name, value);
  for (const std::string& text : feedFlags) {
    auto [name, spec] = parseFeedFlag(text);
    run.feeds.insert_or_assign(name, spec);
  }

  o.fuse = !vm.count("no-fuse");
  o.microKernels = !vm.count("onednn-only");
  o.threads = threads;
  o.dataFile = data;
  o.printEvery = printEvery;
  o.checkpointEvery = checkpointEvery;
  o.progress = !vm.count("no-progress");
  o.prefetch = !vm.count("no-prefetch");
  o.out = &std::cout;
  o.overwrite = vm.count("overwrite") > 0;
  o.outDir = vm.count("out") ? outDir
                             : "runs/" + std::filesystem::path(run.modelFile).stem().string() + "-seed" +
                                   std::to_string(run.seed) + (given("ensemble") ? "-ensemble" + std::to_string(ensemble) : "");
  for (const char* flag : {"ensemble-lr", "ensemble-seeds", "ensemble-out", "ensemble-layout"})
    if (vm.count(flag) && !given("ensemble")) MNEMO_FAIL("--" << flag << " needs --ensemble K");
  if (given("ensemble")) {
    if (launcherWorldSize() > 1) MNEMO_FAIL("--ensemble: data-parallel training (mpirun) is not supported");
    EnsembleSpec spec;
    spec.members = ensemble;
    if (vm.count("ensemble-lr")) {
      if (given("lr")) MNEMO_FAIL("--lr and --ensemble-lr both given; --ensemble-lr sets every member's rate");
      spec.lrs = parseEnsembleLrs(ensembleLr, ensemble);
    }
    if (vm.count("ensemble-seeds"))
      spec.seeds = ensembleSeeds == "same" ? std::vector<uint64_t>(static_cast<size_t>(std::max<int64_t>(ensemble, 0)), run.seed)
                                           : parseSeedList(ensembleSeeds);
    spec.dirs = memberDirs;
    if (vm.count("ensemble-layout")) spec.layout = parseEnsembleLayout(ensembleLayout);
    trainEnsemble(o, spec);
    return 0;
  }
  if (launcherWorldSize() > 1) return trainDataParallel(o);
  train(o);
  return 0;
}

}  // namespace mnemo
