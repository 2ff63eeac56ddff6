// The 20 tasks of neurogym's `yang19` collection (Yang et al. 2019, "Task representations in
// neural networks trained to perform many cognitive tasks"), ported bit for bit (with the numpy
// generator): go, rtgo, dlygo, anti, rtanti, dlyanti, dm1, dm2, ctxdm1, ctxdm2, multidm, dlydm1,
// dlydm2, ctxdlydm1, ctxdlydm2, multidlydm, dms, dnms, dmc, dnmc, registered as "yang19.<name>-v0".
//
// Every task sees 33 channels: fixation, ring of modality 1 (n = 16 units), ring of modality 2,
// and answers with 17 labels: 0 = fixate, 1 + k = ring unit k. Stimuli are Gaussian bumps on the
// ring: unit k gets 0.8 exp(-d²/2) * strength, d = circular distance to the location / (pi/8).
//
// Reach family (go / anti / rt* / dly*) and match family (dms, dnms, dmc, dnmc): neurogym wraps
// two copies of the task, one per modality, each with its own generator seeded like the task,
// and alternates them trial by trial (modality 0 first); so trials 2k and 2k+1 repeat the same
// draw in modality 1 then 2. mnemo: the modality is Rng::trialsDrawn() % 2 and copy m draws from
// companion stream m (with mnemo's own generator the two streams differ: no repetition).
//   Reach: ground truth g (one draw); the bump (strength 1) at theta_g (anti: theta_g + pi) on the
//   modality's ring during stimulus (rt*: during decision); fixation 1 in fixation, stimulus,
//   delay (rt*: fixation only). Periods fixation 500, stimulus 500, delay 0 (dly*: 500), decision
//   500; rt* tasks have only fixation and decision. Label 1 + g in decision.
//   Match: 'match' / 'non-match', the sample unit i_s; test unit = i_s or the opposite unit
//   (dms/dnms), or a random unit of the same / other half-ring category (dmc/dnmc; category of
//   i_s = i_s > n/2). Periods fixation 300, sample 500, delay 1000, test 500, decision 900;
//   fixation 1 except in decision; noise on the modality's ring over sample, then test. The
//   label is 1 + test unit in decision when the answer is the task's "go" answer (match for
//   dms/dmc, non-match for dnms/dnmc), else 0 throughout.
// Decision family (dm*, ctx*, multi*; one generator, no alternation): two distinct units i1, i2;
//   fixation uniform(200, 500); dm1's stimulus one of {200, 400, 600}, else 500 (dly*: stim1 500,
//   delay 1000, stim2 500); decision 200. Noise on ring 1 then ring 2 over the stimulus
//   period(s); then per stimulated modality the two bumps (strengths coh1 at theta_i1 in
//   stimulus / stim1, coh2 at theta_i2 in stimulus / stim2): coh1, coh2 = 0.5 +- c/2 with
//   c = choice(cohs) * choice(-1, +1), or for dly* two distinct values of {0.3, 0.6, 1.0}; then
//   u = uniform(-1e-6, 1e-6) and the target is i1 if sum_m w_m coh1_m + u > sum_m w_m coh2_m,
//   else i2 (ctx*1 weighs modality 1 only, ctx*2 modality 2). Fixation 1 in fixation only;
//   every channel 0 in decision; label 1 + target there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// The collection's task names in neurogym's order ("yang19.go-v0", ...).
const std::vector<std::string>& yang19TaskNames();

/// The collection trained as one task: "yang19".
constexpr const char* kYang19CollectionName = "yang19";

/// neurogym's ScheduleEnvs over the 20 tasks with rule inputs (env_input=True; see
/// tasks/schedule.h): each trial is the next trial of one task, its inputs followed by 20 rule
/// channels (one-hot of the task, every step). The first trial is always task 0 (go).
std::unique_ptr<Task> makeYang19Collection(const TaskConfig& config, int n = 16);

/// The yang19 task called `name` (one of yang19TaskNames()) with rings of n units (neurogym's
/// dim_ring; even, >= 2), or nullptr for any other name.
std::unique_ptr<Task> makeYang19Task(const std::string& name, const TaskConfig& config, int n = 16);

}  // namespace mnemo
