// `mnemo task`: show or export sample trials of a task — a text summary, an SVG picture of a
// few trials (like neurogym's plot_env), or N trials / N Dataset batches with their metadata as
// a .npz file NumPy reads.
#include <boost/program_options.hpp>
#include <cerrno>
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
    "  mnemo task --task PerceptualDecisionMaking-v0 --timing stimulus=uniform:500,1500\n\n";

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
  std::string taskName = DelayComparison::kName, seedText = "0", preset, plotPath, outPath;
  std::vector<std::string> timings;
  double dt = 0, sigma = -1;
  int trials = 3, exportTrialsN = 0, exportBatchesN = 0, batchSize = 16, seqLen = 100;
  bool list = false, compress = false;

  po::options_description desc("options");
  desc.add_options()
      ("help,h", "show this help")
      ("task", po::value(&taskName), "task name (default DelayComparison-v0; --list shows all)")
      ("list", po::bool_switch(&list), "list the known tasks and their periods")
      ("seed", po::value(&seedText), "random seed (default 0); the same seed gives the same trials")
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
      ("export-trials", po::value(&exportTrialsN), "export N trials with metadata to --out (.npz)")
      ("export-batches", po::value(&exportBatchesN),
       "export N Dataset batches (inputs [N,T,B,obs] float32, labels [N,T,B] int64) to --out")
      ("batch-size", po::value(&batchSize), "batch size B for --export-batches (default 16)")
      ("seq-len", po::value(&seqLen), "sequence length T for --export-batches (default 100)")
      ("out", po::value(&outPath), "output .npz file for --export-trials / --export-batches")
      ("compress", po::bool_switch(&compress), "deflate the .npz members (numpy.savez_compressed)");
  po::variables_map vm;
  po::positional_options_description none;  // no positional arguments: a stray word is an error
  po::store(po::command_line_parser(args).options(desc).positional(none).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << kUsage << desc;
    return 0;
  }
  if (list) {
    for (const std::string& name : taskNames()) {
      TaskConfig quiet;
      quiet.warn = [](const std::string&) {};
      std::unique_ptr<Task> t = makeTask(name, quiet);
      std::cout << name << ": " << describeTiming(*t) << " (dt " << t->dt() << " ms, "
                << t->obsSize() << " inputs, " << t->actionSize() << " labels)\n";
    }
    return 0;
  }

  const uint64_t seed = parseSeed(seedText);
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
  if (exportTrialsN && exportBatchesN)
    MNEMO_FAIL("--export-trials and --export-batches write one --out file each; give one of them");
  if ((exportTrialsN || exportBatchesN) && outPath.empty())
    MNEMO_FAIL("--export-trials/--export-batches need --out FILE.npz");
  if (!outPath.empty() && !exportTrialsN && !exportBatchesN)
    MNEMO_FAIL("--out needs --export-trials N or --export-batches N");
  if ((vm.count("batch-size") || vm.count("seq-len")) && !exportBatchesN)
    MNEMO_FAIL("--batch-size/--seq-len only apply to --export-batches");

  std::shared_ptr<const Task> task = makeTask(taskName, config);

  if (exportTrialsN) {
    Rng rng(seed);
    std::vector<Trial> exported(static_cast<size_t>(exportTrialsN));
    for (Trial& t : exported) task->newTrial(rng, t);
    writeNpz(outPath, exportTrials(*task, exported, seed), compress);
    std::cout << "wrote " << outPath << ": " << exportTrialsN << " trials of " << task->name()
              << " (seed " << seed << ")\n";
  }
  if (exportBatchesN) {
    DatasetConfig dc;
    dc.batchSize = batchSize;
    dc.seqLen = seqLen;
    dc.seed = seed;
    Dataset dataset(task, dc);
    writeNpz(outPath, exportBatches(dataset, exportBatchesN), compress);
    std::cout << "wrote " << outPath << ": " << exportBatchesN << " batches [T=" << seqLen
              << ", B=" << batchSize << ", " << task->obsSize() << "] of " << task->name()
              << " (seed " << seed << ", cache " << dataset.cacheLen() << " steps, "
              << dataset.fills() << " fills)\n";
  }
  if (exportTrialsN || exportBatchesN) {
    if (plotPath.empty()) return 0;
  }

  Rng rng(seed);
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
