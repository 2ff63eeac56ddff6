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

#include "training/checkpoint.h"

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
  // A first run that completes leaves a checkpoint; a second one times a whole resume, so the
  // kill points below spread over a run however fast this build is (a sanitizer build is slow).
  std::vector<std::string> first = base;
  first.insert(first.end(), {"--steps", "6"});
  REQUIRE(testing::runMnemo(first).code == 0);
  std::vector<std::string> resume = base;
  resume.insert(resume.end(), {"--steps", "60", "--init", ckpt});
  auto start = std::chrono::steady_clock::now();
  REQUIRE(testing::runMnemo(resume).code == 0);
  double wholeRunMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  // Rounds go on until 8 runs were really interrupted (at most 40). A run that finished before
  // its kill shows the timed run was slow (a busy machine): later kill points shrink to it.
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> killAt(0.02, 1.0);
  int killed = 0;
  for (int round = 0; round < 40 && killed < 8; ++round) {
    pid_t pid = spawnMnemo(resume);
    const double waitMs = killAt(rng) * wholeRunMs;
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(waitMs));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed;
    else wholeRunMs = std::min(wholeRunMs, waitMs);
    INFO("round " << round);
    REQUIRE(fs::exists(ckpt));
    Checkpoint c;
    REQUIRE_NOTHROW(c = loadCheckpoint(ckpt));
    CHECK(c.step >= 6);
  }
  CHECK(killed >= 6);  // most runs were really interrupted

  // The next run finishes: it cleans up after the killed ones and continues the metrics.
  std::vector<std::string> finish = base;
  finish.insert(finish.end(), {"--steps", "4", "--init", ckpt});
  testing::CliResult last = testing::runMnemo(finish);
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
