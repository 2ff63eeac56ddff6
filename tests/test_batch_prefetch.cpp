// Background prefetch of training batches (training/batch_prefetch.h): the same batches, groups
// and continuous targets in the same order as the plain source, training bit for bit the same
// with and without it, a producer's error raised by the consumer at the batch it concerns, and a
// clean stop whenever the consumer gives up.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "cli_runner.h"
#include "frontend/dsl/model.h"
#include "support/error.h"
#include "tasks/task.h"
#include "training/batch_prefetch.h"
#include "training/batch_source.h"
#include "training/trainer.h"

using namespace mnemo;

namespace {

RunConfig taskRun(const std::string& task, int64_t batch, int64_t seqLen, const std::string& rng = "mnemo") {
  RunConfig run;
  run.task = task;
  run.batch = batch;
  run.seqLen = seqLen;
  run.seed = 3;
  run.rng = rng;
  return run;
}

/// Takes \p count batches from \p plain and \p ahead side by side and checks every value.
void checkSameBatches(BatchSource& plain, BatchSource& ahead, int count, size_t inputs, size_t labels) {
  REQUIRE(ahead.describe() == plain.describe());
  REQUIRE(ahead.groupNames() == plain.groupNames());
  REQUIRE(ahead.targetSize() == plain.targetSize());
  std::vector<float> x0(inputs), x1(inputs);
  std::vector<int64_t> y0(labels), y1(labels);
  for (int i = 0; i < count; ++i) {
    INFO("batch " << i);
    plain.next(x0.data(), y0.data());
    ahead.next(x1.data(), y1.data());
    REQUIRE(std::memcmp(x0.data(), x1.data(), inputs * sizeof(float)) == 0);
    REQUIRE(y0 == y1);
    REQUIRE((plain.lastGroups() == nullptr) == (ahead.lastGroups() == nullptr));
    if (plain.lastGroups()) REQUIRE(std::memcmp(plain.lastGroups(), ahead.lastGroups(), labels * sizeof(int)) == 0);
    REQUIRE((plain.lastTargets() == nullptr) == (ahead.lastTargets() == nullptr));
    if (plain.lastTargets()) {
      const size_t k = static_cast<size_t>(plain.targetSize());
      REQUIRE(std::memcmp(plain.lastTargets(), ahead.lastTargets(), labels * k * sizeof(float)) == 0);
    }
  }
}

/// A source whose \p failAt-th batch (1-based) fails; batch i holds the value i everywhere.
class CountingSource : public BatchSource {
 public:
  CountingSource(size_t inputs, size_t labels, int failAt) : inputs_(inputs), labels_(labels), failAt_(failAt) {}
  void next(float* inputs, int64_t* labels) override {
    if (++made_ == failAt_) MNEMO_FAIL("batch " << made_ << " cannot be made");
    std::fill_n(inputs, inputs_, static_cast<float>(made_));
    std::fill_n(labels, labels_, made_);
  }
  std::string describe() const override { return "counting"; }

 private:
  size_t inputs_, labels_;
  int failAt_;
  int made_ = 0;
};

TrainOptions smallRun(const std::string& task, int64_t steps) {
  TrainOptions o;
  o.run = taskRun(task, 8, 40);
  o.run.modelSource = notebookModelSource();
  o.run.modelFile = kNotebookModelFile;
  o.run.sizes["H"] = 16;
  o.run.lr = 5e-3;
  o.run.steps = steps;
  return o;
}

}  // namespace

TEST_CASE("prefetched task batches are the plain source's, with groups and targets", "[train][prefetch]") {
  SECTION("yang19 (groups, numpy generator)") {
    RunConfig run = taskRun("yang19", 8, 50, "numpy");
    auto task = runTask(run, true);
    const size_t in = static_cast<size_t>(8 * 50 * task->obsSize()), lab = 8 * 50;
    auto plain = taskBatches(run, task->obsSize());
    auto ahead = prefetchBatches(taskBatches(run, task->obsSize()), in, lab);
    checkSameBatches(*plain, *ahead, 60, in, lab);  // past several cache refills
  }
  SECTION("SpatialSuppressMotion (continuous targets)") {
    RunConfig run = taskRun("SpatialSuppressMotion-v0", 4, 30);
    auto task = runTask(run, true);
    const size_t in = static_cast<size_t>(4 * 30 * task->obsSize()), lab = 4 * 30;
    auto plain = taskBatches(run, task->obsSize());
    auto ahead = prefetchBatches(taskBatches(run, task->obsSize()), in, lab);
    checkSameBatches(*plain, *ahead, 40, in, lab);
  }
}

TEST_CASE("a producer's error reaches the consumer at its batch, after the batches before it", "[train][prefetch]") {
  auto ahead = prefetchBatches(std::make_unique<CountingSource>(6, 2, 4), 6, 2);
  std::vector<float> x(6);
  std::vector<int64_t> y(2);
  for (int i = 1; i <= 3; ++i) {
    ahead->next(x.data(), y.data());
    CHECK(x == std::vector<float>(6, static_cast<float>(i)));
    CHECK(y == std::vector<int64_t>(2, i));
  }
  CHECK_THROWS_WITH(ahead->next(x.data(), y.data()), "batch 4 cannot be made");
  CHECK_THROWS_WITH(ahead->next(x.data(), y.data()), "batch 4 cannot be made");  // and stays failed
}

TEST_CASE("a prefetching source stops cleanly whenever the consumer gives up", "[train][prefetch]") {
  // Destroyed before any batch was taken, after one, and while the producer waits with a full slot.
  for (int taken : {0, 1, 5}) {
    auto ahead = prefetchBatches(std::make_unique<CountingSource>(3, 1, 1000), 3, 1);
    std::vector<float> x(3);
    std::vector<int64_t> y(1);
    for (int i = 0; i < taken; ++i) ahead->next(x.data(), y.data());
    if (taken == 5) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it fill the slot
    ahead.reset();  // joins the producer; a hang here fails the test by timeout
    CHECK(!ahead);
  }
}

TEST_CASE("training with prefetch is bit for bit training without it", "[train][prefetch]") {
  if (!prefetchHelps(1)) WARN("one hardware thread: train() does not prefetch here, only the flag is compared");
  for (const std::string task : {"DelayComparison-v0", "yang19"}) {
    INFO(task);
    TrainOptions on = smallRun(task, 25), off = on;
    off.prefetch = false;
    TrainResult a = train(on), b = train(off);
    CHECK(a.loss == b.loss);
    REQUIRE(a.finalParams.size() == b.finalParams.size());
    CHECK(std::memcmp(a.finalParams.data(), b.finalParams.data(), a.finalParams.size() * sizeof(float)) == 0);
    REQUIRE(a.perTask.size() == b.perTask.size());
    for (size_t i = 0; i < a.perTask.size(); ++i) {
      CHECK(a.perTask[i].counted == b.perTask[i].counted);
      CHECK(a.perTask[i].correct == b.perTask[i].correct);
    }
  }
}

TEST_CASE("mnemo train --no-prefetch trains the same run, and a producer's error is the usual one line",
          "[train][prefetch][cli]") {
  testing::TempDir dir("train_prefetch");
  auto run = [&](const std::vector<std::string>& extra, const std::string& out) {
    std::vector<std::string> args = {"train", "--no-progress", "--hidden", "8", "--seq-len", "30", "--batch", "4",
                                     "--steps", "20", "--print-every", "10", "--out", dir / out};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::runMnemo(args);
  };
  testing::CliResult on = run({}, "on"), off = run({"--no-prefetch"}, "off");
  INFO(on.err << off.err);
  REQUIRE(on.code == 0);
  REQUIRE(off.code == 0);
  auto stepLines = [](const std::string& out) { return out.substr(out.find("Step 10"), out.find("trained steps") - out.find("Step 10")); };
  CHECK(stepLines(on.out) == stepLines(off.out));
  // Reaching1D's labels are angles: the producer fails on the first batch, the consumer reports it.
  testing::CliResult bad = run({"--task", "Reaching1D-v0"}, "bad");
  CHECK(bad.code != 0);
  CHECK(bad.err.find("task Reaching1D-v0 produced label 3") != std::string::npos);
  CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
}
