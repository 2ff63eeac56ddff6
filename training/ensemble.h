// Ensembles: K independent copies of the built-in notebook RNN trained in one compiled graph
// (`mnemo train --ensemble K`). Every parameter is stacked on a leading member axis [K, ...],
// the input projection, the recurrent product and the readout are batched matmuls over that
// axis, and the loss is the sum of the members' own mean cross-entropies, so each member's
// gradient is its own and Adam (elementwise) updates each member as a lone run would. Member k
// starts from the initialisation of seed S+k and trains on the data stream of seed S+k, so its
// trajectory is the one `mnemo train --seed S+k` takes, to float32 summation error. Reports and
// checkpoints are per member (OUT/member-k/, the lone run's format).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "training/checkpoint.h"
#include "training/trainer.h"

namespace mnemo {

struct Model;

/// The largest ensemble `--ensemble` accepts.
constexpr int64_t kMaxEnsembleMembers = 1024;

/// The forward graph of \p members copies of \p lone (the notebook model, parsed at the run's
/// sizes): inputs %x f32[K,T,B,I] and %labels i64[K,T,B] (member k's batch at index k, in the
/// lone run's [T,B] layout); params %w_ir [K,I,H], %w_rr [K,H,H], %b_rr [K,H], %w_ro [K,H,O],
/// %b_ro [K,O] (member k's lone param at index k); returns %loss f32[] (the members' losses
/// summed), %member_loss f32[K] and %logits f32[K,T,B,O]. Throws mnemo::Error if \p lone is not
/// the shape of model this builds (the built-in model changed).
std::unique_ptr<Graph> buildNotebookEnsemble(const Model& lone, int64_t members);

/// Member \p member's part of a stacked tensor \p stacked of \p members members.
std::vector<float> memberSlice(const std::vector<float>& stacked, int64_t member, int64_t members);

/// What an ensemble run gives back, member by member (each as train() reports a lone run).
struct EnsembleResult {
  std::vector<TrainResult> members;
  std::vector<Checkpoint> finalStates;  ///< per member, in the lone run's checkpoint format
  double seconds = 0;                   ///< wall time of the loop, data generation included
  double compileMilliseconds = 0;
  size_t kernelsPerStep = 0;
};

/// Trains \p members copies of the run's model in one graph: member k with seed o.run.seed + k.
/// Features that would couple the members or that cannot be stacked are refused with a one-line
/// mnemo::Error before anything is written: a model other than the built-in notebook model,
/// --clip-grad-norm (a global norm over all members), --init, --data, --feed, data-parallel
/// training, continuous targets.
EnsembleResult trainEnsemble(const TrainOptions& options, int64_t members);

}  // namespace mnemo
