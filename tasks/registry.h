// The task registry: tasks by name, so the command line can pick one.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// The task called `name` (e.g. "DelayComparison-v0") built with `config`; a comma-separated list
/// of names is a schedule over those tasks with rule inputs (makeScheduleOf). Throws mnemo::Error
/// listing the close matches (closeTaskNames) if there is no such task.
std::unique_ptr<Task> makeTask(const std::string& name, const TaskConfig& config = {});

/// A schedule over the comma-separated tasks in \p list (tasks/schedule.h), named \p list.
std::unique_ptr<Task> makeScheduleOf(const std::string& list, const TaskConfig& config = {});

/// Every registered task name, in registration order.
std::vector<std::string> taskNames();

/// One line saying what the task is; throws mnemo::Error for an unknown name.
std::string taskDescription(const std::string& name);

/// Registered names close to `name` (edit distance, ignoring case and a "-v0" suffix, or
/// containing it), closest first, at most 5; empty if none is close.
std::vector<std::string> closeTaskNames(const std::string& name);

/// neurogym's Dataset draws trials before it seeds its envs (a reset and a first fill); a task
/// whose state survives seeding (HierarchicalReasoning's rule blocks) starts its batches where
/// that left it. For such a task with the numpy generator: a DatasetConfig::prepareColumn that
/// sets that state for a Dataset of these sizes (cacheLen 0 = the Dataset's default); nullptr
/// for every other task or generator.
std::function<void(int column, Rng& rng)> neurogymDatasetPreparation(const Task& task, RngKind kind, int batchSize,
                                                                      int seqLen, int cacheLen = 0);

}  // namespace mnemo
