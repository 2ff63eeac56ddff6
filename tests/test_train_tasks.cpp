// Training on neurogym's generator and on several tasks at once: `mnemo train --rng numpy`
// records its generator in the run, `--task A,B` / `--task yang19` trains one network on a
// schedule of tasks and reports accuracy per task, and `mnemo analyze` groups its trials by task.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include "cli_runner.h"
#include "io/npz.h"
#include "training/checkpoint.h"
#include "training/group_accuracy.h"

using namespace mnemo;
using testing::CliResult;
using testing::TempDir;

namespace {

CliResult train(std::vector<std::string> args) {
  args.insert(args.begin(), {"train", "--no-progress", "--hidden", "8", "--seq-len", "30", "--batch", "4"});
  return testing::runMnemo(args);
}

}  // namespace

TEST_CASE("accuracy per group counts label > 0 positions of each group only", "[train][tasks]") {
  GroupAccuracy acc({"a", "b"});
  // 5 positions, 3 classes: argmax 2, 1, 0, 1, 2.
  const float logits[] = {0, 1, 2, 0, 3, 1, 5, 1, 1, 0, 2, 1, 0, 0, 9};
  const int64_t labels[] = {2, 2, 0, 1, 2};
  const int groups[] = {0, 1, 1, 0, -1};
  acc.add(logits, labels, groups, 5, 3);
  REQUIRE(acc.scores().size() == 2);
  CHECK(acc.scores()[0].counted == 2);  // positions 0 and 3, both right
  CHECK(acc.scores()[0].correct == 2);
  CHECK(acc.scores()[1].counted == 1);  // position 1 (wrong); position 2 has label 0
  CHECK(acc.scores()[1].correct == 0);
  CHECK(acc.scores()[1].accuracy() == 0.0);
  CHECK(std::isnan(GroupScore{}.accuracy()));
}

TEST_CASE("mnemo train --rng numpy records the generator, a task list reports accuracy per task",
          "[train][tasks][cli]") {
  TempDir dir("train_tasks");
  CliResult r = train({"--task", "yang19.go-v0,yang19.dm1-v0", "--rng", "numpy", "--steps", "30", "--print-every", "10",
                       "--out", dir / "run"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("yang19.go-v0,yang19.dm1-v0 (dt 100 ms, seed 0, numpy generator)") != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex("accuracy per task over the last 30 steps [^\n]*\n"
                                            "  yang19\\.go-v0 +[0-9]+ positions  acc [01]\\.[0-9]{3}\n"
                                            "  yang19\\.dm1-v0 +[0-9]+ positions  acc [01]\\.[0-9]{3}\n"
                                            "  mean over tasks +acc [01]\\.[0-9]{3}\n")));
  const Checkpoint ckpt = loadCheckpoint(dir / "run/checkpoint.npz");
  CHECK(ckpt.config.rng == "numpy");
  CHECK(ckpt.config.task == "yang19.go-v0,yang19.dm1-v0");
  CHECK(testing::readFile(dir / "run/config.json").find("\"rng\": \"numpy\"") != std::string::npos);

  // The same run again gives the same losses; the other generator gives other batches.
  CliResult again = train({"--task", "yang19.go-v0,yang19.dm1-v0", "--rng", "numpy", "--steps", "30", "--print-every",
                           "10", "--out", dir / "again"});
  CliResult mnemoRng = train({"--task", "yang19.go-v0,yang19.dm1-v0", "--steps", "30", "--print-every", "10",
                              "--out", dir / "mnemo"});
  REQUIRE(again.code == 0);
  REQUIRE(mnemoRng.code == 0);
  auto lines = [](const std::string& out) { return out.substr(out.find("Step 10"), out.find("accuracy per task") - out.find("Step 10")); };
  CHECK(lines(again.out) == lines(r.out));
  CHECK(lines(mnemoRng.out) != lines(r.out));

  // analyze groups its trials by task.
  CliResult a = testing::runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "20", "--out",
                                   dir / "analysis"});
  INFO(a.err);
  REQUIRE(a.code == 0);
  CHECK(std::regex_search(a.out, std::regex("20 trials of yang19\\.go-v0,yang19\\.dm1-v0 \\(seed [0-9]+, numpy generator\\)")));
  CHECK(std::regex_search(a.out, std::regex("Decision accuracy per task:\n"
                                            "  yang19\\.go-v0 +[01]\\.[0-9]{3} \\([0-9]+ of 10 trials\\)\n"
                                            "  yang19\\.dm1-v0 +[01]\\.[0-9]{3} \\([0-9]+ of 10 trials\\)\n")));
}

TEST_CASE("a continuous-target task trains with an f32 target and a masked mse", "[train][tasks][cli]") {
  TempDir dir("train_continuous");
  const std::string model = std::string(MNEMO_SOURCE_DIR) + "/examples/reaching_mse.mnemo";
  CliResult r = train({"--model", model, "--task", "ReachingDelayResponse-v0", "--rng", "numpy", "--steps", "60",
                       "--print-every", "20", "--lr", "0.01", "--out", dir / "run"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::smatch first, last;
  // No decision accuracy to print for continuous targets.
  REQUIRE(std::regex_search(r.out, first, std::regex("Step 20, Loss ([0-9.]+)\n")));
  REQUIRE(std::regex_search(r.out, last, std::regex("Step 60, Loss ([0-9.]+)\n")));
  CHECK(r.out.find("Acc") == std::string::npos);
  CHECK(std::stod(last[1]) < std::stod(first[1]));  // the masked mse goes down

  // analyze feeds the trials' targets and reports the output's error; the export holds the
  // targets, and its mse is the mean of (logits - targets)^2 recomputed here from the arrays.
  CliResult a = testing::runMnemo({"analyze", "--checkpoint", dir / "run/checkpoint.npz", "--trials", "12", "--out",
                                   dir / "analysis"});
  INFO(a.err);
  REQUIRE(a.code == 0);
  std::smatch err;
  REQUIRE(std::regex_search(a.out, err, std::regex("Output error \\(mean squared, output - target, 12 trials\\): every step "
                                                   "([0-9.]+), last period \\('decision'\\) ([0-9.]+)")));
  CHECK(a.out.find("Decision accuracy") == std::string::npos);
  const NpzArchive npz = readNpz(dir / "analysis/activity.npz");
  const NpyArray& logits = npz.get("logits");
  const std::vector<float> out = logits.values<float>(), target = npz.get("targets").values<float>();
  REQUIRE(out.size() == target.size());
  REQUIRE(logits.shape.size() == 2);
  CHECK(logits.shape[1] == 2);
  double sum = 0;
  for (size_t i = 0; i < out.size(); ++i) sum += (double(out[i]) - target[i]) * (double(out[i]) - target[i]);
  const double mse = sum / static_cast<double>(out.size());
  CHECK(npz.get("mse").values<double>()[0] == Approx(mse).epsilon(1e-9));
  CHECK(std::stod(err[1]) == Approx(mse).epsilon(1e-3));
  CHECK(std::isnan(npz.get("accuracy").values<double>()[0]));
  // The notebook's classifier cannot take continuous targets, and the reaching model no labels.
  CliResult wrong = train({"--task", "ReachingDelayResponse-v0", "--steps", "2", "--out", dir / "x"});
  CHECK(wrong.code != 0);
  CHECK(wrong.err.find("has continuous targets (2 per step): declare it f32[T, B, 2] and train with mse") !=
        std::string::npos);
  CliResult labels = train({"--model", model, "--task", "GoNogo-v0", "--steps", "2", "--out", dir / "y"});
  CHECK(labels.code != 0);
  CHECK(labels.err.find("is f32[30,4,2] (continuous) but task GoNogo-v0 has class labels") != std::string::npos);
}

TEST_CASE("SpatialSuppressMotion trains its four probabilities with an mse model", "[train][tasks][cli]") {
  TempDir dir("train_suppress_motion");
  const std::string model = std::string(MNEMO_SOURCE_DIR) + "/examples/suppress_motion_mse.mnemo";
  CliResult r = train({"--model", model, "--task", "SpatialSuppressMotion-v0", "--rng", "numpy", "--steps", "60",
                       "--print-every", "20", "--lr", "0.01", "--out", dir / "run"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("SpatialSuppressMotion-v0 (dt 8.3 ms, seed 0, numpy generator)") != std::string::npos);
  std::smatch first, last;
  REQUIRE(std::regex_search(r.out, first, std::regex("Step 20, Loss ([0-9.]+)\n")));
  REQUIRE(std::regex_search(r.out, last, std::regex("Step 60, Loss ([0-9.]+)\n")));
  CHECK(std::stod(last[1]) < std::stod(first[1]));
}

TEST_CASE("a task whose labels are not classes cannot be trained with cross-entropy", "[train][tasks][cli]") {
  TempDir dir("train_reaching1d");
  CliResult r = train({"--task", "Reaching1D-v0", "--steps", "2", "--out", dir / "run"});
  CHECK(r.code != 0);
  CHECK(r.err.find("task Reaching1D-v0 produced label 3") != std::string::npos);
  CHECK(r.err.find("outside its 3 actions") != std::string::npos);
}
