// Crash consistency of a run directory: a training run is killed (SIGKILL) at random points many
// times, each time resumed from whatever checkpoint it left. Every checkpoint left behind must
// load, the metrics after the last, completed resume must have no gap (one row per step from 1
// to the checkpoint's step), and no temporary file may be left once a run has finished.
#include <catch2/catch.hpp>

#include "../cli_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "frontend/checkpoint.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

/// Starts `mnemo ARGS` with its output discarded; \returns its pid.
pid_t spawnMnemo(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(MNEMO_BINARY));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(MNEMO_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

/// The step column of metrics.csv.
std::vector<long long> metricSteps(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<long long> steps;
  while (std::getline(in, line)) steps.push_back(std::stoll(line.substr(0, line.find(','))));
  return steps;
}

}  // namespace

TEST_CASE("crash consistency: random kill -9s never leave a damaged checkpoint, a metrics gap or a temp file",
          "[hostile][crash]") {
  testing::TempDir dir("crash");
  const std::string run = dir / "run", ckpt = run + "/checkpoint.npz";
  const std::vector<std::string> base = {"train", "--no-progress", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                         "--checkpoint-every", "3", "--out", run};
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> delayMs(20, 400);
  int killed = 0, checkpointsLoaded = 0;
  for (int round = 0; round < 12; ++round) {
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--steps", "400"});
    if (fs::exists(ckpt)) args.insert(args.end(), {"--init", ckpt});
    pid_t pid = spawnMnemo(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(delayMs(rng)));
    if (::kill(pid, SIGKILL) == 0) ++killed;
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (fs::exists(ckpt)) {
      INFO("round " << round);
      Checkpoint c;
      REQUIRE_NOTHROW(c = loadCheckpoint(ckpt));
      CHECK(c.step >= 0);
      ++checkpointsLoaded;
    }
  }
  CHECK(killed >= 10);           // the runs were really interrupted
  REQUIRE(checkpointsLoaded > 0);  // and some got far enough to checkpoint

  // The next run finishes: it cleans up after the killed ones and continues the metrics.
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--steps", "4", "--init", ckpt});
  testing::CliResult last = testing::runMnemo(args);
  INFO(last.err);
  REQUIRE(last.code == 0);
  Checkpoint c = loadCheckpoint(ckpt);
  std::vector<long long> steps = metricSteps(run + "/metrics.csv");
  REQUIRE(steps.size() == static_cast<size_t>(c.step));
  for (size_t i = 0; i < steps.size(); ++i) {
    INFO("metrics row " << i);
    REQUIRE(steps[i] == static_cast<long long>(i + 1));
  }
  for (const auto& e : fs::directory_iterator(run)) CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
}
