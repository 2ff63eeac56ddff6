// The yang19 collection (see yang19.h).
#include "tasks/yang19.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "support/error.h"
#include "tasks/neurogym_util.h"
#include "tasks/schedule.h"

namespace mnemo {

namespace {

/// neurogym's _gaussianbump at one unit: float64, in neurogym's order of operations.
double gaussianBump(double location, double theta, double strength) {
  double d = std::fabs(location - theta);
  d = std::min(d, 2 * M_PI - std::fabs(location - theta));
  d /= M_PI / 8;
  return 0.8 * std::exp(-(d * d) / 2) * strength;
}

std::vector<std::string> channelNames(int n) {
  std::vector<std::string> names{"fixation"};
  for (int mod = 1; mod <= 2; ++mod)
    for (int k = 1; k <= n; ++k) names.push_back("mod" + std::to_string(mod) + "_" + std::to_string(k));
  return names;
}

/// The unit-strength bump at every location over the ring theta, row g at g * theta.size(): a
/// trial's bump is a row times its strength, the same value as gaussianBump(location, theta_k,
/// strength) ((0.8 e) 1 = 0.8 e, then times the strength), computed once per task.
std::vector<double> bumpTable(const std::vector<double>& theta, const std::vector<double>& locations) {
  std::vector<double> table;
  for (double location : locations)
    for (double t : theta) table.push_back(gaussianBump(location, t, 1));
  return table;
}

/// Adds bump row `location` of `table` times `strength` to ring `modality` (0 or 1) over `steps`.
void addBump(TrialBuilder& b, const std::vector<double>& table, size_t location, int n, StepRange steps,
             int modality, double strength) {
  const double* bump = &table[location * static_cast<size_t>(n)];
  double* row = b.scratchRow(n);
  for (int k = 0; k < n; ++k) row[k] = bump[k] * strength;
  b.addObRow(steps, 1 + modality * n, row, n);
}

/// Go / anti, with or without a delay, or as reaction-time tasks.
class Reach : public Task {
 public:
  Reach(const std::string& name, bool anti, bool reaction, double delayMs, int n, const TaskConfig& config)
      : Task(Spec{name, periods(reaction, delayMs), channelNames(n), ringNames("fixate", "choice", n),
                  {"gt", "anti"}},
             config),
        anti_(anti),
        reaction_(reaction),
        n_(n),
        theta_(ringAngles(n)) {
    std::vector<double> shown;
    for (double t : theta_) shown.push_back(anti_ ? std::fmod(t + M_PI, 2 * M_PI) : t);
    bumps_ = bumpTable(theta_, shown);
  }

 protected:
  void build(TrialBuilder& b) const override {
    const int modality = static_cast<int>(b.rng().trialsDrawn() % 2);
    b.drawFrom(b.rng().stream(static_cast<size_t>(modality)));
    const size_t gt = b.rng().below(n_);
    b.layoutPeriods();
    const size_t decision = periodNames().size() - 1;
    if (reaction_) {
      b.addOb(b.period(size_t{0}), 0, 1.0);
      addBump(b, bumps_, gt, n_, b.period(decision), modality, 1);
    } else {
      for (size_t p : {0, 1, 2}) b.addOb(b.period(p), 0, 1.0);
      addBump(b, bumps_, gt, n_, b.period(size_t{1}), modality, 1);
    }
    b.setGroundTruth(b.period(decision), static_cast<int64_t>(gt) + 1);
    b.setParam(size_t{0}, static_cast<double>(gt));
    b.setParam(size_t{1}, anti_ ? 1.0 : 0.0);
  }

 private:
  static std::vector<std::pair<std::string, TimingSpec>> periods(bool reaction, double delayMs) {
    if (reaction) return {{"fixation", 500}, {"decision", 500}};
    return {{"fixation", 500}, {"stimulus", 500}, {"delay", delayMs}, {"decision", 500}};
  }
  bool anti_, reaction_;
  int n_;
  std::vector<double> theta_;
  std::vector<double> bumps_;  // row g: the bump shown for ground truth g
};

/// Delayed match to sample / category, go on match or on non-match.
class DelayMatch : public Task {
 public:
  DelayMatch(const std::string& name, bool category, bool matchGo, int n, const TaskConfig& config)
      : Task(Spec{name,
                  {{"fixation", 300}, {"sample", 500}, {"delay", 1000}, {"test", 500}, {"decision", 900}},
                  channelNames(n), ringNames("fixate", "choice", n),
                  {"gt", "sample_theta", "test_theta"}},
             config),
        category_(category),
        matchGo_(matchGo),
        n_(n),
        theta_(ringAngles(n)),
        bumps_(bumpTable(theta_, theta_)) {}

 protected:
  void build(TrialBuilder& b) const override {
    enum Period : size_t { kFixation, kSample, kDelay, kTest, kDecision };
    const int modality = static_cast<int>(b.rng().trialsDrawn() % 2);
    b.drawFrom(b.rng().stream(static_cast<size_t>(modality)));
    Rng& rng = b.rng();
    const bool match = rng.below(2) == 0;
    const int half = n_ / 2;
    const int sampleUnit = static_cast<int>(rng.below(n_));
    int testUnit;
    if (category_) {
      const int sampleCategory = sampleUnit > half ? 1 : 0;
      const int testCategory = match ? sampleCategory : 1 - sampleCategory;
      testUnit = static_cast<int>(rng.below(half)) + testCategory * half;
    } else {
      testUnit = match ? sampleUnit : (sampleUnit + half) % n_;
    }
    const double sampleTheta = theta_[static_cast<size_t>(sampleUnit)];
    const double testTheta = theta_[static_cast<size_t>(testUnit)];

    b.layoutPeriods();
    b.addOb(b.period(kFixation), 0, 1.0);
    b.setOb(b.period(kDecision), 0, 0.0);
    addBump(b, bumps_, static_cast<size_t>(sampleUnit), n_, b.period(kSample), modality, 1);
    addBump(b, bumps_, static_cast<size_t>(testUnit), n_, b.period(kTest), modality, 1);
    for (size_t p : {kSample, kTest}) b.addNoise(b.period(p), noiseStd(), 1 + modality * n_, n_);
    if (match == matchGo_) b.setGroundTruth(b.period(kDecision), testUnit + 1);
    b.setParam(size_t{0}, match ? 0.0 : 1.0, match ? "match" : "non-match");
    b.setParam(size_t{1}, sampleTheta);
    b.setParam(size_t{2}, testTheta);
  }

 private:
  bool category_, matchGo_;
  int n_;
  std::vector<double> theta_;
  std::vector<double> bumps_;  // row u: the bump at unit u's direction
};

/// The perceptual decision family: one or both modalities, with or without a delay between the
/// two stimuli, weighing the modalities by w1, w2.
class DecisionMaking : public Task {
 public:
  DecisionMaking(const std::string& name, bool delayed, bool stim1, bool stim2, double w1, double w2,
                 bool dm1Timing, int n, const TaskConfig& config)
      : Task(Spec{name, periods(delayed, dm1Timing), channelNames(n), ringNames("fixate", "choice", n),
                  paramNames(delayed, stim1, stim2)},
             config),
        delayed_(delayed),
        stim_{stim1, stim2},
        w_{w1, w2},
        cohs_(delayed ? std::vector<double>{0.3, 0.6, 1.0} : std::vector<double>{0.08, 0.16, 0.32, 0.64}),
        n_(n),
        theta_(ringAngles(n)),
        bumps_(bumpTable(theta_, theta_)) {}

 protected:
  void build(TrialBuilder& b) const override {
    Rng& rng = b.rng();
    const size_t i1 = rng.below(n_);
    size_t i2;
    do {
      i2 = rng.below(n_);
    } while (i2 == i1);
    b.layoutPeriods();
    const size_t last = periodNames().size() - 1;
    const size_t period1 = 1, period2 = delayed_ ? 3 : 1;
    b.addOb(b.period(size_t{0}), 0, 1.0);
    b.setOb(b.period(last), 0.0);
    for (int mod = 0; mod < 2; ++mod) {
      b.addNoise(b.period(period1), noiseStd(), 1 + mod * n_, n_);
      if (delayed_) b.addNoise(b.period(period2), noiseStd(), 1 + mod * n_, n_);
    }
    size_t param = 0;
    b.setParam(param++, theta_[i1]);
    b.setParam(param++, theta_[i2]);
    if (!delayed_) {
      const PeriodSpan& s = b.info().periods[1];
      b.setParam(param++, s.endMs - s.startMs);
    }
    double sum1 = 0, sum2 = 0;
    for (int mod = 0; mod < 2; ++mod) {
      if (!stim_[mod]) continue;
      double coh1, coh2;
      if (delayed_) {
        const std::vector<int64_t> pick = rng.sampleWithoutReplacement(3, 2);
        coh1 = cohs_[static_cast<size_t>(pick[0])];
        coh2 = cohs_[static_cast<size_t>(pick[1])];
      } else {
        const double c = cohs_[rng.below(cohs_.size())];
        const double sign = rng.below(2) == 0 ? -1.0 : 1.0;
        const double coh = c * sign;
        coh1 = 0.5 + coh / 2;
        coh2 = 0.5 - coh / 2;
      }
      addBump(b, bumps_, i1, n_, b.period(period1), mod, coh1);
      addBump(b, bumps_, i2, n_, b.period(period2), mod, coh2);
      sum1 += w_[mod] * coh1;
      sum2 += w_[mod] * coh2;
      b.setParam(param++, coh1);
      b.setParam(param++, coh2);
    }
    const size_t target = sum1 + rng.uniform(-1e-6, 1e-6) > sum2 ? i1 : i2;
    b.setGroundTruth(b.period(last), static_cast<int64_t>(target) + 1);
  }

 private:
  static std::vector<std::pair<std::string, TimingSpec>> periods(bool delayed, bool dm1Timing) {
    const TimingSpec fixation = TimingSpec::uniform(200, 500);
    if (delayed)
      return {{"fixation", fixation}, {"stim1", 500}, {"delay", 1000}, {"stim2", 500}, {"decision", 200}};
    return {{"fixation", fixation},
            {"stimulus", dm1Timing ? TimingSpec::choice({200, 400, 600}) : TimingSpec(500)},
            {"decision", 200}};
  }
  static std::vector<std::string> paramNames(bool delayed, bool stim1, bool stim2) {
    std::vector<std::string> names{"theta1", "theta2"};
    if (!delayed) names.push_back("stim_period");
    for (int mod = 1; mod <= 2; ++mod) {
      if (!(mod == 1 ? stim1 : stim2)) continue;
      names.push_back("coh1_mod" + std::to_string(mod));
      names.push_back("coh2_mod" + std::to_string(mod));
    }
    return names;
  }
  bool delayed_;
  bool stim_[2];
  double w_[2];
  std::vector<double> cohs_;
  int n_;
  std::vector<double> theta_;
  std::vector<double> bumps_;  // row u: the unit-strength bump at unit u's direction
};

}  // namespace

std::unique_ptr<Task> makeYang19Collection(const TaskConfig& config, int n) {
  std::vector<std::unique_ptr<Task>> tasks;
  TaskConfig each = config;
  each.skipUnknownPeriods = true;  // the schedule checks the timing against all the tasks
  for (const std::string& name : yang19TaskNames()) tasks.push_back(makeYang19Task(name, each, n));
  return makeTaskSchedule(kYang19CollectionName, std::move(tasks), config);
}

const std::vector<std::string>& yang19TaskNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const char* t : {"go", "rtgo", "dlygo", "anti", "rtanti", "dlyanti", "dm1", "dm2", "ctxdm1",
                          "ctxdm2", "multidm", "dlydm1", "dlydm2", "ctxdlydm1", "ctxdlydm2", "multidlydm",
                          "dms", "dnms", "dmc", "dnmc"})
      out.push_back(std::string("yang19.") + t + "-v0");
    return out;
  }();
  return names;
}

std::unique_ptr<Task> makeYang19Task(const std::string& name, const TaskConfig& config, int n) {
  if (n < 2 || n % 2 != 0) MNEMO_FAIL(name << ": the ring size must be even and >= 2, got " << n);
  const std::string prefix = "yang19.", suffix = "-v0";
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return nullptr;
  const std::string t = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (t == "go") return std::make_unique<Reach>(name, false, false, 0, n, config);
  if (t == "rtgo") return std::make_unique<Reach>(name, false, true, 0, n, config);
  if (t == "dlygo") return std::make_unique<Reach>(name, false, false, 500, n, config);
  if (t == "anti") return std::make_unique<Reach>(name, true, false, 0, n, config);
  if (t == "rtanti") return std::make_unique<Reach>(name, true, true, 0, n, config);
  if (t == "dlyanti") return std::make_unique<Reach>(name, true, false, 500, n, config);
  //                                                 delayed stim1  stim2  w1 w2 dm1
  if (t == "dm1") return std::make_unique<DecisionMaking>(name, false, true, false, 1, 1, true, n, config);
  if (t == "dm2") return std::make_unique<DecisionMaking>(name, false, false, true, 1, 1, false, n, config);
  if (t == "ctxdm1") return std::make_unique<DecisionMaking>(name, false, true, true, 1, 0, false, n, config);
  if (t == "ctxdm2") return std::make_unique<DecisionMaking>(name, false, true, true, 0, 1, false, n, config);
  if (t == "multidm") return std::make_unique<DecisionMaking>(name, false, true, true, 1, 1, false, n, config);
  if (t == "dlydm1") return std::make_unique<DecisionMaking>(name, true, true, false, 1, 1, false, n, config);
  if (t == "dlydm2") return std::make_unique<DecisionMaking>(name, true, false, true, 1, 1, false, n, config);
  if (t == "ctxdlydm1") return std::make_unique<DecisionMaking>(name, true, true, true, 1, 0, false, n, config);
  if (t == "ctxdlydm2") return std::make_unique<DecisionMaking>(name, true, true, true, 0, 1, false, n, config);
  if (t == "multidlydm") return std::make_unique<DecisionMaking>(name, true, true, true, 1, 1, false, n, config);
  if (t == "dms") return std::make_unique<DelayMatch>(name, false, true, n, config);
  if (t == "dnms") return std::make_unique<DelayMatch>(name, false, false, n, config);
  if (t == "dmc") return std::make_unique<DelayMatch>(name, true, true, n, config);
  if (t == "dnmc") return std::make_unique<DelayMatch>(name, true, false, n, config);
  return nullptr;
}

}  // namespace mnemo
