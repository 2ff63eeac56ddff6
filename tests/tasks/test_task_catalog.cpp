// The task catalogue: a description for every task, timing overrides that name no period (an
// error, except the notebook preset's own 'response'), and schedules over a list of tasks.
#include <catch2/catch.hpp>

#include <set>

#include "support/error.h"
#include "tasks/delay_comparison.h"
#include "tasks/registry.h"
#include "tasks/schedule.h"
#include "tasks/yang19.h"

using namespace mnemo;

TEST_CASE("every registered task has a one-line description", "[task][catalog]") {
  std::set<std::string> seen;
  for (const std::string& name : taskNames()) {
    INFO(name);
    const std::string d = taskDescription(name);
    CHECK(d.size() > 10);
    CHECK(d.find('\n') == std::string::npos);
    CHECK(seen.insert(d).second);  // no two tasks share a description
  }
  CHECK_THROWS_WITH(taskDescription("Nope-v0"), Catch::Contains("unknown task 'Nope-v0'"));
}

TEST_CASE("a timing override naming a period the task lacks is an error", "[task][catalog]") {
  TaskConfig c;
  c.timing = {{"response", TimingSpec(500)}};
  CHECK_THROWS_WITH(makeTask("GoNogo-v0", c),
                    Catch::Contains("timing entry 'response' names no period of GoNogo-v0 (periods: fixation, "
                                    "stimulus, delay, decision)"));
  CHECK_THROWS_WITH(makeTask("DelayComparison-v0", c), Catch::Contains("names no period of DelayComparison-v0"));
  // Only the notebook's configuration keeps its 'response' entry as a warning.
  std::vector<std::string> warnings;
  TaskConfig notebook = notebookConfig();
  notebook.warn = [&](const std::string& m) { warnings.push_back(m); };
  CHECK_NOTHROW(makeTask("DelayComparison-v0", notebook));
  CHECK(warnings.size() == 1);
  notebook.timing.push_back({"respons", TimingSpec(100)});
  CHECK_THROWS_WITH(makeTask("DelayComparison-v0", notebook), Catch::Contains("'respons' names no period"));
}

TEST_CASE("a schedule's timing override must name a period of one of its tasks", "[task][catalog]") {
  TaskConfig c;
  c.timing = {{"stim1", TimingSpec(300)}};  // only the delayed decision tasks have it
  std::unique_ptr<Task> collection;
  REQUIRE_NOTHROW(collection = makeTask(kYang19CollectionName, c));
  Rng rng(0, RngKind::Numpy);
  bool sawStim1 = false;
  for (int i = 0; i < 200; ++i) {
    Trial t = collection->newTrial(rng);
    if (const PeriodSpan* p = t.info.findPeriod("stim1")) {
      CHECK(p->length() == 3);
      sawStim1 = true;
    }
  }
  CHECK(sawStim1);
  c.timing = {{"stimulus9", TimingSpec(300)}};
  CHECK_THROWS_WITH(makeTask(kYang19CollectionName, c),
                    Catch::Contains("timing entry 'stimulus9' names no period of any task of yang19"));
}

TEST_CASE("a comma list of tasks is a schedule with rule inputs", "[task][catalog]") {
  std::unique_ptr<Task> s = makeTask("yang19.go-v0,yang19.dm1-v0,yang19.dms-v0");
  CHECK(s->obsSize() == 33 + 3);
  CHECK(s->actionSize() == 17);
  CHECK(s->obsNames().back() == "rule yang19.dms-v0");
  Rng rng(4);
  std::vector<int> count(3, 0);
  int last = -1;
  for (int i = 0; i < 60; ++i) {
    Trial t = s->newTrial(rng);
    REQUIRE(t.info.group >= 0);
    REQUIRE(t.info.group < 3);
    CHECK(t.info.group != last);  // RandomSchedule never repeats the previous task
    last = t.info.group;
    ++count[static_cast<size_t>(t.info.group)];
    // The rule channel of the trial's task is 1 on every step, the others 0.
    for (int step = 0; step < t.length(); ++step)
      for (int k = 0; k < 3; ++k) REQUIRE(t.input(step, 33 + k) == (k == t.info.group ? 1.0f : 0.0f));
  }
  for (int c : count) CHECK(c > 10);
  // Tasks of a schedule share one output.
  CHECK_THROWS_WITH(makeTask("GoNogo-v0,PerceptualDecisionMaking-v0"),
                    Catch::Contains("PerceptualDecisionMaking-v0 has 3 labels but GoNogo-v0 has 2"));
  CHECK_THROWS_WITH(makeTask("GoNogo-v0,,GoNogo-v0"), Catch::Contains("an empty name"));
  CHECK_THROWS_WITH(makeTask("GoNogo-v0,Nogo-v0"), Catch::Contains("unknown task 'Nogo-v0'"));
  // Observation sizes may differ: the narrower task is padded with zero channels.
  std::unique_ptr<Task> mixed = makeTask("GoNogo-v0,DelayPairedAssociation-v0");
  CHECK(mixed->obsSize() == 5 + 2);
  Rng r2(1);
  Trial first = mixed->newTrial(r2);
  CHECK(first.info.group == 0);
  for (int step = 0; step < first.length(); ++step) {
    CHECK(first.input(step, 3) == 0.0f);
    CHECK(first.input(step, 4) == 0.0f);
  }
}
