// `mnemo analyze` as a separate process: the acceptance run on a checkpoint trained with the
// defaults (the notebook's printed lines, decision accuracy, under 2 s, files written), and bad
// input (missing, corrupt or mismatched checkpoint, --trials 0), each a one-line error.
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "training/checkpoint.h"
#include "io/npz.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

using Cli = testing::CliResult;
const auto& readAll = testing::readFile;
const auto& runCli = testing::runMnemo;

fs::path scratch(const std::string& tag) {
  fs::path d = fs::temp_directory_path() / ("mnemo_analyze_cli_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// A short training run's checkpoint, trained once per process.
std::string shortCheckpoint() {
  static const std::string path = [] {
    fs::path dir = scratch("short");
    Cli r = runCli({"train", "--steps", "40", "--no-progress", "--out", dir.string()});
    REQUIRE(r.code == 0);
    return (dir / "checkpoint.npz").string();
  }();
  return path;
}

void requireOneLineError(const Cli& r, const std::string& needle) {
  INFO("stderr: " << r.err);
  CHECK(r.code != 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("mnemo analyze: ") == 0);
  CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace

// The acceptance run's shape on a shorter training (600 steps keep the suite fast, also under the
// sanitizers); the full 2000-step run and its timing are measured outside the tests.
TEST_CASE("mnemo analyze on a trained checkpoint: notebook lines, compile cache, accuracy", "[analyze][cli]") {
  fs::path dir = scratch("defaults");
  Cli t = runCli({"train", "--steps", "600", "--no-progress", "--out", dir.string()});
  REQUIRE(t.code == 0);
  const std::string ckpt = (dir / "checkpoint.npz").string();

  Cli r = runCli({"analyze", "--checkpoint", ckpt, "--trials", "100"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);

  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(\nShape of the neural activity: \(Time points, Neurons\): \((\d+), 64\)\n)")));
  const long steps = std::stol(m[1]);
  CHECK(steps >= 100 * 18);
  CHECK(steps <= 100 * 48);
  const std::regex trialLine(R"(Trial (\d) \{'ground_truth': ([12]), 'vpair': \((\d+), (\d+)\), 'v1': (\d+), 'v2': (\d+)\})");
  int lines = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), trialLine); it != std::sregex_iterator(); ++it) {
    const std::smatch& tm = *it;
    CHECK(std::stoi(tm[1]) == lines);
    const int gt = std::stoi(tm[2]), big = std::stoi(tm[3]), small = std::stoi(tm[4]);
    const int v1 = std::stoi(tm[5]), v2 = std::stoi(tm[6]);
    CHECK(big - small == 8);
    CHECK(v1 == (gt == 1 ? big : small));
    CHECK(v2 == (gt == 1 ? small : big));
    ++lines;
  }
  CHECK(lines == 5);

  // Every distinct length compiled once, and said so.
  std::regex compiled(R"(compiled the model for T=(\d+) \(B=1\))");
  std::set<int> lengths;
  int compileLines = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), compiled); it != std::sregex_iterator(); ++it) {
    lengths.insert(std::stoi((*it)[1]));
    ++compileLines;
  }
  CHECK(compileLines == static_cast<int>(lengths.size()));
  CHECK(lengths.size() <= 5);

  REQUIRE(std::regex_search(r.out, m, std::regex(R"(Decision accuracy: ([0-9.]+) \((\d+) of 100 trials correct\))")));
  const double acc = std::stod(m[1]);
  CHECK(acc > 0.75);  // 600 steps reach about 0.85 on training batches (0.93 after 2000)
  CHECK(std::stoi(m[2]) == static_cast<int>(std::lround(acc * 100)));
  CHECK(r.out.find("P(first larger)") != std::string::npos);

  // The files, in the checkpoint's directory, named in the output.
  for (const char* name : {"pca_trajectories.svg", "psychometric.svg", "activity.npz"}) {
    CHECK(fs::exists(dir / name));
    CHECK(r.out.find("wrote " + (dir / name).string()) != std::string::npos);
  }
  const std::string svg = readAll(dir / "pca_trajectories.svg");
  for (const char* text : {"PC 1", "PC 2", "ground truth 1", "ground truth 2", "100 trials", "3 trials", "#d62728", "#1f77b4"})
    CHECK(svg.find(text) != std::string::npos);
  const std::string psy = readAll(dir / "psychometric.svg");
  for (const char* text : {"f1 - f2", "% correct", "first larger"}) CHECK(psy.find(text) != std::string::npos);

  // The printed explained-variance ratios are the exported ones; the accuracy too.
  NpzArchive d = readNpz((dir / "activity.npz").string());
  CHECK(d.get("hidden").shape == std::vector<int64_t>{steps, 64});
  REQUIRE(std::regex_search(r.out, m, std::regex(R"(explained variance ratio PC1 ([0-9.]+), PC2 ([0-9.]+))")));
  const auto ratio = d.get("pca_explained_variance_ratio").values<double>();
  CHECK(std::stod(m[1]) == Approx(ratio[0]).margin(1e-6));
  CHECK(std::stod(m[2]) == Approx(ratio[1]).margin(1e-6));
  CHECK(d.get("accuracy").values<double>()[0] == Approx(acc).margin(5e-4));
}

TEST_CASE("mnemo analyze: --out, --seed and --help", "[analyze][cli]") {
  fs::path out = scratch("out");
  Cli a = runCli({"analyze", "--checkpoint", shortCheckpoint(), "--trials", "7", "--seed", "5", "--out", out.string()});
  REQUIRE(a.code == 0);
  CHECK(fs::exists(out / "activity.npz"));
  NpzArchive d = readNpz((out / "activity.npz").string());
  CHECK(d.get("length").shape == std::vector<int64_t>{7});
  CHECK(d.get("seed").values<int64_t>()[0] == 5);
  // The same seed gives the same trials and activity; another seed other trials.
  Cli b = runCli({"analyze", "--checkpoint", shortCheckpoint(), "--trials", "7", "--seed", "5", "--out", out.string()});
  REQUIRE(b.code == 0);
  CHECK(readNpz((out / "activity.npz").string()).get("hidden").bytes == d.get("hidden").bytes);
  Cli c = runCli({"analyze", "--checkpoint", shortCheckpoint(), "--trials", "7", "--seed", "6", "--out", out.string()});
  REQUIRE(c.code == 0);
  CHECK(readNpz((out / "activity.npz").string()).get("hidden").bytes != d.get("hidden").bytes);

  Cli h = runCli({"analyze", "--help"});
  CHECK(h.code == 0);
  CHECK(h.out.find("--checkpoint") != std::string::npos);
  CHECK(h.out.find("--trials") != std::string::npos);
}

TEST_CASE("mnemo analyze rejects bad input with one line and a non-zero exit", "[analyze][cli]") {
  fs::path dir = scratch("bad");
  requireOneLineError(runCli({"analyze", "--checkpoint", (dir / "missing.npz").string()}), "does not exist");

  const std::string good = readAll(shortCheckpoint());
  {
    std::ofstream f(dir / "truncated.npz", std::ios::binary);
    f << good.substr(0, good.size() / 2);
  }
  requireOneLineError(runCli({"analyze", "--checkpoint", (dir / "truncated.npz").string()}), "truncated.npz");
  {
    std::ofstream f(dir / "text.npz", std::ios::binary);
    f << "not a checkpoint\n";
  }
  requireOneLineError(runCli({"analyze", "--checkpoint", (dir / "text.npz").string()}), "text.npz");

  requireOneLineError(runCli({"analyze", "--checkpoint", shortCheckpoint(), "--trials", "0"}), "--trials");
  requireOneLineError(runCli({"analyze", "--checkpoint", shortCheckpoint(), "--trials", "-3"}), "--trials");
  requireOneLineError(runCli({"analyze", "--trials", "5"}), "--checkpoint");

  // A checkpoint whose parameters were trained for another hidden size than its config says.
  Checkpoint ckpt = loadCheckpoint(shortCheckpoint());
  ckpt.config.sizes["H"] = 32;
  saveCheckpoint((dir / "mismatch.npz").string(), ckpt);
  Cli r = runCli({"analyze", "--checkpoint", (dir / "mismatch.npz").string(), "--out", dir.string()});
  requireOneLineError(r, "%w_ir is [2,64]");
  CHECK(r.err.find("wants [2,32]") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "activity.npz"));  // nothing written
  // The same with --hidden on a good checkpoint.
  requireOneLineError(runCli({"analyze", "--checkpoint", shortCheckpoint(), "--hidden", "32", "--out", dir.string()}),
                      "wants [2,32]");
}
