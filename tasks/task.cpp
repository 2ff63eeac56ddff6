// Task base class and TrialBuilder (see task.h).
#include "tasks/task.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

const PeriodSpan& TrialInfo::period(const std::string& name) const {
  for (const PeriodSpan& p : periods)
    if (p.name == name) return p;
  MNEMO_FAIL("trial has no period '" << name << "'");
}

const PeriodSpan* TrialInfo::findPeriod(const std::string& name) const {
  for (const PeriodSpan& p : periods)
    if (p.name == name) return &p;
  return nullptr;
}

double TrialInfo::param(const std::string& name) const {
  for (const TrialParam& p : params)
    if (p.name == name) return p.value;
  MNEMO_FAIL("trial has no parameter '" << name << "'");
}

Task::Task(Spec spec, const TaskConfig& config)
    : name_(std::move(spec.name)),
      dt_(config.dt.value_or(spec.dt)),
      targetSize_(spec.targetSize),
      obsNames_(std::move(spec.obsNames)),
      actionNames_(std::move(spec.actionNames)),
      paramNames_(std::move(spec.paramNames)) {
  if (!(dt_ > 0) || !std::isfinite(dt_))
    MNEMO_FAIL(name_ << ": dt must be a positive number of ms, got " << dt_);
  if (!(config.sigma >= 0) || !std::isfinite(config.sigma))
    MNEMO_FAIL(name_ << ": sigma must be a finite number >= 0, got " << config.sigma);
  noiseStd_ = config.sigma / std::sqrt(dt_);
  for (auto& [period, timing] : spec.periods) {
    periodNames_.push_back(period);
    timings_.push_back(timing);
  }
  for (const auto& [period, timing] : config.timing) {
    bool found = false;
    for (size_t i = 0; i < periodNames_.size(); ++i) {
      if (periodNames_[i] == period) {
        timings_[i] = timing;
        found = true;
      }
    }
    if (found || config.skipUnknownPeriods) continue;
    std::string names;
    for (const std::string& p : periodNames_) names += (names.empty() ? "" : ", ") + p;
    const auto& tolerated = config.warnOnlyPeriods;
    if (std::find(tolerated.begin(), tolerated.end(), period) == tolerated.end())
      MNEMO_FAIL("timing entry '" << period << "' names no period of " << name_ << " (periods: " << names << ")");
    std::string msg = "timing entry '" + period + "' names no period of " + name_ + " (" + names +
                      "); it has no effect";
    if (config.warn) config.warn(msg);
    else std::cerr << "mnemo: warning: " << msg << "\n";
  }
  // A constant duration is floored once here rather than once per trial (a bad one is left to
  // sampleDuration's error).
  for (const TimingSpec& t : timings_) {
    const bool good = t.kind() == TimingSpec::Kind::Constant && t.values()[0] >= 0 && std::isfinite(t.values()[0]);
    constantMs_.push_back(good ? floorToDt(t.values()[0], dt_) : -1.0);
  }
}

void Task::newTrial(Rng& rng, Trial& trial) const {
  TrialBuilder b(*this, rng, trial);
  build(b);
  MNEMO_CHECK(b.laidOut(), name_ << ": build() did not lay out the periods");
  rng.countTrial();
}

Trial Task::newTrial(Rng& rng) const {
  Trial t;
  newTrial(rng, t);
  return t;
}

TrialBuilder::TrialBuilder(const Task& task, Rng& rng, Trial& trial)
    : task_(task), rng_(&rng), trial_(trial), slots_(trial.periodSlots) {
  slots_.assign(task.periodNames().size(), -1);
  trial_.obsSize = std::max(task.obsSize(), trial.padTo);
  trial_.targetSize = task.targetSize();
  trial_.info.length = 0;
  trial_.info.groundTruth = 0;
  trial_.info.group = -1;
  // info.periods keeps its entries (and their name strings) from the last trial: addPeriod
  // overwrites them in place and finishLayout drops the unused ones.
  // The declared parameters come first, in order, so setParam(index) needs no search; their
  // names survive from the last trial built into the same buffer.
  std::vector<TrialParam>& params = trial_.info.params;
  const std::vector<std::string>& names = task.paramNames();
  bool sameNames = params.size() == names.size();
  for (size_t i = 0; sameNames && i < names.size(); ++i) sameNames = params[i].name == names[i];
  if (!sameNames) {  // another task's (a schedule's sub-tasks alternate): rename in place
    params.resize(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      if (params[i].name != names[i]) params[i].name = names[i];
      params[i].value = std::nan("");
      params[i].text.clear();
    }
  }
}

void TrialBuilder::layoutPeriods() {
  double elapsed = 0;
  for (size_t i = 0; i < task_.periodNames_.size(); ++i) {
    addPeriod(i, sampleDuration(i), elapsed);
    elapsed = endMs(i);
  }
  finishLayout();
}

double TrialBuilder::sampleDuration(size_t index) {
  MNEMO_CHECK(!laidOut_, task_.name() << ": period sampled after finishLayout()");
  const TimingSpec& timing = task_.timings_.at(index);
  if (task_.constantMs_[index] >= 0) return task_.constantMs_[index];
  const double sampled = timing.sample(timing.ownStream() ? rng_->stream(index) : *rng_, latestEndMs_);
  if (!(sampled >= 0) || !std::isfinite(sampled))
    MNEMO_FAIL(task_.name() << ": period '" << task_.periodNames_[index] << "' got duration "
                            << sampled << " ms from " << timing.str());
  return floorToDt(sampled, task_.dt_);
}

void TrialBuilder::addPeriod(size_t index, double durationMs, double startMs) {
  MNEMO_CHECK(!laidOut_, task_.name() << ": period added after finishLayout()");
  MNEMO_CHECK(index < slots_.size() && slots_[index] < 0,
              task_.name() << ": period " << index << " added twice or unknown");
  const double dt = task_.dt_;
  slots_[index] = periodCount_;
  std::vector<PeriodSpan>& periods = trial_.info.periods;
  if (static_cast<size_t>(periodCount_) == periods.size()) periods.emplace_back();
  PeriodSpan& p = periods[static_cast<size_t>(periodCount_++)];
  if (p.name != task_.periodNames_[index]) p.name = task_.periodNames_[index];
  p.startMs = startMs;
  p.endMs = startMs + durationMs;
  const double endStep = p.endMs / dt;
  if (!(endStep <= static_cast<double>(limits::kMaxTrialSteps)))
    MNEMO_FAIL(task_.name() << ": period '" << p.name << "' (timing " << task_.timings_[index].str() << " ms, dt "
                            << dt << " ms) makes the trial " << endStep << " steps long, more than the limit of "
                            << limits::kMaxTrialSteps);
  p.start = static_cast<int>(p.startMs / dt);
  p.end = static_cast<int>(endStep);
  latestEndMs_ = std::max(latestEndMs_, startMs + durationMs);
}

double TrialBuilder::endMs(size_t index) const {
  MNEMO_CHECK(index < slots_.size() && slots_[index] >= 0,
              task_.name() << ": period " << index << " has not been added");
  return trial_.info.periods[static_cast<size_t>(slots_[index])].endMs;
}

void TrialBuilder::finishLayout() {
  MNEMO_CHECK(!laidOut_, task_.name() << ": finishLayout called twice");
  trial_.info.periods.resize(static_cast<size_t>(periodCount_));
  const int length = static_cast<int>(latestEndMs_ / task_.dt_);
  trial_.info.length = length;
  const size_t width = static_cast<size_t>(trial_.obsSize);
  trial_.builtInPlace = trial_.rowTarget && length <= trial_.rowTargetRows && trial_.obsSize == trial_.rowTargetWidth;
  if (trial_.builtInPlace) {  // the caller's rows, zeroed one by one unless they are already
    rows_ = trial_.rowTarget;
    rowStride_ = trial_.rowTargetStride;
    if (!trial_.rowTargetZeroed)
      for (int t = 0; t < length; ++t) std::memset(rows_ + static_cast<size_t>(t) * rowStride_, 0, width * sizeof(float));
  } else {
    // resize and memset: assign(n, 0.0f) fills float by float (~5% of a yang19 batch in perf).
    trial_.inputs.resize(static_cast<size_t>(length) * width);
    if (!trial_.inputs.empty()) std::memset(trial_.inputs.data(), 0, trial_.inputs.size() * sizeof(float));
    rows_ = trial_.inputs.data();
    rowStride_ = width;
  }
  trial_.labels.assign(static_cast<size_t>(length), 0);
  trial_.targets.assign(static_cast<size_t>(length) * trial_.targetSize, 0.0f);
  laidOut_ = true;
}

void TrialBuilder::requireLayout() const {
  MNEMO_CHECK(laidOut_, task_.name() << ": observation set before layoutPeriods()");
}

StepRange TrialBuilder::period(const std::string& name) const {
  requireLayout();
  for (const PeriodSpan& p : trial_.info.periods)
    if (p.name == name) return {p.start, p.end};
  MNEMO_CHECK(false, task_.name() << " has no period '" << name << "'");
  return {};
}

StepRange TrialBuilder::period(size_t index) const {
  requireLayout();
  MNEMO_CHECK(index < slots_.size() && slots_[index] >= 0,
              task_.name() << ": period '" << task_.periodNames_.at(index) << "' is not in this trial");
  const PeriodSpan& p = trial_.info.periods[static_cast<size_t>(slots_[index])];
  return {p.start, p.end};
}

size_t Task::periodIndex(const std::string& name) const {
  for (size_t i = 0; i < periodNames_.size(); ++i)
    if (periodNames_[i] == name) return i;
  MNEMO_FAIL(name_ << " has no period '" << name << "'");
}

void TrialBuilder::setParam(size_t index, double value) {
  TrialParam& p = trial_.info.params.at(index);
  p.value = value;
  p.text.clear();
}

void TrialBuilder::setParam(size_t index, double value, const std::string& text) {
  TrialParam& p = trial_.info.params.at(index);
  p.value = value;
  p.text = text;
}

void TrialBuilder::addOb(StepRange steps, int channel, double value) {
  requireLayout();
  for (int t = steps.begin; t < steps.end; ++t)
    at(t, channel) = static_cast<float>(static_cast<double>(at(t, channel)) + value);
}

void TrialBuilder::setOb(StepRange steps, double value) {
  requireLayout();
  if (steps.end <= steps.begin) return;
  const float v = static_cast<float>(value);
  const int channels = task_.obsSize();
  if (static_cast<size_t>(channels) == rowStride_) {  // back-to-back rows
    std::fill(&at(steps.begin, 0), &at(steps.begin, 0) + static_cast<size_t>(steps.end - steps.begin) * channels, v);
    return;
  }
  for (int t = steps.begin; t < steps.end; ++t) std::fill_n(&at(t, 0), channels, v);  // padded or strided rows
}

void TrialBuilder::setOb(StepRange steps, int channel, double value) {
  requireLayout();
  for (int t = steps.begin; t < steps.end; ++t) at(t, channel) = static_cast<float>(value);
}

void TrialBuilder::addObRow(StepRange steps, int firstChannel, const double* values, int count) {
  requireLayout();
  for (int t = steps.begin; t < steps.end; ++t) {
    float* row = &at(t, firstChannel);
    for (int k = 0; k < count; ++k) row[k] = static_cast<float>(static_cast<double>(row[k]) + values[k]);
  }
}

void TrialBuilder::setObRow(StepRange steps, int firstChannel, const double* values, int count) {
  requireLayout();
  for (int t = steps.begin; t < steps.end; ++t) {
    float* row = &at(t, firstChannel);
    for (int k = 0; k < count; ++k) row[k] = static_cast<float>(values[k]);
  }
}

double* TrialBuilder::scratchRow(int count) {
  if (trial_.rowScratch.size() < static_cast<size_t>(count)) trial_.rowScratch.resize(static_cast<size_t>(count));
  return trial_.rowScratch.data();
}

void TrialBuilder::addRingStimulus(StepRange steps, int firstChannel, const std::vector<double>& prefs, double theta) {
  const int n = static_cast<int>(prefs.size());
  double* row = scratchRow(n);
  for (int k = 0; k < n; ++k) row[k] = std::cos(prefs[static_cast<size_t>(k)] - theta) * 0.5 + 0.5;
  addObRow(steps, firstChannel, row, n);
}

void TrialBuilder::addNoise(StepRange steps, double sigma, int firstChannel, int count) {
  requireLayout();
  if (steps.end <= steps.begin || count <= 0) return;
  // All the normals at once (step-major, channel-minor), then added row by row.
  std::vector<double>& z = trial_.noiseScratch;
  const size_t n = static_cast<size_t>(steps.end - steps.begin) * static_cast<size_t>(count);
  if (z.size() < n) z.resize(n);
  rng_->fillNormal(z.data(), n);
  const double* draw = z.data();
  for (int t = steps.begin; t < steps.end; ++t, draw += count) {
    float* row = &at(t, firstChannel);
    for (int k = 0; k < count; ++k) row[k] = static_cast<float>(static_cast<double>(row[k]) + sigma * draw[k]);
  }
}

void TrialBuilder::addNoise(StepRange steps, double sigma) {
  addNoise(steps, sigma, 0, task_.obsSize());
}

void TrialBuilder::setGroundTruth(StepRange steps, int64_t label) {
  requireLayout();
  for (int t = steps.begin; t < steps.end; ++t) trial_.labels[static_cast<size_t>(t)] = label;
  trial_.info.groundTruth = label;
}

void TrialBuilder::setTarget(StepRange steps, const std::vector<double>& values) {
  requireLayout();
  MNEMO_CHECK(static_cast<int>(values.size()) == trial_.targetSize,
              task_.name() << ": a target row of " << values.size() << " values, expected " << trial_.targetSize);
  for (int t = steps.begin; t < steps.end; ++t)
    for (size_t k = 0; k < values.size(); ++k)
      trial_.targets[static_cast<size_t>(t) * values.size() + k] = static_cast<float>(values[k]);
}

void TrialBuilder::setParam(const std::string& name, double value) {
  for (TrialParam& p : trial_.info.params) {
    if (p.name == name) {
      p.value = value;
      return;
    }
  }
  trial_.info.params.push_back({name, value, {}});
}

}  // namespace mnemo
