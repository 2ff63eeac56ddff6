// `mnemo sweep --pack-ensembles`: points that differ only in seed and lr run as ensembles, one
// row per point in sweep.csv with the point's own results, equal (to float tolerance) to what
// the unpacked sweep gives for the same points; the jobs are grouped by the other grid values
// and capped by --pack-max; a rerun skips finished points and packs only the rest; a pack whose
// process fails is rerun point by point, so only the diverging point fails; what cannot be
// packed is refused in one line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_runner.h"
#include "training/checkpoint.h"
#include "training/sweep_grid.h"
#include "training/sweep_pack.h"

using namespace mnemo;
namespace fs = std::filesystem;
using testing::CliResult;
using testing::TempDir;

namespace {

/// The tiny notebook run (H=8, B=4) over a grid of sequence length x seed x lr: 8 points in two
/// groups of 4 that differ only in seed and lr.
std::vector<std::string> gridArgs(const std::string& out, std::vector<std::string> more) {
  std::vector<std::string> args = {"sweep", "--out", out, "--hidden", "8", "--batch", "4", "--workers", "2", "--steps", "30",
                                   "--print-every", "10", "--grid", "seq-len=20,24", "--grid", "seed=0:1", "--grid",
                                   "lr=1e-3,1e-2"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// sweep.csv as run_dir -> (column -> field); fields hold no commas here.
std::map<std::string, std::map<std::string, std::string>> readTable(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::stringstream ss(line); std::getline(ss, line, ',');) header.push_back(line);
  std::map<std::string, std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::map<std::string, std::string> row;
    std::stringstream ss(line);
    for (const std::string& column : header) {
      std::string field;
      std::getline(ss, field, ',');
      row[column] = field;
    }
    rows[row.at("run_dir")] = row;
  }
  return rows;
}

double relDiff(double a, double b, double floor) { return std::abs(a - b) / std::max({std::abs(a), std::abs(b), floor}); }

}  // namespace

TEST_CASE("sweep pack: points equal but for seed and lr are packed in grid order, up to the cap", "[sweep]") {
  std::vector<GridAxis> axes = {{"hidden", {"8", "16"}}, {"seed", {"0", "1", "2"}}, {"lr", {"1e-3", "1e-2"}}};
  std::vector<SweepPoint> points = gridPoints(axes);
  std::vector<size_t> all(points.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  CHECK(packJobs(points, all, 4) == std::vector<std::vector<size_t>>{{0, 1, 2, 3}, {4, 5}, {6, 7, 8, 9}, {10, 11}});
  CHECK(packJobs(points, all, 8) == std::vector<std::vector<size_t>>{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}});
  CHECK(packJobs(points, {1, 7, 3}, 8) == std::vector<std::vector<size_t>>{{1, 3}, {7}});
  CHECK(packJobs(points, {0, 1, 2}, 1) == std::vector<std::vector<size_t>>{{0}, {1}, {2}});
  CHECK_THROWS_WITH(checkPackable({"--steps", "5", "--model=m.mnemo"}, axes),
                    "--pack-ensembles: the points cannot be packed into ensembles with --model (an ensemble trains the "
                    "built-in model on the task's stream, and sets its own --ensemble flags); leave out "
                    "--pack-ensembles or --model");
  CHECK_THROWS_WITH(checkPackable({}, {{"clip-grad-norm", {"0", "1"}}}),
                    Catch::Contains("cannot be packed into ensembles with --clip-grad-norm"));
  CHECK_NOTHROW(checkPackable({"--steps", "5", "--task", "GoNogo-v0"}, axes));
}

TEST_CASE("cli: a packed sweep gives each point its own row, the unpacked sweep's to the last digit",
          "[sweep][cli][ensemble]") {
  TempDir dir("sweep_pack");
  CliResult packed = testing::runMnemo(gridArgs(dir / "packed", {"--pack-ensembles", "--pack-max", "3"}));
  INFO(packed.out << packed.err);
  REQUIRE(packed.code == 0);
  // Two groups of four points, at most three per ensemble: 3 + 1 in each group.
  CHECK(packed.out.find("mnemo sweep: 8 points in 4 processes (ensembles of up to 3)") != std::string::npos);
  CHECK(packed.out.find("8 ok, 0 failed") != std::string::npos);
  const std::string log = testing::readFile(dir / "packed/seq-len=20_seed=0_lr=1e-2/train.log");
  CHECK(log.find("ensemble of 3 members (seeds 0,0,1, lrs 0.001,0.01,0.001)") != std::string::npos);

  CliResult alone = testing::runMnemo(gridArgs(dir / "alone", {}));
  REQUIRE(alone.code == 0);
  auto a = readTable(dir / "packed/sweep.csv"), b = readTable(dir / "alone/sweep.csv");
  REQUIRE(a.size() == 8);
  REQUIRE(b.size() == 8);
  double worst = 0;
  for (const auto& [runDir, row] : b) {
    INFO(runDir);
    REQUIRE(a.count(runDir));
    const auto& mine = a.at(runDir);
    CHECK(mine.at("status") == "ok");
    for (const char* column : {"seq-len", "seed", "lr"}) CHECK(mine.at(column) == row.at(column));
    for (const char* column : {"final_loss", "final_accuracy", "loss@10", "loss@20", "loss@30"})
      worst = std::max(worst, relDiff(std::stod(mine.at(column)), std::stod(row.at(column)), 1e-3));
    // The point's own directory holds its lone run's files, the same parameters.
    Checkpoint p = loadCheckpoint(dir / ("packed/" + runDir + "/checkpoint.npz"));
    Checkpoint q = loadCheckpoint(dir / ("alone/" + runDir + "/checkpoint.npz"));
    CHECK(p.config.seed == q.config.seed);
    CHECK(p.config.lr == q.config.lr);
    CHECK(p.config.seqLen == q.config.seqLen);
    for (const auto& [name, t] : q.params) {
      REQUIRE(p.params.at(name).values.size() == t.values.size());
      for (size_t i = 0; i < t.values.size(); ++i) worst = std::max(worst, relDiff(p.params.at(name).values[i], t.values[i], 0.05));
    }
  }
  INFO("worst relative difference " << worst);
  // A member of the (member-major) ensemble trains bit for bit as its lone run.
  CHECK(worst == 0);
  // The points differ from one another, so equal rows are not a coincidence.
  CHECK(a.at("seq-len=20_seed=0_lr=1e-3").at("final_loss") != a.at("seq-len=20_seed=1_lr=1e-3").at("final_loss"));
  CHECK(a.at("seq-len=20_seed=0_lr=1e-3").at("final_loss") != a.at("seq-len=20_seed=0_lr=1e-2").at("final_loss"));

  // Resume: every point done, nothing runs; with two rows gone, only those two run, as one pack.
  CliResult again = testing::runMnemo(gridArgs(dir / "packed", {"--pack-ensembles", "--pack-max", "3"}));
  CHECK(again.out.find("8 points (8 already done, 0 to run) in 0 processes") != std::string::npos);
  std::vector<std::string> kept;
  {
    std::ifstream in(dir / "packed/sweep.csv");
    for (std::string line; std::getline(in, line);)
      if (line.find("seq-len=24_seed=1_lr=1e-") == std::string::npos) kept.push_back(line);
  }
  REQUIRE(kept.size() == 7);
  {
    std::ofstream out(dir / "packed/sweep.csv");
    for (const std::string& line : kept) out << line << "\n";
  }
  CliResult rest = testing::runMnemo(gridArgs(dir / "packed", {"--pack-ensembles", "--pack-max", "3"}));
  INFO(rest.out << rest.err);
  CHECK(rest.code == 0);
  CHECK(rest.out.find("8 points (6 already done, 2 to run) in 1 process (ensembles of up to 3)") != std::string::npos);
  auto c = readTable(dir / "packed/sweep.csv");
  REQUIRE(c.size() == 8);
  for (const char* runDir : {"seq-len=24_seed=1_lr=1e-3", "seq-len=24_seed=1_lr=1e-2"}) {
    INFO(runDir);
    CHECK(c.at(runDir).at("status") == "ok");
    CHECK(c.at(runDir).at("final_loss") == b.at(runDir).at("final_loss"));
  }
}

TEST_CASE("cli: a packed sweep over lr only trains every member at the sweep's --seed", "[sweep][cli][ensemble]") {
  TempDir dir("sweep_pack_lr");
  const std::vector<std::string> base = {"sweep", "--hidden", "8", "--seq-len", "20", "--batch", "4", "--workers", "1",
                                         "--steps", "20", "--print-every", "10", "--seed", "5", "--grid", "lr=1e-3,3e-3,1e-2"};
  std::vector<std::string> packedArgs = base, aloneArgs = base;
  packedArgs.insert(packedArgs.end(), {"--out", dir / "packed", "--pack-ensembles"});
  aloneArgs.insert(aloneArgs.end(), {"--out", dir / "alone"});
  CliResult packed = testing::runMnemo(packedArgs);
  INFO(packed.out << packed.err);
  REQUIRE(packed.code == 0);
  CHECK(testing::readFile(dir / "packed/lr=1e-3/train.log").find("ensemble of 3 members (seeds 5,5,5, lrs 0.001,0.003,0.01)") !=
        std::string::npos);
  REQUIRE(testing::runMnemo(aloneArgs).code == 0);
  auto a = readTable(dir / "packed/sweep.csv"), b = readTable(dir / "alone/sweep.csv");
  for (const char* runDir : {"lr=1e-3", "lr=3e-3", "lr=1e-2"}) {
    INFO(runDir);
    CHECK(loadCheckpoint(dir / ("packed/" + std::string(runDir) + "/checkpoint.npz")).config.seed == 5);
    for (const char* column : {"final_loss", "loss@10", "loss@20"})
      CHECK(relDiff(std::stod(a.at(runDir).at(column)), std::stod(b.at(runDir).at(column)), 1e-3) < 1e-4);
  }
}

TEST_CASE("cli: a packed point that diverges fails alone, its pack mates finish", "[sweep][cli][ensemble]") {
  TempDir dir("sweep_pack_nan");
  CliResult r = testing::runMnemo({"sweep", "--out", dir / "out", "--hidden", "8", "--seq-len", "20", "--batch", "4",
                                   "--workers", "1", "--steps", "20", "--grid", "lr=1e-3,1e30,2e-3", "--pack-ensembles"});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("2 ok, 1 failed") != std::string::npos);
  auto t = readTable(dir / "out/sweep.csv");
  CHECK(t.at("lr=1e-3").at("status") == "ok");
  CHECK(t.at("lr=2e-3").at("status") == "ok");
  CHECK(t.at("lr=1e30").at("status") == "failed");
  CHECK(t.at("lr=1e30").at("reason").find("exit code 1: mnemo train: step ") == 0);
}

TEST_CASE("cli: what cannot be packed is refused in one line", "[sweep][cli]") {
  TempDir dir("sweep_pack_bad");
  auto refused = [&](std::vector<std::string> args, const std::string& message) {
    CliResult r = testing::runMnemo(args);
    INFO(r.out << r.err);
    CHECK(r.code != 0);
    CHECK(r.err == "mnemo sweep: " + message + "\n");
  };
  refused({"sweep", "--out", dir / "a", "--grid", "seed=0:1", "--pack-ensembles", "--clip-grad-norm", "1"},
          "--pack-ensembles: the points cannot be packed into ensembles with --clip-grad-norm (an ensemble trains the "
          "built-in model on the task's stream, and sets its own --ensemble flags); leave out --pack-ensembles or "
          "--clip-grad-norm");
  refused({"sweep", "--out", dir / "b", "--grid", "seed=0:1", "--pack-max", "4"}, "--pack-max needs --pack-ensembles");
  refused({"sweep", "--out", dir / "c", "--grid", "seed=0:1", "--pack-ensembles", "--pack-max", "0"},
          "--pack-max must be in [1, 1024], got 0");
}
