// `mnemo task`: show or export sample trials of a task — a text summary, an SVG picture of a
// few trials (like neurogym's plot_env), or N trials / N Dataset batches with their metadata as
// a .npz file NumPy reads.
#include <boost/program_options.hpp>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "support/error.h"
#include "io/npz.h"
#include "io/svg.h"
#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"
#include "tasks/registry.h"
#include "tasks/trial_export.h"
#include "tasks/trial_plot.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

constexpr const char* kUsage =
    "usage: mnemo task [options]\n"
    "Shows sample trials of a task: prints them (default), draws them (--plot), or exports\n"
    "trials or Dataset batches with their metadata to a .npz file.\n\n"
    "examples:\n"
    "  mnemo task --trials 5 --plot trials.svg\n"
    "  mnemo task --export-trials 100 --out trials.npz\n"
    "  mnemo task --export-batches 20 --out batches.npz   (inputs [N,T,B,2], labels [N,T,B])\n"
    "  mnemo task --task PerceptualDecisionMaking-v0 --timing stimulus=uniform:500,1500\n"
    "  mnemo task --task GoNogo-v0 --rng numpy --seed 3 --preset task --export-trials 50 --out t.npz\n"
    "      (neurogym's first 50 trials after env.seed(3), bit for bit)\n\n";

int positive(int value, const char* flag, int max) {
  if (value <= 0 || value > max)
    MNEMO_FAIL("bad " << flag << " " << value << ": expected 1.." << max);
  return value;
}

std::string describeTiming(const Task& task) {
  std::string out;
  for (size_t i = 0; i < task.periodNames().size(); ++i)
    out += (i ? ", " : "") + task.periodNames()[i] + " " + task.periodTimings()[i].str();
  return out;
}

/// `--list`: every task with its description, sizes and periods.
void printTaskList(std::ostream& os) {
  for (const std::string& name : taskNames()) {
    TaskConfig quiet;
    quiet.warn = [](const std::string&) {};
    std::unique_ptr<Task> t = makeTask(name, quiet);
    os << name << ": " << taskDescription(name) << "\n    " << t->obsSize() << " inputs, " << t->actionSize()
       << " labels, dt " << t->dt() << " ms; periods: "
       << (t->periodNames().empty() ? std::string("those of the task drawn") : describeTiming(*t)) << "\n";
  }
}

/// `--stats N`: sizes, trial lengths over N trials, and two chance levels of the decision
/// accuracy (over positions with label > 0): a uniform guess among the non-fixation labels, and
/// always answering the most frequent label > 0.
void printStats(std::ostream& os, const Task& task, Rng& rng, int n) {
  Trial t;
  int64_t total = 0, shortest = INT64_MAX, longest = 0, decided = 0;
  std::vector<int64_t> count(static_cast<size_t>(task.actionSize()), 0);
  for (int i = 0; i < n; ++i) {
    task.newTrial(rng, t);
    total += t.length();
    shortest = std::min<int64_t>(shortest, t.length());
    longest = std::max<int64_t>(longest, t.length());
    for (int64_t label : t.labels) {
      if (label <= 0) continue;
      ++decided;
      if (label >= static_cast<int64_t>(count.size())) count.resize(static_cast<size_t>(label) + 1, 0);
      ++count[static_cast<size_t>(label)];
    }
  }
  const int64_t majority = *std::max_element(count.begin(), count.end());
  os << "task=" << task.name() << " obs=" << task.obsSize() << " actions=" << task.actionSize()
     << " targets=" << task.targetSize() << " dt=" << task.dt()
     << " trials=" << n << " mean_length=" << static_cast<double>(total) / n << " min_length=" << shortest
     << " max_length=" << longest << " decision_fraction=" << (total ? static_cast<double>(decided) / static_cast<double>(total) : 0.0)
     << " chance_uniform=" << (task.actionSize() > 1 ? 1.0 / (task.actionSize() - 1) : 1.0)
     << " chance_majority=" << (decided ? static_cast<double>(majority) / static_cast<double>(decided) : 0.0) << "\n";
}

void printTrials(std::ostream& os, const Task& task, const std::vector<Trial>& trials) {
  os << "trial  length  gt";
  for (const std::string& p : task.paramNames()) os << std::setw(10) << p;
  os << "   periods [start,end) steps\n";
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialInfo& info = trials[i].info;
    os << std::setw(5) << i << std::setw(8) << info.length << std::setw(4) << info.groundTruth;
    for (const TrialParam& p : info.params) os << std::setw(10) << p.value;
    os << "  ";
    for (const PeriodSpan& p : info.periods)
      os << " " << p.name << "[" << p.start << "," << p.end << ")";
    os << "\n";
  }
}

}  // namespace

int runTask(const Args& args) {
  std::string taskName = DelayComparison::kName, seedText = "0", preset, plotPath, outPath, rngName = "mnemo";
  std::vector<std::string> timings;
  double dt = 0, sigma = -1;
  int trials = 3, exportTrialsN = 0, exportBatchesN = 0, batchSize = 16, seqLen = 100, statsN = 0;
  bool list = false, compress = false;

  po::options_description desc("options");
  desc.add_options()
      ("help,h", "show this help")
      ("task", po::value(&taskName), "task name (default DelayComparison-v0; --list shows all)")
      ("list", po::bool_switch(&list), "list the known tasks and their periods")
      ("seed", po::value(&seedText), "random seed (default 0); the same seed gives the same trials")
      ("rng", po::value(&rngName),
       "random generator: 'mnemo' (default, its own xoshiro256**) or 'numpy' (numpy's legacy "
       "RandomState, as neurogym draws: trials and batches equal neurogym's for the same seed)")
      ("preset", po::value(&preset),
       "'notebook' (the notebook's DelayComparison-v0 config: dt 100, delay choice(200..3200), "
       "'response' 500) or 'task' (the task's own defaults); default notebook for "
       "DelayComparison-v0, task otherwise")
      ("dt", po::value(&dt), "ms per step (default 100)")
      ("sigma", po::value(&sigma), "input noise scale; per-step std = sigma/sqrt(dt) (default 1)")
      ("timing", po::value(&timings)->composing(),
       "PERIOD=SPEC timing override, repeatable; SPEC is 500, 200,400 (choice), constant:V, "
       "choice:A,B,.., uniform:A,B, truncexp:MEAN[,MIN[,MAX]], until:T")
      ("trials", po::value(&trials), "number of trials to print or plot (default 3)")
      ("plot", po::value(&plotPath), "draw the trials into this SVG file")
      ("stats", po::value(&statsN),
       "draw N trials and print one line of key=value facts: sizes, trial lengths, chance levels")
      ("export-trials", po::value(&exportTrialsN), "export N trials with metadata to --out (.npz)")
      ("export-batches", po::value(&exportBatchesN),
       "export N Dataset batches (inputs [N,T,B,obs] float32, labels [N,T,B] int64) to --out")
      ("batch-size", po::value(&batchSize), "batch size B for --export-batches (default 16)")
      ("seq-len", po::value(&seqLen), "sequence length T for --export-batches (default 100)")
      ("out", po::value(&outPath), "output .npz file for --export-trials / --export-batches")
      ("compress", po::bool_switch(&compress), "deflate the .npz members (numpy.savez_compressed)");
  addMemoryFlag(desc);  // the exports are checked against it before they fill memory
  po::variables_map vm;
  po::positional_options_description none;  // no positional arguments: a stray word is an error
  po::store(po::command_line_parser(args).options(desc).positional(none).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << kUsage << desc;
    return 0;
  }
  refuseEmptyValues(vm, desc);
  if (list) {
    printTaskList(std::cout);
    return 0;
  }

  const uint64_t seed = parseSeed(seedText);
  const RngKind rngKind = parseRngKind(rngName);
  if (preset.empty()) preset = taskName == DelayComparison::kName ? "notebook" : "task";
  TaskConfig config;
  if (preset == "notebook") {
    if (taskName != DelayComparison::kName)
      MNEMO_FAIL("--preset notebook is the notebook's DelayComparison-v0 config; use --preset task "
                 "for " << taskName);
    config = notebookConfig();
  } else if (preset != "task") {
    MNEMO_FAIL("bad --preset '" << preset << "': expected notebook or task");
  }
  if (vm.count("dt")) {
    if (!(dt > 0)) MNEMO_FAIL("bad --dt " << dt << ": expected a positive number of ms");
    config.dt = dt;
  }
  if (vm.count("sigma")) {
    if (!(sigma >= 0)) MNEMO_FAIL("bad --sigma " << sigma << ": expected >= 0");
    config.sigma = sigma;
  }
  for (const std::string& t : timings) {
    size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      MNEMO_FAIL("bad --timing '" << t << "': expected PERIOD=SPEC, e.g. delay=choice:200,400");
    config.timing.emplace_back(t.substr(0, eq), TimingSpec::parse(t.substr(eq + 1)));
  }
  positive(trials, "--trials", 10000);
  if (vm.count("export-trials")) positive(exportTrialsN, "--export-trials", 10000000);
  if (vm.count("export-batches")) positive(exportBatchesN, "--export-batches", 1000000);
  positive(batchSize, "--batch-size", 65536);
  positive(seqLen, "--seq-len", 1000000);
  if (vm.count("stats")) positive(statsN, "--stats", 1000000);
  if (exportTrialsN && exportBatchesN)
    MNEMO_FAIL("--export-trials and --export-batches write one --out file each; give one of them");
  if ((exportTrialsN || exportBatchesN) && outPath.empty())
    MNEMO_FAIL("--export-trials/--export-batches need --out FILE.npz");
  if (!outPath.empty() && !exportTrialsN && !exportBatchesN)
    MNEMO_FAIL("--out needs --export-trials N or --export-batches N");
  if ((vm.count("batch-size") || vm.count("seq-len")) && !exportBatchesN)
    MNEMO_FAIL("--batch-size/--seq-len only apply to --export-batches");
  if (compress && !exportTrialsN && !exportBatchesN) MNEMO_FAIL("--compress only applies to --export-trials/--export-batches");
  if (!outPath.empty()) refuseCheckpointAsOutput(outPath, "--out");
  if (!plotPath.empty()) refuseCheckpointAsOutput(plotPath, "--plot");

  std::shared_ptr<const Task> task = makeTask(taskName, config);

  if (exportTrialsN) {
    Rng rng(seed, rngKind);
    std::vector<Trial> exported = drawTrialsForExport(*task, rng, exportTrialsN, "--export-trials");
    writeNpz(outPath, exportTrials(*task, exported, seed), compress);
    std::cout << "wrote " << outPath << ": " << exportTrialsN << " trials of " << task->name()
              << " (seed " << seed << ", " << rngKindName(rngKind) << " generator)\n";
  }
  if (exportBatchesN) {
    DatasetConfig dc;
    dc.batchSize = batchSize;
    dc.seqLen = seqLen;
    dc.seed = seed;
    dc.rngKind = rngKind;
    dc.prepareColumn = neurogymDatasetPreparation(*task, rngKind, batchSize, seqLen);
    Dataset dataset(task, dc);
    writeNpz(outPath, exportBatches(dataset, exportBatchesN), compress);
    std::cout << "wrote " << outPath << ": " << exportBatchesN << " batches [T=" << seqLen
              << ", B=" << batchSize << ", " << task->obsSize() << "] of " << task->name()
              << " (seed " << seed << ", " << rngKindName(rngKind) << " generator, cache " << dataset.cacheLen() << " steps, "
              << dataset.fills() << " fills)\n";
  }
  if (exportTrialsN || exportBatchesN) {
    if (plotPath.empty()) return 0;
  }

  if (statsN) {
    Rng rng(seed, rngKind);
    printStats(std::cout, *task, rng, statsN);
    return 0;
  }

  Rng rng(seed, rngKind);
  std::vector<Trial> sample(static_cast<size_t>(trials));
  for (Trial& t : sample) task->newTrial(rng, t);
  if (!plotPath.empty()) {
    writeSvg(plotPath, plotTrials(*task, sample));
    std::cout << "wrote " << plotPath << ": " << trials << " trial" << (trials == 1 ? "" : "s")
              << " of " << task->name() << " (seed " << seed << ")\n";
    return 0;
  }
  std::cout << task->name() << " (dt " << task->dt() << " ms, seed " << seed << ")\nperiods: "
            << describeTiming(*task) << "\ninputs: ";
  for (size_t i = 0; i < task->obsNames().size(); ++i)
    std::cout << (i ? ", " : "") << i << " " << task->obsNames()[i];
  std::cout << "\nlabels: ";
  for (size_t i = 0; i < task->actionNames().size(); ++i)
    std::cout << (i ? ", " : "") << i << " " << task->actionNames()[i];
  std::cout << "\n";
  printTrials(std::cout, *task, sample);
  return 0;
}

}  // namespace mnemo
