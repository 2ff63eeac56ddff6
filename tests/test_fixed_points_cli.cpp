// `mnemo fixedpoints` as a separate process on the notebook's network after a short training: it
// finds points with q < 1e-6 at the fixation input, and its table, picture and export agree with
// each other (the stability column with the exported eigenvalues, the PC columns with the
// exported projection); an explicit --input, --out, --help; bad input, each a one-line error.
// The finder's correctness against known answers is tests/test_fixed_points.cpp.
#include <catch2/catch.hpp>

#include "cli_runner.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>

#include "io/npz.h"

using namespace mnemo;
namespace fs = std::filesystem;

namespace {

using Cli = testing::CliResult;

/// The notebook's network after 300 training steps, trained once per process (its directory
/// lives until the process ends).
std::string trainedCheckpoint() {
  static const testing::TempDir dir("fixedpoints_train");
  static const std::string path = [] {
    Cli r = testing::runMnemo({"train", "--steps", "300", "--no-progress", "--out", dir.path.string()});
    REQUIRE(r.code == 0);
    return dir / "checkpoint.npz";
  }();
  return path;
}

void requireOneLineError(const Cli& r, const std::string& needle) {
  INFO("stderr: " << r.err);
  CHECK(r.code != 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("mnemo fixedpoints: ") == 0);
  CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace

TEST_CASE("mnemo fixedpoints on the notebook's trained network: table, picture, export", "[fixedpoints][cli]") {
  const std::string ckpt = trainedCheckpoint();
  const fs::path dir = fs::path(ckpt).parent_path();
  Cli r = testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--candidates", "200", "--iterations", "2000",
                             "--trials", "20"});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("input u = [1, 0] (mean over the 'fixation' period)") != std::string::npos);
  CHECK(r.out.find("step 2000/2000: median q") != std::string::npos);  // progress lines
  for (const char* name : {"fixed_points.svg", "fixed_points.npz"}) {
    CHECK(fs::exists(dir / name));
    CHECK(r.out.find("wrote " + (dir / name).string()) != std::string::npos);
  }

  NpzArchive d = readNpz((dir / "fixed_points.npz").string());
  const auto q = d.get("q").values<double>();
  const int64_t K = static_cast<int64_t>(q.size());
  REQUIRE(K >= 1);  // the network has at least one fixed point at the fixation input
  CHECK(d.get("points").shape == std::vector<int64_t>{K, 64});
  CHECK(d.get("jacobians").shape == std::vector<int64_t>{K, 64, 64});
  CHECK(d.get("candidates_final").shape == std::vector<int64_t>{200, 64});
  const auto unstable = d.get("unstable_modes").values<int64_t>();
  const auto stable = d.get("stable").values<uint8_t>();
  const auto re = d.get("eigenvalues_real").values<double>(), im = d.get("eigenvalues_imag").values<double>();
  const auto pc = d.get("pc").values<double>();
  int64_t mergedTotal = 0;
  for (int64_t k = 0; k < K; ++k) {
    CHECK(q[static_cast<size_t>(k)] < 1e-6);
    int64_t above = 0;
    for (int64_t i = 0; i < 64; ++i) above += std::hypot(re[static_cast<size_t>(k * 64 + i)], im[static_cast<size_t>(k * 64 + i)]) > 1;
    CHECK(above == unstable[static_cast<size_t>(k)]);
    CHECK((stable[static_cast<size_t>(k)] == 1) == (above == 0));
    mergedTotal += d.get("merged").values<int64_t>()[static_cast<size_t>(k)];
  }
  CHECK(mergedTotal <= 200);
  CHECK(d.get("jacobian_check").values<double>()[0] < 1e-2);

  // The table prints one row per point with the exported q, unstable count and PC location.
  const std::regex row(R"(\n\s+(\d+)\s+([0-9.e+-]+)\s+(\d+)\s+([0-9.]+)\s+(-?[0-9.]+)\s+(-?[0-9.]+)\s+(\d+))");
  int rows = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), row); it != std::sregex_iterator(); ++it, ++rows) {
    const size_t k = static_cast<size_t>(std::stoi((*it)[1]));
    REQUIRE(k < q.size());
    CHECK(std::stod((*it)[2]) == Approx(q[k]).epsilon(1e-3));
    CHECK(std::stoll((*it)[3]) == unstable[k]);
    CHECK(std::stod((*it)[5]) == Approx(pc[2 * k]).margin(1e-4));
    CHECK(std::stod((*it)[6]) == Approx(pc[2 * k + 1]).margin(1e-4));
  }
  CHECK(rows == K);

  // The picture: the trajectories and one marker per point (filled if stable, open if not).
  const std::string svg = testing::readFile(dir / "fixed_points.svg");
  CHECK(svg.find("PC 1") != std::string::npos);
  CHECK(svg.find("Fixed points over the state trajectories") != std::string::npos);
  const bool anyUnstable = std::any_of(stable.begin(), stable.end(), [](uint8_t s) { return s == 0; });
  CHECK((svg.find("unstable fixed point") != std::string::npos) == anyUnstable);
  CHECK((svg.find("leading unstable direction") != std::string::npos) == anyUnstable);
}

TEST_CASE("mnemo fixedpoints: an explicit input, --out and --help", "[fixedpoints][cli]") {
  testing::TempDir out("fixedpoints_out");
  Cli r = testing::runMnemo({"fixedpoints", "--checkpoint", trainedCheckpoint(), "--input", "1,0.4", "--candidates",
                             "50", "--iterations", "300", "--trials", "5", "--out", out.path.string()});
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("input u = [1, 0.4]\n") != std::string::npos);
  NpzArchive d = readNpz(out / "fixed_points.npz");
  CHECK(d.get("input").values<float>() == std::vector<float>{1.0f, 0.4f});
  CHECK(d.get("candidates_q").shape == std::vector<int64_t>{50});

  Cli h = testing::runMnemo({"fixedpoints", "--help"});
  CHECK(h.code == 0);
  CHECK(h.out.find("usage: mnemo fixedpoints --checkpoint CKPT") != std::string::npos);
  CHECK(h.out.find("--tolerance") != std::string::npos);
}

TEST_CASE("mnemo fixedpoints: bad input is a one-line error", "[fixedpoints][cli]") {
  const std::string ckpt = trainedCheckpoint();
  requireOneLineError(testing::runMnemo({"fixedpoints"}), "--checkpoint CKPT is required");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", "/nonexistent/c.npz"}), "/nonexistent/c.npz");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--trials", "2", "--input", "dusk"}),
                      "--input dusk: no step of the 2 trials of DelayComparison-v0 is in a period of that name");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--trials", "2", "--input", "1,2,3"}),
                      "--input 1,2,3: 3 values, but the model takes 2 inputs per step");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--input", "1,nan"}),
                      "'nan' is not a finite number");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--candidates", "0"}),
                      "--candidates must be between 1 and 1000000, got 0");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--tolerance", "-1"}),
                      "--tolerance must be a positive number");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--noise", "nan"}),
                      "--noise must be a non-negative number");
  requireOneLineError(testing::runMnemo({"fixedpoints", "--checkpoint", ckpt, "--iterations", "x"}), "iterations");
}
