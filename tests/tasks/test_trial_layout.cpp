// TrialBuilder's free layout (neurogym's add_period): overlapping periods, computed durations,
// optional periods (and their export), and its misuse errors; plus a task's default dt.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "support/error.h"
#include "tasks/post_decision_wager.h"
#include "tasks/registry.h"
#include "tasks/trial_export.h"
#include "tasks/task.h"

using namespace mnemo;

namespace {

/// A: 300 ms then B: 200 ms; C (computed 450 ms) starts with B and outlasts it; D is optional.
class Overlap : public Task {
 public:
  explicit Overlap(const TaskConfig& c, int misuse = 0)
      : Task(Spec{"Overlap", {{"a", 300}, {"b", 200}, {"c", 0}, {"d", 100}}, {"x"}, {"fixate", "go"}, {}, 50}, c),
        misuse_(misuse) {}

 protected:
  void build(TrialBuilder& b) const override {
    b.addPeriod(0, b.sampleDuration(0), 0);
    b.addPeriod(1, b.sampleDuration(1), b.endMs(0));
    b.addPeriod(2, 450, b.endMs(0));
    if (misuse_ == 1) b.addPeriod(1, 10, 0);
    if (misuse_ == 2) b.period(size_t{3});
    b.finishLayout();
    if (misuse_ == 3) b.period(size_t{3});
    b.addOb(b.period(size_t{2}), 0, 1.0);
    const int last = b.period(size_t{2}).end - 1;
    b.setGroundTruth({last, last + 1}, 1);
  }

 private:
  int misuse_;
};

}  // namespace

TEST_CASE("free layout: overlapping and computed periods set the trial length", "[task][layout]") {
  Overlap task({});
  CHECK(task.dt() == 50);  // the task's own default dt
  Rng rng(1);
  Trial t = task.newTrial(rng);
  REQUIRE(t.info.periods.size() == 3);  // d was never added
  CHECK(t.info.findPeriod("d") == nullptr);
  CHECK(t.info.period("c").start == 6);
  CHECK(t.info.period("c").end == 15);
  CHECK(t.length() == 15);  // c ends after b
  CHECK(t.input(5, 0) == 0.0f);
  CHECK(t.input(6, 0) == 1.0f);
  CHECK(t.labels[14] == 1);
  CHECK(rng.trialsDrawn() == 1);

  TaskConfig dt100;
  dt100.dt = 100;
  CHECK(Overlap(dt100).dt() == 100);
}

TEST_CASE("free layout misuse is an internal error naming the task", "[task][layout]") {
  Rng rng(1);
  CHECK_THROWS_WITH(Overlap({}, 1).newTrial(rng), Catch::Contains("added twice"));
  CHECK_THROWS_WITH(Overlap({}, 2).newTrial(rng), Catch::Contains("before layoutPeriods"));
  CHECK_THROWS_WITH(Overlap({}, 3).newTrial(rng), Catch::Contains("'d' is not in this trial"));
}

TEST_CASE("every registered task builds trials with both generators", "[task][layout]") {
  for (const std::string& name : taskNames()) {
    TaskConfig quiet;
    quiet.warn = [](const std::string&) {};
    auto task = makeTask(name, quiet);
    for (RngKind kind : {RngKind::Mnemo, RngKind::Numpy}) {
      INFO(name << " with the " << rngKindName(kind) << " generator");
      Rng rng(3, kind);
      Trial t;
      for (int i = 0; i < 20; ++i) {
        task->newTrial(rng, t);
        REQUIRE(t.length() > 0);
        REQUIRE(t.inputs.size() == static_cast<size_t>(t.length()) * task->obsSize());
        REQUIRE(std::all_of(t.inputs.begin(), t.inputs.end(), [](float v) { return std::isfinite(v); }));
      }
    }
  }
}

TEST_CASE("trial export marks a period a trial lacks with -1", "[task][layout]") {
  PostDecisionWager task;
  Rng rng(0, RngKind::Numpy);
  std::vector<Trial> trials;
  for (int i = 0; i < 20; ++i) trials.push_back(task.newTrial(rng));
  const NpzArchive z = exportTrials(task, trials, 0);
  const std::vector<int64_t> preSure = z.get("period_pre_sure", NpyType::Int64).values<int64_t>();
  const std::vector<double> wager = z.get("wager", NpyType::Float64).values<double>();
  int with = 0, without = 0;
  for (size_t i = 0; i < trials.size(); ++i) {
    if (wager[i] == 1) {
      ++with;
      CHECK(preSure[2 * i] == trials[i].info.period("pre_sure").start);
      CHECK(preSure[2 * i + 1] == trials[i].info.period("pre_sure").end);
    } else {
      ++without;
      CHECK(preSure[2 * i] == -1);
      CHECK(preSure[2 * i + 1] == -1);
    }
  }
  CHECK(with > 0);
  CHECK(without > 0);
}
