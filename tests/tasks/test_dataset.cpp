// Tests for the streaming Dataset: cache length, contiguous windows within a fill, the refill
// on the 21st call with the tail discarded, shapes and dtypes, seeding, served-trial metadata.
#include <catch2/catch.hpp>

#include <memory>
#include <type_traits>

#include "support/error.h"
#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"
#include "tasks/perceptual_decision_making.h"
#include "tasks/registry.h"

using namespace mnemo;

namespace {

std::shared_ptr<const Task> notebookTask() {
  TaskConfig c = notebookConfig();
  c.warn = [](const std::string&) {};
  return std::make_shared<DelayComparison>(c);
}

// Rebuilds one cache fill the way the spec describes it, from the columns' own generators:
// back-to-back trials from position 0, the last one cut at cacheLen.
struct ExpectedCache {
  std::vector<float> inputs;    // [L, B, obs]
  std::vector<int64_t> labels;  // [L, B]
};

ExpectedCache expectedFill(const Task& task, std::vector<Rng>& rngs, int L) {
  const int B = static_cast<int>(rngs.size()), obs = task.obsSize();
  ExpectedCache c{std::vector<float>(size_t(L) * B * obs), std::vector<int64_t>(size_t(L) * B)};
  for (int b = 0; b < B; ++b) {
    int pos = 0;
    while (pos < L) {
      Trial t = task.newTrial(rngs[size_t(b)]);
      for (int s = 0; s < t.length() && pos + s < L; ++s) {
        for (int k = 0; k < obs; ++k) c.inputs[(size_t(pos + s) * B + b) * obs + k] = t.input(s, k);
        c.labels[size_t(pos + s) * B + b] = t.labels[size_t(s)];
      }
      pos += t.length();
    }
  }
  return c;
}

}  // namespace

TEST_CASE("Dataset: cache length follows neurogym's rule", "[task][dataset]") {
  CHECK(Dataset::defaultCacheLen(2, 16, 100) == 2100);
  CHECK(Dataset::defaultCacheLen(2, 1, 100) == 33400);   // c = 33333.3
  CHECK(Dataset::defaultCacheLen(3, 32, 50) == 800);     // c = 781.25
  Dataset d(notebookTask());
  CHECK(d.cacheLen() == 2100);
  CHECK(d.fills() == 1);  // filled on construction
  CHECK(d.calls() == 0);
}

TEST_CASE("Dataset: mnemo's generator raises a short cache to 6 windows within 3e5 values", "[task][dataset]") {
  // 33 channels: neurogym's rule gives 2 windows (c = 183.8); 3e5 values would allow 600 steps.
  CHECK(Dataset::defaultCacheLen(33, 16, 100) == 200);
  CHECK(Dataset::mnemoCacheLen(33, 16, 100) == 600);
  // Already long enough: neurogym's rule stands.
  CHECK(Dataset::mnemoCacheLen(2, 16, 100) == 2100);
  CHECK(Dataset::mnemoCacheLen(3, 32, 50) == 800);
  // 3e5 values do not hold 6 windows: neurogym's rule with that budget (c = 347.2 -> 4 windows),
  // never below neurogym's own.
  CHECK(Dataset::mnemoCacheLen(53, 16, 100) == 400);
  CHECK(Dataset::mnemoCacheLen(53, 256, 1000) == Dataset::defaultCacheLen(53, 256, 1000));
  auto wide = std::shared_ptr<const Task>(makeTask("yang19.dm1-v0"));
  REQUIRE(wide->obsSize() == 33);
  CHECK(Dataset(wide, DatasetConfig{16, 100, 0, 1, false, RngKind::Mnemo}).cacheLen() == 600);
  CHECK(Dataset(wide, DatasetConfig{16, 100, 0, 1, false, RngKind::Numpy}).cacheLen() == 200);
  CHECK(Dataset(wide, DatasetConfig{16, 100, 300, 1, false, RngKind::Mnemo}).cacheLen() == 300);  // explicit
}

TEST_CASE("Dataset: shapes and dtypes", "[task][dataset]") {
  Dataset d(notebookTask(), DatasetConfig{16, 100, 0, 5, true});
  Batch b = d.next();
  static_assert(std::is_same<decltype(b.inputs)::value_type, float>::value, "float32 inputs");
  static_assert(std::is_same<decltype(b.labels)::value_type, int64_t>::value, "int64 labels");
  CHECK(b.seqLen == 100);
  CHECK(b.batchSize == 16);
  CHECK(b.obsSize == 2);
  CHECK(b.inputs.size() == 100u * 16 * 2);
  CHECK(b.labels.size() == 100u * 16);
  // Every column starts a fresh trial at step 0 of a fill: fixation input [1, 0].
  for (int col = 0; col < 16; ++col) {
    CHECK(b.input(0, col, 0) == 1.0f);
    CHECK(b.input(0, col, 1) == 0.0f);
  }
  CHECK_THROWS_AS(Dataset(notebookTask(), DatasetConfig{0, 100, 0, 0, true}), Error);
  CHECK_THROWS_AS(Dataset(notebookTask(), DatasetConfig{16, 100, 50, 0, true}), Error);
}

TEST_CASE("Dataset: windows are contiguous within a fill, the 21st call refills, the tail is discarded",
          "[task][dataset]") {
  const uint64_t seed = 42;
  auto task = notebookTask();
  Dataset d(task, DatasetConfig{16, 100, 0, seed, true});
  std::vector<Rng> rngs;
  for (int b = 0; b < 16; ++b) rngs.emplace_back(seed + b);
  ExpectedCache first = expectedFill(*task, rngs, 2100);
  ExpectedCache second = expectedFill(*task, rngs, 2100);  // continues the same generators

  Batch batch;
  for (int call = 1; call <= 40; ++call) {
    d.next(batch);
    const bool inFirst = call <= 20;
    const ExpectedCache& c = inFirst ? first : second;
    const int start = ((call - 1) % 20) * 100;  // windows [0,100) .. [1900,2000) per fill
    CHECK(d.lastWindowStart() == start);
    CHECK(d.fills() == (inFirst ? 1 : 2));  // the 21st call (and not the 20th) refilled
    bool same = std::equal(batch.inputs.begin(), batch.inputs.end(),
                           c.inputs.begin() + std::ptrdiff_t(start) * 16 * 2);
    bool sameLabels = std::equal(batch.labels.begin(), batch.labels.end(),
                                 c.labels.begin() + std::ptrdiff_t(start) * 16);
    INFO("call " << call);
    REQUIRE(same);
    REQUIRE(sameLabels);
  }
  d.next(batch);
  CHECK(d.fills() == 3);  // calls 1 (construction), 21, 41
  CHECK(d.calls() == 41);
}

TEST_CASE("Dataset: a trial straddling a window boundary continues in the next call",
          "[task][dataset]") {
  auto task = notebookTask();
  Dataset d(task, DatasetConfig{4, 10, 0, 9, true});
  Rng column0(9);  // column 0's generator
  Trial first = task->newTrial(column0);
  REQUIRE(first.length() >= 18);
  Batch a = d.next(), b = d.next();
  for (int s = 0; s < 10; ++s) {
    REQUIRE(a.input(s, 0, 0) == first.input(s, 0));
    REQUIRE(a.input(s, 0, 1) == first.input(s, 1));
    REQUIRE(b.input(s, 0, 0) == first.input(10 + s, 0));
    REQUIRE(b.input(s, 0, 1) == first.input(10 + s, 1));
    REQUIRE(b.label(s, 0) == (10 + s < first.length() ? first.labels[size_t(10 + s)] : b.label(s, 0)));
  }
  std::vector<ServedTrial> served = d.lastBatchTrials();
  REQUIRE(!served.empty());
  CHECK(served[0].column == 0);
  CHECK(served[0].offset == -10);
  CHECK(served[0].info.length == first.length());
}

TEST_CASE("Dataset: served-trial metadata covers every window position once", "[task][dataset]") {
  Dataset d(notebookTask(), DatasetConfig{16, 100, 0, 3, true});
  for (int call = 0; call < 25; ++call) {
    Batch b = d.next();
    std::vector<int> covered(16 * 100, 0);
    for (const ServedTrial& s : d.lastBatchTrials()) {
      for (int k = std::max(0, s.offset); k < std::min(100, s.offset + s.info.length); ++k)
        covered[size_t(s.column) * 100 + k]++;
      const int dec = s.offset + s.info.period("decision").start;
      if (dec >= 0 && dec < 100) REQUIRE(b.label(dec, s.column) == s.info.groundTruth);
    }
    for (int c : covered) REQUIRE(c == 1);
  }
}

TEST_CASE("Dataset: the same seed gives the same batches, different seeds differ", "[task][dataset]") {
  auto task = notebookTask();
  Dataset a(task, DatasetConfig{16, 100, 0, 1234, false});
  Dataset b(task, DatasetConfig{16, 100, 0, 1234, false});
  Dataset c(task, DatasetConfig{16, 100, 0, 1235, false});
  Batch x, y, z;
  bool differs = false;
  for (int i = 0; i < 45; ++i) {
    a.next(x);
    b.next(y);
    c.next(z);
    REQUIRE(x.inputs == y.inputs);
    REQUIRE(x.labels == y.labels);
    differs |= x.inputs != z.inputs;
  }
  CHECK(differs);
}

TEST_CASE("Dataset works for another task", "[task][dataset][pdm]") {
  Dataset d(std::make_shared<PerceptualDecisionMaking>(), DatasetConfig{8, 50, 0, 1, true});
  CHECK(d.cacheLen() == Dataset::defaultCacheLen(3, 8, 50));
  Batch b = d.next();
  CHECK(b.inputs.size() == 50u * 8 * 3);
  CHECK(b.input(0, 0, 0) == 1.0f);
}

TEST_CASE("Dataset rejects a task whose trials are empty", "[task][dataset]") {
  TaskConfig c;
  c.timing = {{"fixation", 0}, {"stimulus", 0}, {"delay", 0}, {"decision", 50}};  // 50 ms < dt
  auto task = std::make_shared<PerceptualDecisionMaking>(c);
  CHECK_THROWS_AS(Dataset(task, DatasetConfig{2, 10, 0, 0, true}), Error);
  TaskConfig bad;
  bad.timing = {{"stimulus", TimingSpec::function([](Rng&) { return -5.0; }, "negative")}};
  Rng rng(1);
  CHECK_THROWS_AS(PerceptualDecisionMaking(bad).newTrial(rng), Error);
}

TEST_CASE("Dataset: trials built in the cache equal trials built alone, cut ones and schedules included",
          "[task][dataset]") {
  // Wide rows (33 and 53 channels), a schedule writing its rule inputs, row-wise stimuli
  // (SpatialSuppressMotion), noise from both generators; every fill ends in a cut trial.
  for (const char* name : {"yang19", "yang19.dm1-v0", "SpatialSuppressMotion-v0", "DelayMatchSample-v0"}) {
    for (RngKind kind : {RngKind::Mnemo, RngKind::Numpy}) {
      std::shared_ptr<const Task> task(makeTask(name));
      DatasetConfig config{16, 100, 0, 7, false, kind};
      Dataset d(task, config);
      std::vector<Rng> rngs;
      for (int b = 0; b < 16; ++b) rngs.emplace_back(7 + b, kind);
      const int L = d.cacheLen(), windows = (L - 1) / 100;  // windows served per fill
      const int B = 16, obs = task->obsSize();
      Batch batch;
      for (int fill = 0; fill < 2; ++fill) {
        const ExpectedCache c = expectedFill(*task, rngs, L);
        for (int w = 0; w < windows; ++w) {
          d.next(batch);
          INFO(name << " " << rngKindName(kind) << " fill " << fill << " window " << w);
          REQUIRE(d.fills() == fill + 1);
          REQUIRE(std::equal(batch.inputs.begin(), batch.inputs.end(),
                             c.inputs.begin() + std::ptrdiff_t(w) * 100 * B * obs));
          REQUIRE(std::equal(batch.labels.begin(), batch.labels.end(), c.labels.begin() + std::ptrdiff_t(w) * 100 * B));
        }
      }
    }
  }
}
