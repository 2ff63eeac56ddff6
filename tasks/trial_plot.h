// Pictures of trials, like neurogym's plot_env: each observation channel over time, the ground
// truth, and the task periods shaded and labelled, for a few trials shown back to back.
#pragma once

#include <string>
#include <vector>

#include "io/svg.h"
#include "tasks/task.h"

namespace mnemo {

/// A figure with one panel per observation channel and one for the ground truth; `trials` are
/// laid end to end on a time axis in ms, with their periods shaded and trial boundaries dashed.
Figure plotTrials(const Task& task, const std::vector<Trial>& trials, const std::string& title = "");

}  // namespace mnemo
