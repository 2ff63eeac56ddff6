// Trials and batches with their metadata as .npz archives that NumPy reads.
//
// exportTrials (N trials of varying length, padded to the longest, Tmax):
//   inputs [N, Tmax, obs] float32 (padding 0), labels [N, Tmax] int64 (padding -1), or for a
//   task with continuous targets labels [N, Tmax, k] float32 (padding NaN),
//   lengths [N] int64, ground_truth [N] int64, one float64 [N] array per task parameter
//   (DelayComparison: v1, v2, pair, delay_ms, ...), period_<name> [N, 2] int64 (start, end
//   steps; -1, -1 if the trial lacks the period),
//   dt float64 (), seed int64 ().
// exportBatches (N successive Dataset calls):
//   inputs [N, T, B, obs] float32, labels [N, T, B] int64 (continuous targets: [N, T, B, k]
//   float32), and one row per served trial (part):
//   trial_batch, trial_column, trial_offset (window step where the trial starts; < 0 if it began
//   in an earlier call), trial_served (its steps in this window), trial_length, trial_ground_truth
//   [K] int64, trial_<param> [K] float64, trial_period_<name> [K, 2] int64; plus dt, seed,
//   cache_len int64 ().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/npz.h"
#include "tasks/dataset.h"
#include "tasks/task.h"

namespace mnemo {

/// `trials` of `task` as an archive (layout in the file comment); `seed` is recorded.
NpzArchive exportTrials(const Task& task, const std::vector<Trial>& trials, uint64_t seed);

/// Draws \p count trials of \p task from \p rng for exportTrials. Refuses with a one-line error
/// naming \p what and the memory limit (support/limits.h) as soon as the trials drawn so far show
/// that all of them, with the padded arrays of the export, would not fit: so an absurd count fails
/// in its first trials instead of exhausting the machine's memory.
std::vector<Trial> drawTrialsForExport(const Task& task, Rng& rng, int64_t count, const std::string& what);

/// The next `count` batches of `dataset` as an archive (layout in the file comment). The
/// dataset must keep trial info for the trial table.
NpzArchive exportBatches(Dataset& dataset, int count);

}  // namespace mnemo
