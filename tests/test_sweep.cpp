// `mnemo sweep`: the grid syntax (ranges, lists, sweep files, one-line errors), and the command
// run as a separate process: every point equals a lone `mnemo train` at one thread bit for bit;
// a NaN point is recorded as failed and the sweep goes on; a rerun skips finished points and
// retries failed ones; a killed worker is a failed point that a rerun completes; an interrupted
// sweep leaves a valid sweep.csv; a second sweep into a locked directory refuses.
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "training/checkpoint.h"
#include "training/mpi_env.h"
#include "training/run_lock.h"
#include "training/sweep_grid.h"
#include "training/sweep_table.h"
#include "support/error.h"

using namespace mnemo;
namespace fs = std::filesystem;
using testing::CliResult;
using testing::TempDir;

namespace {

/// The tiny run of the train tests: the notebook RNN with H=8 on T=20, B=4.
std::vector<std::string> sweepArgs(const std::string& out, std::vector<std::string> more) {
  std::vector<std::string> args = {"sweep", "--out", out, "--hidden", "8", "--seq-len", "20", "--batch", "4"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// The lines of \p path.
std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The row of sweep.csv whose run_dir column is \p dir ("" if none).
std::string rowFor(const std::string& csv, const std::string& dir) {
  for (const std::string& line : lines(csv))
    if (line.find("," + dir + ",") != std::string::npos) return line;
  return "";
}

/// Starts `mnemo ARGS` in the background with its output in files \p base.out and \p base.err.
pid_t startMnemo(const std::vector<std::string>& args, const std::string& base) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(MNEMO_BINARY)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    FILE* out = std::freopen((base + ".out").c_str(), "w", stdout);
    FILE* err = std::freopen((base + ".err").c_str(), "w", stderr);
    if (out && err) ::execv(MNEMO_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

/// The pid of a running process whose command line holds \p needle, waiting up to 60 s for one
/// to appear; -1 if none did.
pid_t waitForProcess(const std::string& needle) {
  for (int tries = 0; tries < 6000; ++tries) {
    for (const auto& e : fs::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = testing::readFile(e.path() / "cmdline");
      for (char& c : cmdline)
        if (c == '\0') c = ' ';
      if (cmdline.find(needle) != std::string::npos) return static_cast<pid_t>(std::stol(name));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int exitCode(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("sweep grid: ranges, lists and steps expand in order, points vary the last axis fastest", "[sweep]") {
  GridAxis seed = parseGridAxis("seed=0:3,8", "--grid");
  CHECK(seed.name == "seed");
  CHECK(seed.values == std::vector<std::string>{"0", "1", "2", "3", "8"});
  CHECK(parseGridAxis("--hidden = 64, 128", "x").values == std::vector<std::string>{"64", "128"});
  CHECK(parseGridAxis("steps=0:10:5", "x").values == std::vector<std::string>{"0", "5", "10"});
  CHECK(parseGridAxis("seed=-2:-1", "x").values == std::vector<std::string>{"-2", "-1"});
  std::vector<SweepPoint> points = gridPoints({parseGridAxis("seed=0:1", "a"), parseGridAxis("lr=1e-3,3e-3", "b")});
  REQUIRE(points.size() == 4);
  CHECK(points[0].dirName == "seed=0_lr=1e-3");
  CHECK(points[1].dirName == "seed=0_lr=3e-3");
  CHECK(points[3].dirName == "seed=1_lr=3e-3");
  CHECK(points[2].values == std::vector<std::pair<std::string, std::string>>{{"seed", "1"}, {"lr", "1e-3"}});
  // A model path becomes a file-name-safe directory name.
  CHECK(gridPoints({parseGridAxis("model=a/b.mnemo", "m")})[0].dirName == "model=a_b.mnemo");
}

TEST_CASE("sweep grid: bad syntax is one line naming the flag or FILE:LINE:COL", "[sweep]") {
  auto error = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"seed", "expected NAME=VALUES"},
      {"=1", "bad parameter name ''"},
      {"Seed=1", "bad parameter name 'Seed'"},
      {"seed=", "no values for 'seed'"},
      {"seed=0:x", "bad range '0:x'"},
      {"seed=3:1", "1 is below 3"},
      {"seed=0:4:0", "STEP must be positive"},
      {"seed=1:2:3:4", "bad range"},
      {"seed=1,,2", "empty value"},
      {"seed=1,1", "value '1' of 'seed' appears twice"},
      {"seed=0:100000000", "more than 100000 values"},
      {"lr=1 2", "holds a space"},
  };
  for (const auto& [text, expected] : bad) {
    std::string msg = error([&] { parseGridAxis(text, "--grid '" + text + "'"); });
    INFO(text << " -> " << msg);
    CHECK(msg.find("--grid '" + text + "': ") == 0);
    CHECK(msg.find(expected) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  CHECK(error([] { gridPoints({}); }).find("no grid") == 0);
  CHECK(error([] { gridPoints({parseGridAxis("seed=1", "a"), parseGridAxis("seed=2", "b")}) ; }) ==
        "grid parameter 'seed' is given twice");
  CHECK(error([] { gridPoints({parseGridAxis("out=a,b", "a")}); }).find("cannot be swept") != std::string::npos);
  CHECK(error([] { gridPoints({parseGridAxis("model=a/b,a_b", "a")}); }).find("share the run directory") != std::string::npos);

  TempDir dir("sweepfile");
  std::ofstream(dir / "grid.txt") << "# a study\nseed = 0:2   # three seeds\n\n  lr = 1e-3,oops:1\n";
  CHECK(error([&] { readSweepFile(dir / "grid.txt"); }) == dir / "grid.txt" + ":4:3: bad range 'oops:1': expected integers A:B or A:B:STEP");
  std::ofstream(dir / "good.txt") << "# a study\nseed = 0:2   # three seeds\nlr=1e-3\n";
  std::vector<GridAxis> axes = readSweepFile(dir / "good.txt");
  REQUIRE(axes.size() == 2);
  CHECK(axes[0].values.size() == 3);
  CHECK(axes[1].name == "lr");
  CHECK(error([&] { readSweepFile(dir / "missing.txt"); }).find("cannot open") != std::string::npos);
}

TEST_CASE("sweep table: a result survives the message between ranks and sweep.csv round trip", "[sweep]") {
  PointResult r;
  r.values = {{"seed", "3"}, {"model", "a,\"b\".mnemo"}};
  r.runDir = "seed=3_model=a__b_.mnemo";
  r.ok = true;
  r.finalLoss = 0.123456789012345;
  r.finalAccuracy = 0.5;
  r.seconds = 1.25;
  r.reports = {{100, {0.7, 0.25}}, {200, {0.5, 0.375}}};
  PointResult back = deserializeResult(serializeResult(r));
  CHECK(back.values == r.values);
  CHECK(back.runDir == r.runDir);
  CHECK(back.ok);
  CHECK(back.finalLoss == r.finalLoss);
  CHECK(back.reports == r.reports);

  TempDir dir("table");
  SweepTable table({"seed", "model"});
  table.record(r);
  PointResult failed = r;
  failed.runDir = "other";
  failed.ok = false;
  failed.reason = "exit code 1: mnemo train: step 2: the loss is NaN, \"stopped\"";
  failed.reports.clear();
  table.record(failed);
  table.write(dir / "sweep.csv", {"other"});
  SweepTable again({"seed", "model"});
  again.load(dir / "sweep.csv");
  CHECK(again.finished(r.runDir));
  CHECK_FALSE(again.finished("other"));
  CHECK(again.okCount() == 1);
  CHECK(again.failedCount() == 1);
  again.write(dir / "again.csv", {"other"});
  CHECK(testing::readFile(dir / "again.csv") == testing::readFile(dir / "sweep.csv"));
  // A table over other parameters is not resumed into.
  SweepTable otherGrid({"lr"});
  CHECK_THROWS_WITH(otherGrid.load(dir / "sweep.csv"), Catch::Contains("holds a sweep over other parameters"));
}

TEST_CASE("cli: every sweep point equals a lone mnemo train at one thread, bit for bit", "[sweep][cli]") {
  TempDir dir("sweep_same");
  CliResult r = testing::runMnemo(
      sweepArgs(dir / "out", {"--workers", "2", "--grid", "seed=0:1", "--grid", "lr=1e-3,1e-2", "--steps", "30", "--print-every", "10"}));
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex(R"(mnemo sweep: 4 points on 2 worker processes, one thread each)")));
  CHECK(r.out.find("mnemo sweep: 4 ok, 0 failed") != std::string::npos);
  std::vector<std::string> csv = lines(dir / "out/sweep.csv");
  REQUIRE(csv.size() == 5);
  CHECK(csv[0] == "seed,lr,status,final_loss,final_accuracy,wall_seconds,run_dir,reason,loss@10,accuracy@10,loss@20,"
                  "accuracy@20,loss@30,accuracy@30");
  CHECK(std::regex_match(csv[1], std::regex(R"(0,1e-3,ok,[0-9.e-]+,[0-9.e-]+,[0-9.]+,seed=0_lr=1e-3,(,[0-9.e-]+){6})")));
  CHECK(fs::exists(dir / "out/sweep.svg"));
  CHECK(testing::readFile(dir / "out/sweep.svg").find("<svg") != std::string::npos);

  for (const auto& [seed, lr] : std::vector<std::pair<std::string, std::string>>{{"1", "1e-2"}, {"0", "1e-3"}}) {
    const std::string point = "seed=" + seed + "_lr=" + lr;
    CliResult lone = testing::runMnemo({"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                        "--steps", "30", "--seed", seed, "--lr", lr, "--out", dir / ("lone" + seed)});
    REQUIRE(lone.code == 0);
    Checkpoint a = loadCheckpoint(dir / ("out/" + point + "/checkpoint.npz"));
    Checkpoint b = loadCheckpoint(dir / ("lone" + seed + "/checkpoint.npz"));
    REQUIRE(a.params.size() == b.params.size());
    for (const auto& [name, t] : a.params) {
      INFO(point << " %" << name);
      REQUIRE(b.params.count(name));
      CHECK(t.values == b.params.at(name).values);  // float ==: bit for bit (no NaN in a finished run)
    }
    CHECK(testing::readFile(dir / ("out/" + point + "/metrics.csv")) == testing::readFile(dir / ("lone" + seed + "/metrics.csv")));
  }

  // A rerun finds every point done and runs none.
  CliResult again = testing::runMnemo(
      sweepArgs(dir / "out", {"--workers", "2", "--grid", "seed=0:1", "--grid", "lr=1e-3,1e-2", "--steps", "30", "--print-every", "10"}));
  CHECK(again.code == 0);
  CHECK(again.out.find("4 points (4 already done, 0 to run)") != std::string::npos);
  CHECK(lines(dir / "out/sweep.csv") == csv);
  // Other train flags into the same directory are refused; so are flags the sweep sets itself.
  CliResult other = testing::runMnemo(sweepArgs(dir / "out", {"--grid", "seed=0:1", "--grid", "lr=1e-3,1e-2", "--steps", "31"}));
  CHECK(other.code == 1);
  CHECK(other.err.find("holds a sweep with other train flags") != std::string::npos);
  CliResult threads = testing::runMnemo(sweepArgs(dir / "x", {"--grid", "seed=0:1", "--threads", "2"}));
  CHECK(threads.code == 1);
  CHECK(threads.err == "mnemo sweep: --threads is set by mnemo sweep for every point (one thread each); leave it out\n");
  CliResult twice = testing::runMnemo(sweepArgs(dir / "x", {"--grid", "seed=0:1", "--seed", "2"}));
  CHECK(twice.err == "mnemo sweep: --seed is both a train flag and a grid parameter; give it once\n");
}

TEST_CASE("cli: a NaN point is recorded as failed, the sweep goes on, and a rerun retries only it", "[sweep][cli]") {
  TempDir dir("sweep_nan");
  auto args = sweepArgs(dir / "out", {"--workers", "2", "--grid", "lr=1e-3,1e30", "--steps", "20"});
  CliResult r = testing::runMnemo(args);
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("1 ok, 1 failed") != std::string::npos);
  CHECK(r.out.find("rerun the same command to retry the failed points") != std::string::npos);
  const std::string failed = rowFor(dir / "out/sweep.csv", "lr=1e30");
  CHECK(std::regex_search(failed, std::regex(R"(^1e30,failed,,,[0-9.]+,lr=1e30,exit code 1: mnemo train: step \d+: the loss is (NaN|infinite); training stopped)")));
  CHECK(rowFor(dir / "out/sweep.csv", "lr=1e-3").find(",ok,") != std::string::npos);

  CliResult again = testing::runMnemo(args);
  CHECK(again.code == 1);
  CHECK(again.out.find("2 points (1 already done, 1 to run)") != std::string::npos);
  CHECK(again.out.find("[1/1] lr=1e30: FAILED") != std::string::npos);
}

TEST_CASE("cli: a bad train flag or grid parameter stops the sweep with train's one-line message", "[sweep][cli]") {
  TempDir dir("sweep_badflag");
  CliResult r = testing::runMnemo(sweepArgs(dir / "out", {"--workers", "1", "--grid", "fancy=1,2", "--steps", "5"}));
  CHECK(r.code == 1);
  CHECK(r.err == "mnemo sweep: point fancy=1: mnemo train: unrecognised option '--fancy=1' (see mnemo train --help) "
                 "(a train flag or grid parameter is wrong; every point would fail)\n");
  CliResult noGrid = testing::runMnemo(sweepArgs(dir / "out2", {"--steps", "5"}));
  CHECK(noGrid.code == 1);
  CHECK(noGrid.err.find("mnemo sweep: no grid") == 0);
  CliResult badGrid = testing::runMnemo(sweepArgs(dir / "out3", {"--grid", "seed=1:"}));
  CHECK(badGrid.code == 1);
  CHECK(badGrid.err == "mnemo sweep: --grid 'seed=1:': bad range '1:': expected integers A:B or A:B:STEP\n");
  CliResult workers = testing::runMnemo(sweepArgs(dir / "out4", {"--grid", "seed=1", "--workers", "0"}));
  CHECK(workers.err == "mnemo sweep: --workers must be in [1, 1024], got 0\n");
}

TEST_CASE("cli: a killed worker is a failed point, the sweep completes, and a rerun completes the point", "[sweep][cli]") {
  TempDir dir("sweep_kill");
  auto args = sweepArgs(dir / "out", {"--workers", "2", "--grid", "seed=0:2", "--steps", "2000"});
  pid_t sweep = startMnemo(args, dir / "first");
  pid_t worker = waitForProcess("--out=" + dir / "out/seed=1");
  REQUIRE(worker > 0);
  ::kill(worker, SIGKILL);
  CHECK(exitCode(sweep) == 1);
  INFO(testing::readFile(dir / "first.out") << testing::readFile(dir / "first.err"));
  const std::string csv = dir / "out/sweep.csv";
  CHECK(std::regex_search(rowFor(csv, "seed=1"), std::regex(R"(^1,failed,,,[0-9.]+,seed=1,worker killed by signal 9 )")));
  CHECK(rowFor(csv, "seed=0").find(",ok,") != std::string::npos);
  CHECK(rowFor(csv, "seed=2").find(",ok,") != std::string::npos);

  CliResult again = testing::runMnemo(args);
  CHECK(again.code == 0);
  CHECK(again.out.find("3 points (2 already done, 1 to run)") != std::string::npos);
  CHECK(rowFor(csv, "seed=1").find("1,ok,") == 0);
}

TEST_CASE("cli: an interrupted sweep leaves a valid sweep.csv of its finished points", "[sweep][cli]") {
  TempDir dir("sweep_int");
  auto args = sweepArgs(dir / "out", {"--workers", "1", "--grid", "seed=0:2", "--steps", "2000"});
  pid_t sweep = startMnemo(args, dir / "first");
  REQUIRE(waitForProcess("--out=" + dir / "out/seed=1") > 0);  // seed=0 has finished
  ::kill(sweep, SIGINT);
  CHECK(exitCode(sweep) == 130);
  const std::string out = testing::readFile(dir / "first.out");
  INFO(out);
  CHECK(out.find("interrupted with") != std::string::npos);
  // The header, seed=0, and seed=1 only if it finished before the signal arrived (the test sees
  // its worker start, not how far it got): the interrupted point is never a result.
  std::vector<std::string> csv = lines(dir / "out/sweep.csv");
  REQUIRE(csv.size() >= 2);
  REQUIRE(csv.size() <= 3);
  const size_t done = csv.size() - 1;
  CHECK(csv[1].find("0,ok,") == 0);
  if (done == 2) CHECK(csv[2].find("1,ok,") == 0);
  // No worker is left behind holding the point's directory.
  CliResult again = testing::runMnemo(args);
  CHECK(again.code == 0);
  CHECK(again.out.find("3 points (" + std::to_string(done) + " already done, " + std::to_string(3 - done) + " to run)") !=
        std::string::npos);
}

TEST_CASE("cli: a second sweep into a directory in use refuses with one line", "[sweep][cli]") {
  TempDir dir("sweep_lock");
  fs::create_directories(dir / "out");
  RunDirectoryLock held(dir / "out");  // as a running sweep holds it
  CliResult r = testing::runMnemo(sweepArgs(dir / "out", {"--grid", "seed=0", "--steps", "5"}));
  CHECK(r.code == 1);
  CHECK(r.err == "mnemo sweep: run directory " + dir / "out" + " is in use by another mnemo sweep (pid " +
                     std::to_string(::getpid()) + "); wait for it to finish or choose another --out\n");
}

TEST_CASE("mpi: a launcher is recognised from its environment, a build without MPI refuses it in one line", "[sweep]") {
  REQUIRE(launcherWorldSize() == 1);  // the tests themselves do not run under mpirun
  ::setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
  CHECK(launcherWorldSize() == 3);
  if (!mpiBuilt()) {
    CHECK_THROWS_WITH(MpiRuntime("sweep"), "this mnemo was built without MPI support, but an MPI launcher started it "
                                           "as one of 3 ranks; install libopenmpi-dev (scripts/setup.sh) and rebuild, "
                                           "or run mnemo sweep without mpirun");
  }
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::setenv("PMI_SIZE", "4", 1);
  CHECK(launcherWorldSize() == 4);
  ::unsetenv("PMI_SIZE");
  CHECK(launcherWorldSize() == 1);
}
