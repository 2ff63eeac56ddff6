// The task registry (see registry.h). A new task adds one line to kTasks.
#include "tasks/registry.h"

#include "support/error.h"
#include "tasks/anti_reach.h"
#include "tasks/context_decision_making.h"
#include "tasks/delay_comparison.h"
#include "tasks/delay_match_category.h"
#include "tasks/delay_match_sample.h"
#include "tasks/delay_match_sample_distractor.h"
#include "tasks/delay_paired_association.h"
#include "tasks/dual_delay_match_sample.h"
#include "tasks/go_nogo.h"
#include "tasks/interval_discrimination.h"
#include "tasks/multisensory_integration.h"
#include "tasks/pdm_delay_response.h"
#include "tasks/perceptual_decision_making.h"
#include "tasks/post_decision_wager.h"
#include "tasks/probabilistic_reasoning.h"
#include "tasks/pulse_decision_making.h"
#include "tasks/reaching.h"
#include "tasks/yang19.h"
#include "tasks/ready_set_go.h"

namespace mnemo {

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Task> (*make)(const TaskConfig&);
};

template <typename T>
std::unique_ptr<Task> make(const TaskConfig& config) {
  return std::make_unique<T>(config);
}

const Entry kTasks[] = {
    {DelayComparison::kName, make<DelayComparison>},
    {PerceptualDecisionMaking::kName, make<PerceptualDecisionMaking>},
    {ContextDecisionMaking::kName, make<ContextDecisionMaking>},
    {DelayMatchSample::kName, make<DelayMatchSample>},
    {DelayMatchCategory::kName, make<DelayMatchCategory>},
    {GoNogo::kName, make<GoNogo>},
    {ReadySetGo::kName, make<ReadySetGo>},
    {MotorTiming::kName, make<MotorTiming>},
    {OneTwoThreeGo::kName, make<OneTwoThreeGo>},
    {MultiSensoryIntegration::kName, make<MultiSensoryIntegration>},
    {AntiReach::kName, make<AntiReach>},
    {DualDelayMatchSample::kName, make<DualDelayMatchSample>},
    {DelayPairedAssociation::kName, make<DelayPairedAssociation>},
    {IntervalDiscrimination::kName, make<IntervalDiscrimination>},
    {PostDecisionWager::kName, make<PostDecisionWager>},
    {ProbabilisticReasoning::kName, make<ProbabilisticReasoning>},
    {PulseDecisionMaking::kName, make<PulseDecisionMaking>},
    {PerceptualDecisionMakingDelayResponse::kName, make<PerceptualDecisionMakingDelayResponse>},
    {DelayMatchSampleDistractor1D::kName, make<DelayMatchSampleDistractor1D>},
    {Reaching1D::kName, make<Reaching1D>},
    {Reaching1DWithSelfDistraction::kName, make<Reaching1DWithSelfDistraction>},
};

}  // namespace

std::unique_ptr<Task> makeTask(const std::string& name, const TaskConfig& config) {
  for (const Entry& e : kTasks)
    if (name == e.name) return e.make(config);
  if (std::unique_ptr<Task> t = makeYang19Task(name, config)) return t;
  if (name == kYang19CollectionName) return makeYang19Collection(config);
  std::string known;
  for (const std::string& n : taskNames()) known += (known.empty() ? "" : ", ") + n;
  MNEMO_FAIL("unknown task '" << name << "' (known: " << known << ")");
}

std::vector<std::string> taskNames() {
  std::vector<std::string> names;
  for (const Entry& e : kTasks) names.push_back(e.name);
  for (const std::string& n : yang19TaskNames()) names.push_back(n);
  names.push_back(kYang19CollectionName);
  return names;
}

}  // namespace mnemo
