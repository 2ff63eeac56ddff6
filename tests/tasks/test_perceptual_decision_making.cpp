// Tests for PerceptualDecisionMaking-v0: periods, evidence by coherence, noise placement,
// ground truth.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include "tasks/perceptual_decision_making.h"

using namespace mnemo;

TEST_CASE("PerceptualDecisionMaking: periods and lengths", "[task][pdm]") {
  PerceptualDecisionMaking task;
  REQUIRE(task.periodNames() ==
          std::vector<std::string>{"fixation", "stimulus", "delay", "decision"});
  REQUIRE(task.obsSize() == 3);
  REQUIRE(task.actionSize() == 3);
  Rng rng(1);
  Trial t = task.newTrial(rng);
  CHECK(t.info.period("fixation").length() == 1);
  CHECK(t.info.period("stimulus").length() == 20);
  CHECK(t.info.period("delay").length() == 0);
  CHECK(t.info.period("decision").length() == 1);
  CHECK(t.length() == 22);
}

TEST_CASE("PerceptualDecisionMaking: evidence favours the correct side by coh/100", "[task][pdm]") {
  TaskConfig c;
  c.sigma = 0;
  c.timing = {{"delay", 300}};
  PerceptualDecisionMaking task(c);
  Rng rng(2);
  Trial t;
  std::set<double> cohs;
  for (int i = 0; i < 500; ++i) {
    task.newTrial(rng, t);
    const double coh = t.info.param("coh");
    const int choice = static_cast<int>(t.info.param("gt"));
    cohs.insert(coh);
    REQUIRE(t.info.groundTruth == choice + 1);
    const PeriodSpan& stim = t.info.period("stimulus");
    const PeriodSpan& dec = t.info.period("decision");
    for (int s = 0; s < t.length(); ++s) {
      const bool inStim = s >= stim.start && s < stim.end;
      REQUIRE(t.input(s, 0) == (s < stim.start ? 1.0f : 0.0f));  // fixation cue off = go
      const float right = static_cast<float>(0.5 + coh / 200), wrong = static_cast<float>(0.5 - coh / 200);
      REQUIRE(t.input(s, 1 + choice) == (inStim ? right : 0.0f));
      REQUIRE(t.input(s, 2 - choice) == (inStim ? wrong : 0.0f));
      REQUIRE(t.labels[s] == (s >= dec.start ? choice + 1 : 0));
    }
  }
  CHECK(cohs == std::set<double>{0, 6.4, 12.8, 25.6, 51.2});
}

TEST_CASE("PerceptualDecisionMaking: noise only on the stimulus channels during the stimulus",
          "[task][pdm]") {
  PerceptualDecisionMaking task;
  Rng rng(3);
  Trial t;
  double s = 0, ss = 0;
  long n = 0;
  for (int i = 0; i < 5000; ++i) {
    task.newTrial(rng, t);
    const double coh = t.info.param("coh");
    const int choice = static_cast<int>(t.info.param("gt"));
    const PeriodSpan& stim = t.info.period("stimulus");
    for (int k = 0; k < t.length(); ++k) {
      const bool inStim = k >= stim.start && k < stim.end;
      REQUIRE(t.input(k, 0) == (k < stim.start ? 1.0f : 0.0f));
      for (int side = 0; side < 2; ++side) {
        const double mean = inStim ? 0.5 + (side == choice ? 1 : -1) * coh / 200 : 0.0;
        const double e = t.input(k, 1 + side) - mean;
        if (!inStim) {
          REQUIRE(e == 0.0);
          continue;
        }
        s += e, ss += e * e, ++n;
      }
    }
  }
  REQUIRE(n == 5000L * 20 * 2);
  const double sd = std::sqrt(ss / n - (s / n) * (s / n));
  CHECK(std::fabs(sd - 0.1) < 1e-3);
  CHECK(std::fabs(s / n) < 1e-3);
}
