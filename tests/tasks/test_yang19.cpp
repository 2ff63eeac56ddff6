// The yang19 tasks beyond the reference files: the collection's schedule and rule inputs, and the
// composites' modality alternation, with both generators.
#include <catch2/catch.hpp>

#include <set>

#include "tasks/registry.h"
#include "tasks/yang19.h"

using namespace mnemo;

TEST_CASE("yang19 collection: starts with go, never repeats a task, one-hot rule inputs", "[task][yang19]") {
  for (RngKind kind : {RngKind::Mnemo, RngKind::Numpy}) {
    INFO(rngKindName(kind));
    std::unique_ptr<Task> task = makeTask(kYang19CollectionName);
    REQUIRE(task->obsSize() == 33 + 20);
    REQUIRE(task->actionSize() == 17);
    Rng rng(4, kind);
    Trial t;
    std::set<int> seen;
    int previous = -1;
    for (int n = 0; n < 300; ++n) {
      task->newTrial(rng, t);
      const int k = static_cast<int>(t.info.param("task_index"));
      if (n == 0) CHECK(k == 0);
      REQUIRE(k != previous);
      previous = k;
      seen.insert(k);
      REQUIRE(t.obsSize == 53);
      for (int s = 0; s < t.length(); ++s)
        for (int r = 0; r < 20; ++r) REQUIRE(t.input(s, 33 + r) == (r == k ? 1.0f : 0.0f));
    }
    CHECK(seen.size() == 20);
    CHECK(rng.trialsDrawn() == 300);
  }
}

TEST_CASE("yang19 composites alternate modality 1, 2, 1, ... trial by trial", "[task][yang19]") {
  std::unique_ptr<Task> go = makeTask("yang19.go-v0");
  Rng rng(2);
  Trial t;
  for (int n = 0; n < 10; ++n) {
    go->newTrial(rng, t);
    const int ring = n % 2;  // the stimulus appears on this modality's ring only
    double on = 0, off = 0;
    for (int s = 0; s < t.length(); ++s)
      for (int k = 0; k < 16; ++k) {
        on += t.input(s, 1 + ring * 16 + k);
        off += t.input(s, 1 + (1 - ring) * 16 + k);
      }
    CHECK(on > 0);
    CHECK(off == 0);
  }
}
