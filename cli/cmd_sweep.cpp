// `mnemo sweep`: trains every point of a grid (seeds x learning rates x sizes ...) as its own
// `mnemo train` run under OUT/, on a pool of local worker processes or, under mpirun, on MPI
// ranks; collects OUT/sweep.csv and OUT/sweep.svg. A rerun resumes: points that finished ok are
// skipped, failed and missing ones run.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/cli_flags.h"
#include "cli/commands.h"
#include "training/mpi_env.h"
#include "training/ensemble.h"
#include "training/run_lock.h"
#include "training/sweep_grid.h"
#include "training/sweep_mpi.h"
#include "training/sweep_pack.h"
#include "training/sweep_pool.h"
#include "training/sweep_table.h"
#include "support/error.h"
#include "support/text.h"

namespace po = boost::program_options;

namespace mnemo {

namespace {

std::string thisExecutable() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) MNEMO_FAIL("cannot find the mnemo executable (/proc/self/exe): " << ec.message());
  return p.string();
}

/// The flag name of a command-line token ("--lr=3" and "--lr" give "lr"; anything else "").
std::string flagName(const std::string& token) {
  if (token.rfind("--", 0) != 0) return "";
  return token.substr(2, token.find('=') == std::string::npos ? std::string::npos : token.find('=') - 2);
}

/// Checks that the train flags passed through neither set what the sweep sets nor a swept one.
void checkTrainArgs(const std::vector<std::string>& trainArgs, const std::vector<GridAxis>& axes) {
  for (const std::string& token : trainArgs) {
    std::string name = flagName(token);
    if (name.empty()) continue;
    const auto& owned = sweepOwnedFlags();
    if (name != "print-every" && std::find(owned.begin(), owned.end(), name) != owned.end())
      MNEMO_FAIL("--" << name << " is set by mnemo sweep for every point (" << (name == "threads" ? "one thread each" : "OUT/<point>")
                      << "); leave it out");
    for (const GridAxis& a : axes)
      if (a.name == name) MNEMO_FAIL("--" << name << " is both a train flag and a grid parameter; give it once");
  }
}

/// OUT/sweep.args records the train flags the sweep's points use; a rerun with other flags
/// would mix runs of two different sweeps in one table, so it is refused once \p recorded (the
/// table holds a point). A sweep that recorded none (stopped at a wrong train flag, say) is
/// replaced by the new one: refusing it trapped the corrected command.
void checkSameSweep(const SweepPlan& plan, bool recorded) {
  std::string args;
  for (const std::string& a : plan.trainArgs) args += a + "\n";
  args += "--print-every=" + std::to_string(plan.printEvery) + "\n";
  const std::string path = plan.outDir + "/sweep.args";
  if (recorded && outputKind(path) == OutputKind::Regular) {
    std::string before = readFileText(path, path);
    if (before != args)
      MNEMO_FAIL(plan.outDir << " holds a sweep with other train flags (see " << path
                             << "); rerun with the same flags or choose another --out");
    return;
  }
  writeFileAtomic(path, args);
}

std::string describe(const PointResult& r) {
  char text[200];
  if (r.ok)
    std::snprintf(text, sizeof text, "ok, loss %.4f, acc %.3f, %.1f s", r.finalLoss, r.finalAccuracy, r.seconds);
  else
    std::snprintf(text, sizeof text, "FAILED after %.1f s: ", r.seconds);
  return r.ok ? text : text + r.reason;
}

}  // namespace

int runSweep(const Args& args) {
  po::options_description opts(
      "mnemo sweep [options] [mnemo train options]\n\n"
      "Trains one `mnemo train` run per point of a grid, each at one thread in its own run directory\n"
      "OUT/<point>, and collects OUT/sweep.csv (a row per point: its parameters, status ok/failed,\n"
      "final_loss and final_accuracy (running means over the last 100 steps), wall_seconds, run_dir,\n"
      "reason, and loss@N/accuracy@N at every report step) and OUT/sweep.svg (final accuracy against\n"
      "each swept parameter, seeds aggregated as mean and min-max). Every option mnemo sweep does not\n"
      "know is passed to every point's mnemo train (e.g. --steps 300 --task ... --model ...).\n\n"
      "The grid: --grid NAME=VALUES per train flag, VALUES a comma list of values and integer ranges\n"
      "A:B or A:B:STEP (--grid seed=0:15 --grid lr=1e-3,3e-3), and/or a sweep file with one\n"
      "'NAME = VALUES' per line ('#' starts a comment).\n\n"
      "Points run on --workers local processes, or, under `mpirun -np N mnemo sweep ...`, on the N\n"
      "ranks (rank 0 coordinates and trains too). A point that fails (NaN, crash, killed) is recorded\n"
      "as failed with its reason and the sweep goes on; rerunning the same command skips the points\n"
      "that finished ok and retries the rest. sweep.csv is rewritten atomically after every point.\n\n"
      "--pack-ensembles: points that differ only in seed and/or lr (every other value equal) train\n"
      "together, up to --pack-max at a time, as one `mnemo train --ensemble K` process (one graph,\n"
      "member k = point k with its seed and lr, writing OUT/<point> as its lone run would, equal to\n"
      "it bit for bit); each point keeps its own row. A pack that fails is rerun\n"
      "point by point. Needs the built-in model (no --model, --clip-grad-norm, --init, --data,\n"
      "--feed); local workers only (not under mpirun).\n"
      "Exit code 0 if every point is ok, 1 if some failed, 130 if interrupted.\n\nOptions");
  std::vector<std::string> gridFlags;
  std::string sweepFile, outDir;
  int workers = 0;
  int64_t printEvery = 100, packMax = 8;
  opts.add_options()("help,h", "show this help")
      ("grid", po::value<std::vector<std::string>>(&gridFlags)->composing(), "NAME=VALUES: a grid axis (repeatable)")
      ("sweep-file", po::value<std::string>(&sweepFile), "FILE of grid axes, one 'NAME = VALUES' per line")
      ("out", po::value<std::string>(&outDir)->default_value("sweep"), "sweep directory OUT")
      ("workers", po::value<int>(&workers), "local worker processes (default: the number of cores); not under mpirun")
      ("print-every", po::value<int64_t>(&printEvery)->default_value(100), "steps between the report values kept per point")
      ("pack-ensembles", "train points that differ only in seed and/or lr as one ensemble process (see above)")
      ("pack-max", po::value<int64_t>(&packMax)->default_value(8), "--pack-ensembles: the most points in one ensemble");
  po::variables_map vm;
  po::parsed_options parsed = po::command_line_parser(args).options(opts).allow_unregistered().run();
  po::store(parsed, vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  refuseEmptyValues(vm, opts);
  po::notify(vm);

  std::vector<GridAxis> axes;
  if (vm.count("sweep-file")) axes = readSweepFile(sweepFile);
  for (const std::string& g : gridFlags) axes.push_back(parseGridAxis(g, "--grid '" + g + "'"));
  SweepPlan plan;
  plan.trainArgs = po::collect_unrecognized(parsed.options, po::include_positional);
  checkTrainArgs(plan.trainArgs, axes);
  plan.points = gridPoints(axes);
  if (printEvery < 1) MNEMO_FAIL("--print-every must be at least 1, got " << printEvery);
  plan.printEvery = printEvery;
  plan.outDir = outDir;
  plan.executable = thisExecutable();

  const bool pack = vm.count("pack-ensembles") > 0;
  if (pack) checkPackable(plan.trainArgs, axes);
  if (!vm["pack-max"].defaulted() && !pack) MNEMO_FAIL("--pack-max needs --pack-ensembles");
  if (packMax < 1 || packMax > kMaxEnsembleMembers)
    MNEMO_FAIL("--pack-max must be in [1, " << kMaxEnsembleMembers << "], got " << packMax);

  const bool underMpi = launcherWorldSize() > 1;
  std::unique_ptr<MpiRuntime> mpi;
  if (underMpi) {
    if (vm.count("workers")) MNEMO_FAIL("--workers is for a local sweep; under mpirun every rank is one worker");
    if (pack) MNEMO_FAIL("--pack-ensembles: not supported under mpirun (local workers only)");
    mpi = std::make_unique<MpiRuntime>("sweep");
    if (mpi->rank() != 0) {
      serveMpiSweep(*mpi, plan);
      return 0;
    }
  } else if (!vm.count("workers")) {
    workers = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  } else if (workers < 1 || workers > 1024) {
    MNEMO_FAIL("--workers must be in [1, 1024], got " << workers);
  }

  std::vector<std::string> axisNames, order;
  for (const GridAxis& a : axes) axisNames.push_back(a.name);
  for (const SweepPoint& p : plan.points) order.push_back(p.dirName);
  SweepTable table(axisNames);
  const std::string csvPath = outDir + "/sweep.csv", svgPath = outDir + "/sweep.svg";
  std::unique_ptr<RunDirectoryLock> lock;
  try {
    makeDirectories(outDir, "--out");
    lock = std::make_unique<RunDirectoryLock>(outDir, "mnemo sweep");
    table.load(csvPath);
    checkSameSweep(plan, table.okCount() + table.failedCount() > 0);
  } catch (...) {
    if (mpi) releaseMpiWorkers(*mpi);
    throw;
  }
  size_t skipped = 0;
  for (size_t i = 0; i < plan.points.size(); ++i) {
    if (table.finished(plan.points[i].dirName)) ++skipped;
    else plan.todo.push_back(i);
  }
  plan.jobs = packJobs(plan.points, plan.todo, pack ? packMax : 1);
  std::cout << "mnemo sweep: " << plan.points.size() << " points";
  if (skipped) std::cout << " (" << skipped << " already done, " << plan.todo.size() << " to run)";
  if (pack) std::cout << " in " << plan.jobs.size() << " process" << (plan.jobs.size() == 1 ? "" : "es") << " (ensembles of up to " << packMax << ")";
  if (mpi) std::cout << " on " << mpi->size() << " MPI ranks";
  else std::cout << " on " << workers << " worker process" << (workers == 1 ? "" : "es");
  std::cout << ", one thread each, into " << outDir << "/\n" << std::flush;

  size_t done = 0;
  RecordResult record = [&](const PointResult& r) {
    table.record(r);
    table.write(csvPath, order);
    std::cout << "[" << ++done << "/" << plan.todo.size() << "] " << r.runDir << ": " << describe(r) << "\n" << std::flush;
  };
  InterruptFlag interrupt;
  table.write(csvPath, order);
  const bool complete = mpi ? coordinateMpiSweep(*mpi, plan, record) : runLocalPool(plan, workers, record);
  table.plot(svgPath);
  std::cout << "mnemo sweep: " << table.okCount() << " ok, " << table.failedCount() << " failed";
  if (!complete) std::cout << ", interrupted with " << (plan.todo.size() - done) << " points not run";
  std::cout << "; wrote " << csvPath << " and " << svgPath << "\n";
  if (!complete || table.failedCount())
    std::cout << "rerun the same command to " << (complete ? "retry the failed points" : "continue") << "\n";
  return !complete ? 130 : table.failedCount() ? 1 : 0;
}

}  // namespace mnemo
