// The task registry: tasks by name, so the command line can pick one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace mnemo {

/// The task called `name` (e.g. "DelayComparison-v0") built with `config`. Throws mnemo::Error
/// listing the known names if there is no such task.
std::unique_ptr<Task> makeTask(const std::string& name, const TaskConfig& config = {});

/// Every registered task name, in registration order.
std::vector<std::string> taskNames();

}  // namespace mnemo
