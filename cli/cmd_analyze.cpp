// `mnemo analyze`: the notebook's analysis of a trained network. Runs N single trials (batch 1,
// each at its own length, through a compile cache), prints the activity shape and the first
// trials' info as the notebook does, reports decision accuracy and the psychometric table, fits
// a 2-component PCA on all time points and draws the trajectories, and exports everything to a
// .npz file. See analysis/*.h.
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "analysis/behavior.h"
#include "analysis/export.h"
#include "analysis/pca.h"
#include "analysis/plots.h"
#include "analysis/runner.h"
#include "analysis/weights.h"
#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "cli/trial_checks.h"
#include "training/graph_source.h"
#include "training/input_feeds.h"
#include "support/error.h"
#include "io/npz.h"
#include "io/svg.h"
#include "support/text.h"
#include "tasks/delay_comparison.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

constexpr const char* kUsage =
    "usage: mnemo analyze --checkpoint CKPT [options]\n"
    "Runs N single trials of the checkpoint's task through the trained network (batch 1, each at\n"
    "its own length, from the model's initial state; one compile per distinct length), then prints the\n"
    "activity shape and the first five trials as the notebook does, the decision accuracy and the\n"
    "psychometric table, fits a 2-component PCA on all time points and writes, to the run\n"
    "directory (default: the checkpoint's directory):\n"
    "  pca_trajectories.svg  trajectories in PC1-PC2, red = ground truth 1, blue = 2\n"
    "  psychometric.svg      % correct per (f1, f2) pair and P(choice \"first larger\") vs f1 - f2\n"
    "  activity.npz          the analysed state ('hidden'; --state NAME), every state ('state_<name>'),\n"
    "                        outputs, inputs, per-trial metadata and the PCA\n"
    "                        (layout: analysis/export.h)\n\n"
    "example:\n"
    "  mnemo analyze --checkpoint runs/notebook_rnn-seed0/checkpoint.npz --trials 100\n\n";

/// A number as Python prints an int-valued float-or-int: "18" for 18.0, else shortest form.
std::string pyNumber(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream os;
  os << v;
  return os.str();
}

/// The notebook's "Trial i {...}" line: neurogym's env.trial dict for DelayComparison-v0
/// (ground_truth, vpair, v1, v2); for other tasks the ground truth and every parameter.
std::string trialLine(size_t index, const TrialInfo& info, const Task& task) {
  std::string out = "Trial " + std::to_string(index) + " {'ground_truth': " + std::to_string(info.groundTruth);
  if (const auto* dc = dynamic_cast<const DelayComparison*>(&task)) {
    const auto& pair = dc->pairs().at(static_cast<size_t>(info.param("pair")));
    out += ", 'vpair': (" + pyNumber(pair.first) + ", " + pyNumber(pair.second) + "), 'v1': " +
           pyNumber(info.param("v1")) + ", 'v2': " + pyNumber(info.param("v2"));
  } else {
    for (const TrialParam& p : info.params) out += ", '" + p.name + "': " + pyNumber(p.value);
  }
  return out + "}";
}

/// For a task made of several: the decision accuracy of each task's trials, one line per task.
std::string perTaskTable(const AnalysisRun& run, const std::vector<std::string>& names) {
  std::vector<int64_t> trials(names.size(), 0), correct(names.size(), 0);
  for (const TrialRecord& r : run.trials) {
    const int g = r.trial.info.group;
    if (g < 0 || static_cast<size_t>(g) >= names.size()) continue;
    ++trials[static_cast<size_t>(g)];
    correct[static_cast<size_t>(g)] += r.correct;
  }
  std::string out = "Decision accuracy per task:\n";
  char line[160];
  for (size_t k = 0; k < names.size(); ++k) {
    const double acc = trials[k] ? static_cast<double>(correct[k]) / static_cast<double>(trials[k]) : std::nan("");
    std::snprintf(line, sizeof line, "  %-24s %.3f (%lld of %lld trials)\n", names[k].c_str(), acc,
                  static_cast<long long>(correct[k]), static_cast<long long>(trials[k]));
    out += line;
  }
  return out;
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int runAnalyze(const Args& args) {
  const auto start = std::chrono::steady_clock::now();
  CheckpointFlags files;
  std::string state;
  int64_t trials = 100, hidden = 0;
  std::string seedText = "1000";
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help");
  addCheckpointFlags(desc, files, "the plots and activity.npz");
  desc.add_options()("trials", po::value(&trials)->default_value(100), "number of trials to run")
      ("seed", po::value(&seedText)->default_value("1000"), "seed of the trial stream (training uses others)")
      ("hidden", po::value(&hidden), "hidden size H of the model (default: the checkpoint's; must match its parameters)")
      ("state", po::value(&state), "the state whose activity is analysed (PCA, plots, 'hidden' in activity.npz); default: the model's first")
      ("no-noise", "run without the model's randn/rand noise (randn is 0, rand 0.5); default: the noise as in training, "
                   "seeded by the run's seed, fresh for every trial")
      ("no-fuse", "run one kernel per op (no optimizing passes)");
  po::variables_map vm;
  po::positional_options_description none;
  po::store(po::command_line_parser(args).options(desc).positional(none).run(), vm);
  if (vm.count("help")) {
    std::cout << kUsage << desc << "\n";
    return 0;
  }
  refuseEmptyValues(vm, desc);
  po::notify(vm);
  const uint64_t seed = parseSeed(seedText);
  checkCheckpointFlags(files);
  if (trials < 1 || trials > 1000000) MNEMO_FAIL("--trials must be between 1 and 1000000, got " << trials);
  const std::string& checkpointPath = files.checkpoint;
  const std::string& outDir = files.outDir;

  Checkpoint ckpt = loadCheckpointWithOverrides(files);
  if (vm.count("hidden")) {
    if (hidden < 1) MNEMO_FAIL("--hidden must be at least 1, got " << hidden);
    ckpt.config.sizes["H"] = hidden;
  }
  std::unique_ptr<Task> task = analysisTask(ckpt.config);
  const RngKind rngKind = parseRngKind(ckpt.config.rng);  // the trials come from the run's generator
  const std::string modelFile = ckpt.config.modelFile;
  const int64_t step = ckpt.step;
  const std::map<std::string, EffectiveWeight> weights = effectiveWeights(ckpt);
  makeDirectories(outDir, "--out");  // before the trials: an --out that cannot be made fails at once
  CompileCache cache(std::move(ckpt), checkpointPath,
                     [](const ShapeKey& key, double ms) {
                       std::printf("compiled the model for T=%lld (B=%lld) in %.0f ms\n",
                                   static_cast<long long>(key.seqLen), static_cast<long long>(key.batch), ms);
                       std::fflush(stdout);
                     },
                     !vm.count("no-fuse"), state, !vm.count("no-noise"));
  std::cout << "mnemo analyze: " << checkpointPath << " (" << modelFile << ", step " << step << "), "
            << trials << " trials of " << task->name() << " (seed " << seed
            << (rngKind == RngKind::Numpy ? ", numpy generator" : "") << "), batch 1, each at its own length, fwd stage only\n";
  const auto runStart = std::chrono::steady_clock::now();
  AnalysisRun run = runTrials(cache, *task, static_cast<int>(trials), seed, rngKind);
  const double runMs = millisecondsSince(runStart);
  checkFiniteTrials(run, files);

  // What the notebook prints.
  const int64_t S = run.totalSteps();
  if (cache.states().size() > 1) std::cout << "Analysing state '" << run.state << "' (--state picks another)\n";
  std::cout << "Shape of the neural activity: (Time points, Neurons): (" << S << ", " << run.hiddenSize << ")\n";
  for (size_t i = 0; i < std::min<size_t>(5, run.trials.size()); ++i)
    std::cout << trialLine(i, run.trials[i].trial.info, *task) << "\n";

  // Behaviour: choices against the ground truth, or for continuous targets the output's error.
  char line[256];
  if (run.continuous) {
    const std::string last = run.periodNames.empty() ? "last" : run.periodNames.back();
    std::snprintf(line, sizeof line,
                  "Output error (mean squared, output - target, %lld trials): every step %.5f, last period ('%s') %.5f\n",
                  static_cast<long long>(trials), run.meanSquaredError(), last.c_str(), run.meanSquaredError(true));
    std::cout << line;
  } else {
    int64_t correct = 0;
    for (const TrialRecord& r : run.trials) correct += r.correct;
    std::snprintf(line, sizeof line, "Decision accuracy: %.3f (%lld of %lld trials correct)\n", run.decisionAccuracy(),
                  static_cast<long long>(correct), static_cast<long long>(trials));
    std::cout << line;
    if (!task->groupNames().empty()) std::cout << perTaskTable(run, task->groupNames());
  }
  std::vector<std::string> written;
  auto outPath = [&](const std::string& name) { return (std::filesystem::path(outDir) / name).string(); };
  std::vector<ChoiceTrial> choices = choiceTrials(run);
  if (!choices.empty()) {
    Psychometrics ps = psychometrics(choices);
    std::cout << psychometricTable(ps);
    writeSvg(outPath("psychometric.svg"), psychometricFigure(ps));
    written.push_back(outPath("psychometric.svg"));
  } else {
    std::cout << "(no psychometric table: " << task->name() << " has no v1/v2 stimulus values)\n";
  }

  // PCA on every time point, as the notebook fits it.
  const std::vector<float> activity = run.concatenatedHidden();
  if (S < 2) MNEMO_FAIL("PCA needs at least two time points; run more --trials");
  Pca pca = fitPca(activity.data(), static_cast<size_t>(S), static_cast<size_t>(run.hiddenSize), 2);
  if (pca.components.size() < 2) MNEMO_FAIL("PCA needs at least two hidden units for a PC1-PC2 plot");
  const std::vector<double> projected = pca.transform(activity.data(), static_cast<size_t>(S));
  std::snprintf(line, sizeof line,
                "PCA on %lld time points x %lld units: explained variance ratio PC1 %.6f, PC2 %.6f (sum %.6f)\n",
                static_cast<long long>(S), static_cast<long long>(run.hiddenSize), pca.explainedVarianceRatio[0],
                pca.explainedVarianceRatio[1], pca.explainedVarianceRatio[0] + pca.explainedVarianceRatio[1]);
  std::cout << line;
  writeSvg(outPath("pca_trajectories.svg"), pcaFigure(run, pca, projected));
  written.push_back(outPath("pca_trajectories.svg"));
  NpzArchive archive = exportAnalysis(run, pca, projected);
  // Effective weights (the model's constraints applied to the raw params the checkpoint holds).
  for (const auto& [name, w] : weights) {
    archive.add("effective_" + name, NpyArray::from(w.dims, w.values));
    std::string from;
    for (const std::string& p : w.params) from += (from.empty() ? "" : ", ") + p;
    std::cout << "effective weight " << name << " " << dimsStr(w.dims) << " from " << from << " (activity.npz: effective_"
              << name << ")\n";
  }
  writeNpz(outPath("activity.npz"), archive);
  written.push_back(outPath("activity.npz"));

  for (const std::string& w : written) std::cout << "wrote " << w << "\n";
  std::snprintf(line, sizeof line,
                "%lld trials in %.0f ms (%zu distinct lengths compiled in %.0f ms); total %.2f s\n",
                static_cast<long long>(trials), runMs, cache.compiles(), cache.compileMilliseconds(),
                millisecondsSince(start) / 1000.0);
  std::cout << line;
  return 0;
}

}  // namespace mnemo
