// The analysis export of `mnemo analyze` (activity.npz): everything another tool needs to redo
// or extend the analysis, as a .npz file NumPy reads. With N trials, S = the sum of their
// lengths (time points), and the model's sizes I (inputs), H (hidden), O (outputs):
//
//   per time point, trials concatenated in order (the notebook's `activity` is `hidden`):
//     hidden [S, H] float32      h_1..h_len of every trial (state after each step): the state
//                                analysed (--state; default the model's first state)
//     state_<name> [S, n] float32  every state of the model the same way, one array per state
//                                (n = its values per step; state_<first> equals hidden by default)
//     logits [S, O] float32      the network's outputs
//     inputs [S, I] float32      the trial inputs
//     labels [S] int64           the targets (0 = fixate; ground truth at the decision step)
//     targets [S, O] float32     only for a continuous target (its labels are 0): the target
//                                values per step, which the outputs are compared with
//     trial_index [S] int64      which trial each row belongs to
//   per trial (rows trial_start[i] .. trial_start[i] + length[i] - 1 of the arrays above):
//     trial_start, length, ground_truth, choice, decision_step [N] int64; correct [N] uint8;
//     one float64 [N] array per task parameter (DelayComparison-v0: v1, v2, pair, delay_ms);
//     period_<name> [N, 2] int64 (start, end) steps within the trial, one per task period
//                                  (-1, -1 where a trial lacks the period)
//   the PCA fitted on `hidden`:
//     pca_mean [H], pca_components [k, H], pca_explained_variance [k],
//     pca_explained_variance_ratio [k], pca_projection [S, k]  (all float64)
//   run facts: dt float64 (), seed int64 (), accuracy float64 () (decision accuracy; NaN for a
//     continuous target), mse float64 () (continuous target only: mean squared output error)
//   added by `mnemo analyze`: effective_<name> float64, every effective weight of the model
//     (analysis/weights.h: e.g. abs(w_rr) * sign of a Dale network), beside the raw params
//
// In NumPy: trials = np.split(d["hidden"], d["trial_start"][1:]).
#pragma once

#include "analysis/pca.h"
#include "analysis/runner.h"
#include "io/npz.h"

namespace mnemo {

/// The archive described above; \p projected is Pca::transform of the concatenated activity.
NpzArchive exportAnalysis(const AnalysisRun& run, const Pca& pca, const std::vector<double>& projected);

}  // namespace mnemo
