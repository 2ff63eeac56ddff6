// `mnemo task --rng numpy` against neurogym's own trials and batches, through the command line:
// `--preset task --export-trials N` must give neurogym's first N trials after env.seed(S), and
// `--export-batches K --batch-size B --seq-len T` the first K calls of its Dataset seeded with S
// (reference files in ../shared/golden/neurogym*/; tests/tasks/test_neurogym_golden.cpp checks
// every task through the library, this file the command-line path for a few).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <string>

#include "io/npz.h"
#include "tests/cli_runner.h"
#include "tests/tasks/golden_reader.h"

using namespace mnemo;
using mnemo::testing::runMnemo;
using mnemo::testing::TempDir;

namespace {

std::string goldenFile(const std::string& leaf, const std::string& file) {
  const std::string dir = golden::goldenDir(leaf);
  INFO("neurogym reference files not found (set MNEMO_NEUROGYM_GOLDEN)");
  REQUIRE(!dir.empty());
  const std::string path = dir + "/" + file;
  INFO("missing reference file " << path);
  REQUIRE(std::filesystem::exists(path));
  return path;
}

/// Exports \p n trials through the CLI and compares them with the reference trials file.
void checkExportedTrials(const std::string& leaf, const std::string& task, const std::string& preset, int seed,
                         const std::string& file, int n) {
  const golden::GoldenArchive want = golden::readGolden(goldenFile(leaf, file));
  TempDir dir("task_golden");
  const std::string out = dir / "trials.npz";
  auto r = runMnemo({"task", "--task", task, "--rng", "numpy", "--seed", std::to_string(seed), "--preset", preset,
                     "--export-trials", std::to_string(n), "--out", out});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const NpzArchive got = readNpz(out);
  const NpyArray& inputs = got.get("inputs", NpyType::Float32);
  const std::vector<float> in = inputs.values<float>();
  const NpyArray& gotLabels = got.get("labels");
  const bool continuous = gotLabels.dtype == NpyType::Float32;  // [N, Tmax, k] continuous targets
  const std::vector<int64_t> labels = continuous ? std::vector<int64_t>{} : gotLabels.values<int64_t>();
  const std::vector<float> targets = continuous ? gotLabels.values<float>() : std::vector<float>{};
  const std::vector<int64_t> lengths = got.get("lengths", NpyType::Int64).values<int64_t>();
  REQUIRE(inputs.shape.size() == 3);
  REQUIRE(inputs.shape[0] == n);
  const int64_t tmax = inputs.shape[1], obs = inputs.shape[2];
  for (int i = 0; i < n; ++i) {
    INFO(task << " seed " << seed << " trial " << i);
    const NpyArray& ob = want.numeric.get("ob_" + std::to_string(i), NpyType::Float32);
    const std::vector<float> wantOb = ob.values<float>();
    REQUIRE(ob.shape == std::vector<int64_t>{lengths[i], obs});
    const float* mine = in.data() + static_cast<size_t>(i * tmax * obs);
    CHECK(std::memcmp(mine, wantOb.data(), wantOb.size() * sizeof(float)) == 0);
    const NpyArray& gt = want.numeric.get("gt_" + std::to_string(i));
    if (continuous) {
      const int64_t k = gotLabels.shape.at(2);
      REQUIRE(gt.shape == std::vector<int64_t>{lengths[i], k});
      const std::vector<float> wantGt = gt.values<float>();
      CHECK(std::memcmp(targets.data() + i * tmax * k, wantGt.data(), wantGt.size() * sizeof(float)) == 0);
    } else {
      const std::vector<int64_t> wantGt = gt.values<int64_t>();
      CHECK(std::equal(wantGt.begin(), wantGt.end(), labels.begin() + i * tmax));
    }
  }
}

/// Exports the reference file's batches through the CLI and compares them.
void checkExportedBatches(const std::string& task, const std::string& preset, int seed, const std::string& file) {
  const golden::GoldenArchive want = golden::readGolden(goldenFile("neurogym", file));
  const golden::Json meta = golden::Json::parse(want.str("meta_json").at(0));
  const std::string B = std::to_string(static_cast<int>(meta.find("batch_size")->number));
  const std::string T = std::to_string(static_cast<int>(meta.find("seq_len")->number));
  const NpyArray& wantIn = want.numeric.get("inputs", NpyType::Float32);
  const std::string K = std::to_string(wantIn.shape.at(0));
  TempDir dir("task_golden");
  const std::string out = dir / "batches.npz";
  auto r = runMnemo({"task", "--task", task, "--rng", "numpy", "--seed", std::to_string(seed), "--preset", preset,
                     "--export-batches", K, "--batch-size", B, "--seq-len", T, "--out", out});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const NpzArchive got = readNpz(out);
  const NpyArray& in = got.get("inputs", NpyType::Float32);
  REQUIRE(in.shape == wantIn.shape);
  const std::vector<float> a = in.values<float>(), b = wantIn.values<float>();
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  const NpyArray& wantTargets = want.numeric.get("targets");
  if (wantTargets.dtype == NpyType::Float32) {  // continuous targets [K, T, B, k]
    const NpyArray& labels = got.get("labels", NpyType::Float32);
    REQUIRE(labels.shape == wantTargets.shape);
    const std::vector<float> x = labels.values<float>(), y = wantTargets.values<float>();
    CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
  } else {
    CHECK(got.get("labels", NpyType::Int64).values<int64_t>() == wantTargets.values<int64_t>());
  }
}

}  // namespace

TEST_CASE("mnemo task --rng numpy --export-trials equals neurogym's trials", "[task][cli][neurogym-golden]") {
  for (int seed : {0, 1}) {
    const std::string s = ".seed" + std::to_string(seed) + ".trials.npz";
    checkExportedTrials("neurogym", "GoNogo-v0", "task", seed, "GoNogo-v0" + s, 10);
    checkExportedTrials("neurogym", "PostDecisionWager-v0", "task", seed, "PostDecisionWager-v0" + s, 12);
    checkExportedTrials("neurogym", "IntervalDiscrimination-v0", "task", seed, "IntervalDiscrimination-v0" + s, 10);
    checkExportedTrials("neurogym", "ReachingDelayResponse-v0", "task", seed, "ReachingDelayResponse-v0" + s, 10);
    checkExportedTrials("neurogym", "HierarchicalReasoning-v0", "task", seed, "HierarchicalReasoning-v0" + s, 40);
    checkExportedTrials("neurogym", "SpatialSuppressMotion-v0", "task", seed, "SpatialSuppressMotion-v0" + s, 10);
    checkExportedTrials("neurogym", "DelayComparison-v0", "notebook", seed, "DelayComparison-v0.notebook" + s, 10);
  }
  checkExportedTrials("neurogym-yang19", "yang19.dm1-v0", "task", 1, "yang19.dm1-v0.seed1.trials.npz", 20);
  checkExportedTrials("neurogym-yang19", "yang19.dnmc-v0", "task", 0, "yang19.dnmc-v0.seed0.trials.npz", 20);
  checkExportedTrials("neurogym-yang19", "yang19", "task", 1, "yang19.ScheduleEnvs.seed1.trials.npz", 30);
}

TEST_CASE("mnemo task --rng numpy --export-batches equals neurogym's Dataset", "[task][cli][neurogym-golden]") {
  for (int seed : {0, 1}) {
    const std::string s = ".seed" + std::to_string(seed) + ".batches.npz";
    checkExportedBatches("GoNogo-v0", "task", seed, "GoNogo-v0" + s);
    checkExportedBatches("PostDecisionWager-v0", "task", seed, "PostDecisionWager-v0" + s);
    checkExportedBatches("ReachingDelayResponse-v0", "task", seed, "ReachingDelayResponse-v0" + s);
    // Starts from the block state neurogym's Dataset leaves before seeding.
    checkExportedBatches("HierarchicalReasoning-v0", "task", seed, "HierarchicalReasoning-v0" + s);
    checkExportedBatches("SpatialSuppressMotion-v0", "task", seed, "SpatialSuppressMotion-v0" + s);
    checkExportedBatches("DelayComparison-v0", "notebook", seed, "DelayComparison-v0.notebook" + s);
  }
}

TEST_CASE("mnemo task: bad --rng and task names are one-line errors", "[task][cli]") {
  auto r = runMnemo({"task", "--rng", "pcg"});
  CHECK(r.code != 0);
  CHECK(r.err.find("pcg") != std::string::npos);
  r = runMnemo({"task", "--task", "GoNogo", "--preset", "task"});
  CHECK(r.code != 0);
  CHECK(r.err.find("did you mean GoNogo-v0") != std::string::npos);
  r = runMnemo({"task", "--task", "yang19.dm3-v0"});
  CHECK(r.code != 0);
  CHECK(r.err.find("yang19.dm1-v0") != std::string::npos);
  r = runMnemo({"task", "--task", "GoNogo-v0", "--timing", "response=500"});
  CHECK(r.code != 0);
  CHECK(r.err.find("'response' names no period of GoNogo-v0") != std::string::npos);
  // The notebook preset's own 'response' entry stays a warning.
  r = runMnemo({"task", "--seed", "2"});
  CHECK(r.code == 0);
  CHECK(r.err.find("warning: timing entry 'response'") != std::string::npos);
  r = runMnemo({"task", "--task", "GoNogo-v0", "--preset", "task", "--rng", "numpy", "--stats", "50"});
  CHECK(r.code == 0);
  CHECK(r.out.find("task=GoNogo-v0 obs=3 actions=2 targets=0 dt=100 trials=50 mean_length=15 min_length=15 max_length=15 ") ==
        0);
  CHECK(r.out.find(" chance_uniform=1 chance_majority=1\n") != std::string::npos);  // one label > 0: go
  r = runMnemo({"task", "--list"});
  CHECK(r.code == 0);
  CHECK(r.out.find("yang19.ctxdm1-v0: yang19: both modalities shown; choose by modality 1 only") != std::string::npos);
  CHECK(r.out.find("GoNogo-v0: ") != std::string::npos);
  CHECK(r.out.find("3 inputs, 2 labels, dt 100 ms; periods: fixation 0, stimulus 500") != std::string::npos);
}
