// Tests for DelayComparison-v0: periods, trial-length distribution, encoding, ground truth,
// noise placement and size, timing overrides and their warning.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "support/error.h"
#include "tasks/delay_comparison.h"
#include "tasks/registry.h"

using namespace mnemo;

namespace {

TaskConfig quietNotebook(std::vector<std::string>* warnings = nullptr) {
  TaskConfig c = notebookConfig();
  c.warn = [warnings](const std::string& m) {
    if (warnings) warnings->push_back(m);
  };
  return c;
}

// The name of the period holding step s.
const std::string& periodAt(const TrialInfo& info, int s) {
  for (const PeriodSpan& p : info.periods)
    if (s >= p.start && s < p.end) return p.name;
  FAIL("step outside the trial");
  return info.periods[0].name;
}

}  // namespace

TEST_CASE("DelayComparison: the five periods in order with the notebook timing", "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  REQUIRE(task.periodNames() ==
          std::vector<std::string>{"fixation", "stimulus1", "delay", "stimulus2", "decision"});
  REQUIRE(task.obsSize() == 2);
  REQUIRE(task.actionSize() == 3);
  Rng rng(1);
  Trial trial;
  for (int i = 0; i < 2000; ++i) {
    task.newTrial(rng, trial);
    const TrialInfo& info = trial.info;
    REQUIRE(info.periods.size() == 5);
    int pos = 0;
    for (const PeriodSpan& p : info.periods) {
      REQUIRE(p.start == pos);  // back to back from step 0
      pos = p.end;
    }
    REQUIRE(info.length == pos);
    CHECK(info.period("fixation").length() == 5);
    CHECK(info.period("stimulus1").length() == 5);
    CHECK(info.period("stimulus2").length() == 5);
    CHECK(info.period("decision").length() == 1);
    const int delay = info.period("delay").length();
    REQUIRE((delay == 2 || delay == 4 || delay == 8 || delay == 16 || delay == 32));
    CHECK(info.param("delay_ms") == delay * 100);
    REQUIRE(trial.inputs.size() == static_cast<size_t>(info.length) * 2);
    REQUIRE(trial.labels.size() == static_cast<size_t>(info.length));
  }
}

TEST_CASE("DelayComparison: trial lengths 18, 20, 24, 32, 48 are equally likely", "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  Rng rng(2024);
  Trial trial;
  const int n = 20000;
  std::map<int, int> counts;
  for (int i = 0; i < n; ++i) {
    task.newTrial(rng, trial);
    counts[trial.length()]++;
  }
  REQUIRE(counts.size() == 5);
  double chi2 = 0;
  for (int len : {18, 20, 24, 32, 48}) {
    REQUIRE(counts.count(len) == 1);
    const double expected = n / 5.0;
    chi2 += (counts[len] - expected) * (counts[len] - expected) / expected;
    CHECK(std::fabs(counts[len] / double(n) - 0.2) < 0.015);
  }
  // 4 degrees of freedom: P(chi2 > 18.47) = 0.001 for the right distribution, while any bin off
  // by 0.02 (e.g. 0.18/0.22) already gives chi2 > 40 at this n.
  CHECK(chi2 < 18.47);
}

TEST_CASE("DelayComparison: task-default timing and flooring to dt", "[task][delaycomparison]") {
  TaskConfig c;
  DelayComparison defaults(c);
  Rng rng(3);
  Trial t = defaults.newTrial(rng);
  CHECK(t.length() == 26);  // 500 + 500 + 1000 + 500 + 100 ms at dt 100
  CHECK(t.info.period("delay").length() == 10);

  c.dt = 300;  // 500 → 300, 1000 → 900, 100 → 0 (as neurogym floors)
  DelayComparison coarse(c);
  Trial u = coarse.newTrial(rng);
  CHECK(u.info.period("fixation").length() == 1);
  CHECK(u.info.period("delay").length() == 3);
  CHECK(u.info.period("decision").length() == 0);
  CHECK(u.length() == 6);
  CHECK_THROWS_AS(DelayComparison([] { TaskConfig b; b.dt = 0; return b; }()), Error);
}

TEST_CASE("DelayComparison: encoding of every stimulus value", "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  const std::map<double, double> expected = {{10, 0.5},        {14, 0.5833333333},
                                             {18, 0.6666666667}, {22, 0.75},
                                             {26, 0.8333333333}, {30, 0.9166666667},
                                             {34, 1.0}};
  for (auto& [v, e] : expected) CHECK(task.encode(v) == Approx(e).epsilon(1e-9));

  // Without noise the stimulus channel holds exactly float(encode(v)).
  TaskConfig c = quietNotebook();
  c.sigma = 0;
  DelayComparison clean(c);
  Rng rng(5);
  Trial t;
  std::map<double, int> seenV1;
  for (int i = 0; i < 2000; ++i) {
    clean.newTrial(rng, t);
    const double v1 = t.info.param("v1"), v2 = t.info.param("v2");
    seenV1[v1]++;
    for (int s = 0; s < t.length(); ++s) {
      const std::string& p = periodAt(t.info, s);
      const float fix = t.input(s, 0), stim = t.input(s, 1);
      if (p == "stimulus1") {
        REQUIRE(fix == 1.0f);
        REQUIRE(stim == static_cast<float>(clean.encode(v1)));
      } else if (p == "stimulus2") {
        REQUIRE(fix == 1.0f);
        REQUIRE(stim == static_cast<float>(clean.encode(v2)));
      } else if (p == "decision") {
        REQUIRE(fix == 0.0f);
        REQUIRE(stim == 0.0f);
      } else {
        REQUIRE(fix == 1.0f);
        REQUIRE(stim == 0.0f);
      }
    }
  }
  // Either member of each pair can come first, so v1 takes all 7 values 10..34.
  CHECK(seenV1.size() == 7);
}

TEST_CASE("DelayComparison: ground truth says which stimulus is larger, at the decision step only",
          "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  Rng rng(11);
  Trial t;
  std::map<int64_t, int> gts;
  std::map<int, int> pairs;
  for (int i = 0; i < 5000; ++i) {
    task.newTrial(rng, t);
    const double v1 = t.info.param("v1"), v2 = t.info.param("v2");
    const int pair = static_cast<int>(t.info.param("pair"));
    const auto& vp = DelayComparison::defaultPairs()[static_cast<size_t>(pair)];
    REQUIRE(std::fabs(v1 - v2) == 8);
    REQUIRE(std::max(v1, v2) == vp.first);
    REQUIRE(std::min(v1, v2) == vp.second);
    const int64_t gt = t.info.groundTruth;
    REQUIRE(gt == (v1 > v2 ? 1 : 2));
    gts[gt]++;
    pairs[pair]++;
    const int decision = t.info.period("decision").start;
    REQUIRE(decision == t.length() - 1);
    for (int s = 0; s < t.length(); ++s) REQUIRE(t.labels[s] == (s == decision ? gt : 0));
  }
  CHECK(std::abs(gts[1] - 2500) < 200);
  CHECK(pairs.size() == 5);
}

TEST_CASE("DelayComparison: noise on both channels in the stimulus periods only, std 0.1",
          "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  Rng rng(99);
  Trial t;
  double s0 = 0, ss0 = 0, s1 = 0, ss1 = 0;
  long n = 0, within1Sigma = 0;
  for (int i = 0; i < 20000; ++i) {
    task.newTrial(rng, t);
    const TrialInfo& info = t.info;
    const PeriodSpan& st1 = info.period("stimulus1");
    const PeriodSpan& st2 = info.period("stimulus2");
    const PeriodSpan& dec = info.period("decision");
    for (int s = 0; s < t.length(); ++s) {
      const bool in1 = s >= st1.start && s < st1.end, in2 = s >= st2.start && s < st2.end;
      if (in1 || in2) {
        const double e0 = t.input(s, 0) - 1.0;
        const double e1 = t.input(s, 1) - task.encode(info.param(in1 ? "v1" : "v2"));
        REQUIRE(e0 != 0.0);  // noise is really there, on the fixation channel too
        REQUIRE(e1 != 0.0);
        s0 += e0, ss0 += e0 * e0, s1 += e1, ss1 += e1 * e1, ++n;
        within1Sigma += (std::fabs(e0) < 0.1) + (std::fabs(e1) < 0.1);
      } else {
        const bool inDecision = s >= dec.start;
        REQUIRE(t.input(s, 0) == (inDecision ? 0.0f : 1.0f));  // exact: no noise here
        REQUIRE(t.input(s, 1) == 0.0f);
      }
    }
  }
  REQUIRE(n == 20000L * 10);
  // 200,000 draws per channel: the std's standard error is 0.1/sqrt(2n) = 1.6e-4, so ±1e-3
  // (6 standard errors) is tight yet cannot fail by chance; a wrong sigma (e.g. 1, or
  // 1/sqrt(10)) is far outside.
  const double sd0 = std::sqrt(ss0 / n - (s0 / n) * (s0 / n));
  const double sd1 = std::sqrt(ss1 / n - (s1 / n) * (s1 / n));
  CHECK(std::fabs(sd0 - 0.1) < 1e-3);
  CHECK(std::fabs(sd1 - 0.1) < 1e-3);
  CHECK(std::fabs(s0 / n) < 1e-3);
  CHECK(std::fabs(s1 / n) < 1e-3);
  CHECK(std::fabs(within1Sigma / (2.0 * n) - 0.6827) < 0.005);  // Gaussian shape
}

TEST_CASE("DelayComparison: a timing entry for no period warns once and has no effect",
          "[task][delaycomparison]") {
  std::vector<std::string> warnings;
  DelayComparison notebook(quietNotebook(&warnings));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("'response'") != std::string::npos);
  CHECK(warnings[0].find("no effect") != std::string::npos);
  CHECK(warnings[0].find('\n') == std::string::npos);
  Rng rng(4);
  CHECK(notebook.newTrial(rng).info.period("decision").length() == 1);  // still 100 ms

  warnings.clear();
  TaskConfig known;
  known.timing = {{"delay", TimingSpec::choice({200, 400})}, {"decision", 300}};
  known.warn = [&](const std::string& m) { warnings.push_back(m); };
  DelayComparison task(known);
  CHECK(warnings.empty());
  Trial t = task.newTrial(rng);
  CHECK(t.info.period("decision").length() == 3);
  CHECK((t.info.period("delay").length() == 2 || t.info.period("delay").length() == 4));
}

TEST_CASE("DelayComparison: the same seed gives the same trial", "[task][delaycomparison]") {
  DelayComparison task(quietNotebook());
  Rng a(77), b(77), c(78);
  Trial x = task.newTrial(a), y = task.newTrial(b), z = task.newTrial(c);
  CHECK(x.inputs == y.inputs);
  CHECK(x.labels == y.labels);
  CHECK(x.inputs != z.inputs);
}

TEST_CASE("Task registry builds tasks by name", "[task]") {
  TaskConfig quiet;
  quiet.warn = [](const std::string&) {};
  CHECK(makeTask("DelayComparison-v0", quiet)->name() == "DelayComparison-v0");
  CHECK(makeTask("PerceptualDecisionMaking-v0", quiet)->obsSize() == 3);
  CHECK(taskNames().size() >= 2);
  try {
    makeTask("NoSuchTask-v0");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("DelayComparison-v0") != std::string::npos);
  }
}
