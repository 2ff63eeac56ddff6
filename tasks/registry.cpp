// The task registry (see registry.h). A new task adds one line to kTasks.
#include "tasks/registry.h"

#include <algorithm>
#include <cctype>

#include "support/error.h"
#include "tasks/anti_reach.h"
#include "tasks/context_decision_making.h"
#include "tasks/dataset.h"
#include "tasks/delay_comparison.h"
#include "tasks/delay_match_category.h"
#include "tasks/delay_match_sample.h"
#include "tasks/delay_match_sample_distractor.h"
#include "tasks/delay_paired_association.h"
#include "tasks/dual_delay_match_sample.h"
#include "tasks/go_nogo.h"
#include "tasks/hierarchical_reasoning.h"
#include "tasks/interval_discrimination.h"
#include "tasks/multisensory_integration.h"
#include "tasks/pdm_delay_response.h"
#include "tasks/perceptual_decision_making.h"
#include "tasks/post_decision_wager.h"
#include "tasks/probabilistic_reasoning.h"
#include "tasks/pulse_decision_making.h"
#include "tasks/reaching.h"
#include "tasks/reaching_delay_response.h"
#include "tasks/schedule.h"
#include "tasks/spatial_suppress_motion.h"
#include "tasks/yang19.h"
#include "tasks/ready_set_go.h"

namespace mnemo {

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Task> (*make)(const TaskConfig&);
  const char* description;  ///< one line for `mnemo task --list`
};

template <typename T>
std::unique_ptr<Task> make(const TaskConfig& config) {
  return std::make_unique<T>(config);
}

const Entry kTasks[] = {
    {DelayComparison::kName, make<DelayComparison>,
     "compare two vibrotactile frequencies separated by a delay (parametric working memory)"},
    {PerceptualDecisionMaking::kName, make<PerceptualDecisionMaking>,
     "report the stronger of two noisy ring stimuli (random-dots style)"},
    {ContextDecisionMaking::kName, make<ContextDecisionMaking>,
     "two modalities of noisy evidence; report the one the (implicit) context selects"},
    {DelayMatchSample::kName, make<DelayMatchSample>,
     "say whether a test stimulus matches the sample held over a delay"},
    {DelayMatchCategory::kName, make<DelayMatchCategory>,
     "say whether sample and test fall in the same category (half of the ring)"},
    {GoNogo::kName, make<GoNogo>,
     "respond to the go stimulus, withhold for the no-go one, after a delay"},
    {ReadySetGo::kName, make<ReadySetGo>,
     "reproduce the measured ready-set interval after set (interval timing)"},
    {MotorTiming::kName, make<MotorTiming>,
     "produce the cued interval (800 or 1500 ms) after the set cue"},
    {OneTwoThreeGo::kName, make<OneTwoThreeGo>,
     "reproduce the interval of three regularly spaced pulses"},
    {MultiSensoryIntegration::kName, make<MultiSensoryIntegration>,
     "combine two noisy modalities, each with its own reliability, into one choice"},
    {AntiReach::kName, make<AntiReach>,
     "reach to the ring location opposite the stimulus (anti, the default) or to it (pro)"},
    {DualDelayMatchSample::kName, make<DualDelayMatchSample>,
     "two samples, two cued tests: match the test against the cued sample"},
    {DelayPairedAssociation::kName, make<DelayPairedAssociation>,
     "respond when the second stimulus is the paired associate of the first"},
    {IntervalDiscrimination::kName, make<IntervalDiscrimination>,
     "say which of two stimuli lasted longer"},
    {PostDecisionWager::kName, make<PostDecisionWager>,
     "a noisy decision, with an optional sure target for a small reward"},
    {ProbabilisticReasoning::kName, make<ProbabilisticReasoning>,
     "weather-prediction: sum the evidence of four shapes, report the likelier side"},
    {PulseDecisionMaking::kName, make<PulseDecisionMaking>,
     "count brief pulses in two streams over several bins; report the side with more"},
    {PerceptualDecisionMakingDelayResponse::kName, make<PerceptualDecisionMakingDelayResponse>,
     "noisy two-way decision reported after a variable delay"},
    {DelayMatchSampleDistractor1D::kName, make<DelayMatchSampleDistractor1D>,
     "respond to the test that matches the sample, ignoring distractors"},
    {ReachingDelayResponse::kName, make<ReachingDelayResponse>,
     "remember a direction in [0, 1] over a delay and report it (continuous target: go, direction)"},
    {Reaching1D::kName, make<Reaching1D>,
     "reach to a target angle on a ring (labels are neurogym's truncated angles)"},
    {Reaching1DWithSelfDistraction::kName, make<Reaching1DWithSelfDistraction>,
     "Reaching1D with a self-distracting ring code"},
    {HierarchicalReasoning::kName, make<HierarchicalReasoning>,
     "judge a delay short or long; the rule mapping it to a location flips in unannounced blocks"},
    {SpatialSuppressMotion::kName, make<SpatialSuppressMotion>,
     "4-way motion direction; targets are human choice probabilities over time (continuous, dt 8.3 ms)"},
};

/// One line per yang19 task, by its short name (yang19.<short>-v0).
const std::pair<const char*, const char*> kYang19Descriptions[] = {
    {"go", "saccade to the stimulus after fixation ends"},
    {"rtgo", "saccade to the stimulus as soon as it appears (reaction time)"},
    {"dlygo", "saccade to a remembered stimulus after a delay"},
    {"anti", "saccade opposite the stimulus after fixation ends"},
    {"rtanti", "saccade opposite the stimulus as soon as it appears"},
    {"dlyanti", "saccade opposite a remembered stimulus after a delay"},
    {"dm1", "choose the stronger of two bumps in modality 1"},
    {"dm2", "choose the stronger of two bumps in modality 2"},
    {"ctxdm1", "both modalities shown; choose by modality 1 only"},
    {"ctxdm2", "both modalities shown; choose by modality 2 only"},
    {"multidm", "both modalities shown; choose by their summed strength"},
    {"dlydm1", "two bumps in modality 1 one after the other, a delay apart; choose the stronger"},
    {"dlydm2", "two bumps in modality 2 one after the other, a delay apart; choose the stronger"},
    {"ctxdlydm1", "delayed comparison in both modalities; choose by modality 1"},
    {"ctxdlydm2", "delayed comparison in both modalities; choose by modality 2"},
    {"multidlydm", "delayed comparison in both modalities; choose by the summed strength"},
    {"dms", "delayed match to sample: respond to the test if it matches the sample"},
    {"dnms", "delayed non-match to sample: respond to the test if it differs"},
    {"dmc", "delayed match to category: respond if test and sample share a half-ring"},
    {"dnmc", "delayed non-match to category: respond if they do not"},
};

/// Levenshtein distance between two names, ignoring case.
size_t editDistance(const std::string& a, const std::string& b) {
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// Lower-case `s` without a trailing "-v0".
std::string stem(const std::string& s) {
  std::string out = s;
  if (out.size() > 3 && out.compare(out.size() - 3, 3, "-v0") == 0) out.resize(out.size() - 3);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::unique_ptr<Task> makeScheduleOf(const std::string& list, const TaskConfig& config) {
  TaskConfig each = config;
  each.skipUnknownPeriods = true;  // the schedule checks the timing against all its tasks
  std::vector<std::unique_ptr<Task>> tasks;
  size_t start = 0;
  while (true) {
    const size_t comma = list.find(',', start);
    const std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (name.empty()) MNEMO_FAIL("bad task list '" << list << "': an empty name");
    if (name == kYang19CollectionName)
      MNEMO_FAIL("bad task list '" << list << "': list the yang19 tasks one by one (yang19.go-v0,...)");
    tasks.push_back(makeTask(name, each));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return makeTaskSchedule(list, std::move(tasks), config);
}

std::unique_ptr<Task> makeTask(const std::string& name, const TaskConfig& config) {
  for (const Entry& e : kTasks)
    if (name == e.name) return e.make(config);
  if (std::unique_ptr<Task> t = makeYang19Task(name, config)) return t;
  if (name == kYang19CollectionName) return makeYang19Collection(config);
  if (name.find(',') != std::string::npos) return makeScheduleOf(name, config);
  const std::vector<std::string> close = closeTaskNames(name);
  std::string list;
  for (const std::string& n : close) list += (list.empty() ? "" : ", ") + n;
  if (close.empty())
    MNEMO_FAIL("unknown task '" << name << "' (no close match; `mnemo task --list` shows all " << taskNames().size()
                                << " tasks)");
  MNEMO_FAIL("unknown task '" << name << "'; did you mean " << list << "? (`mnemo task --list` shows all)");
}

std::vector<std::string> taskNames() {
  std::vector<std::string> names;
  for (const Entry& e : kTasks) names.push_back(e.name);
  for (const std::string& n : yang19TaskNames()) names.push_back(n);
  names.push_back(kYang19CollectionName);
  return names;
}

std::string taskDescription(const std::string& name) {
  for (const Entry& e : kTasks)
    if (name == e.name) return e.description;
  if (name == kYang19CollectionName)
    return "the 20 yang19 tasks under a random schedule, with a one-hot rule input per task";
  for (const auto& [shortName, text] : kYang19Descriptions)
    if (name == std::string("yang19.") + shortName + "-v0") return std::string("yang19: ") + text;
  MNEMO_FAIL("unknown task '" << name << "'");
}

std::vector<std::string> closeTaskNames(const std::string& name) {
  const std::string wanted = stem(name);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& n : taskNames()) {
    const std::string candidate = stem(n);
    size_t d = editDistance(wanted, candidate);
    // A name that contains the request (or is contained in it) is close whatever its length.
    if (!wanted.empty() && (candidate.find(wanted) != std::string::npos || wanted.find(candidate) != std::string::npos))
      d = std::min<size_t>(d, 1);
    if (d <= std::max<size_t>(2, wanted.size() / 3)) scored.emplace_back(d, n);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 5; ++i) out.push_back(scored[i].second);
  return out;
}

std::function<void(int, Rng&)> neurogymDatasetPreparation(const Task& task, RngKind kind, int batchSize, int seqLen,
                                                          int cacheLen) {
  const auto* hr = dynamic_cast<const HierarchicalReasoning*>(&task);
  if (hr == nullptr || kind != RngKind::Numpy) return nullptr;
  if (cacheLen == 0)
    cacheLen = Dataset::defaultCacheLen(task.obsSize(), batchSize, seqLen, task.targetSize() > 0 ? task.targetSize() : 1);
  // Every column's env went through the same unseeded phase, so they all start alike.
  const HierarchicalReasoningState start = hr->neurogymDatasetStartState(cacheLen);
  return [hr, start](int, Rng& rng) { hr->setState(rng, start); };
}

}  // namespace mnemo
