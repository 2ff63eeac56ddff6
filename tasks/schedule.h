// A schedule over whole tasks with rule inputs, neurogym's ScheduleEnvs(envs, RandomSchedule(n),
// env_input=True): each trial is the next trial of one of the tasks, its inputs followed by one
// rule channel per task (a one-hot of the task on every step). Task k draws from companion
// stream 1 + k of the Rng passed in (neurogym: each task's env seeded with the same seed); the
// schedule from stream 0 (its own RandomState(seed)): after a trial of task i the next task is
// uniform among the others (never i again; a one-task schedule repeats it). The first trial is
// task 0. Trials record the task's own parameters, then task_index (its position, named by the
// task in TrialParam::text), and TrialInfo::group = the task's position, so training and analysis
// can report accuracy per task.
//
// The tasks must agree on the number of labels (neurogym forwards the current task's action
// space); observation sizes may differ, the shorter ones padded with zero channels before the
// rule channels.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// The schedule over \p tasks, registered as \p name. Throws mnemo::Error for an empty list or
/// tasks with different numbers of labels.
std::unique_ptr<Task> makeTaskSchedule(const std::string& name, std::vector<std::unique_ptr<Task>> tasks,
                                       const TaskConfig& config);

/// Sets where a schedule stands in the stream \p rng (one Dataset column): the next task
/// \p nextTask, and per task k the trial count nextModality[k] its own stream starts from (the
/// two-modality yang19 tasks show modality count % 2). neurogym's Dataset runs a reset and a
/// first fill before seeding, and seeding keeps the schedule positions they leave; this
/// reproduces them. Throws mnemo::Error for an out-of-range value.
void setScheduleState(Rng& rng, int nextTask, const std::vector<int>& nextModality);

}  // namespace mnemo
