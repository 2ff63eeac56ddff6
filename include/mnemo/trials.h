// Single trials through a trained model, as the notebook's analysis runs them (and
// `mnemo analyze`): each trial at batch 1 and its own length, from the initial state, then a
// 2-component PCA of the hidden activity of all trials.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mnemo/array.h"
#include "mnemo/training.h"

namespace mnemo::api {

/// The arrays of `mnemo analyze`'s activity.npz (documented in analysis/export.h and
/// docs), in that order. With N trials and S time points in all:
///   hidden [S, H] float32 (the notebook's `activity`), state_<name>, logits [S, O], inputs [S, I],
///   labels [S], trial_index [S], trial_start [N], length [N], ground_truth [N], choice [N],
///   correct [N] uint8, decision_step [N], one float64 [N] array per task parameter (v1, v2, ...),
///   period_<name> [N, 2], pca_mean, pca_components [2, H], pca_explained_variance(_ratio) [2],
///   pca_projection [S, 2], dt, seed, accuracy.
struct Trials {
  std::vector<std::pair<std::string, Array>> arrays;
  double accuracy = 0;  ///< decision accuracy over all trials

  /// The array called \p name; throws naming it if there is none.
  const Array& operator[](const std::string& name) const;
};

/// Draws \p count trials of the model's task from \p seed and runs each one; \p state picks the
/// state analysed as `hidden` (empty: the model's first).
Trials runTrials(const TrainedModel& model, int64_t count, uint64_t seed = 0, const std::string& state = "");

}  // namespace mnemo::api
