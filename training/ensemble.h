// Ensembles: K independent copies of the built-in notebook RNN trained in one compiled graph
// (`mnemo train --ensemble K`). Every parameter is stacked on a leading member axis [K, ...], and
// the loss is the sum of the members' own mean cross-entropies, so each member's gradient is its
// own and Adam (elementwise) updates each member as a lone run would; the optimizer holds one
// hyper row per member, so each member has its own learning rate (--ensemble-lr). Member k
// starts from the initialisation of its seed (S+k, or the k-th of --ensemble-seeds) and trains on
// that seed's data stream at its lr. Reports and checkpoints are per member (OUT/member-k/ or the
// k-th --ensemble-out, the lone run's format).
//
// Two layouts (EnsembleLayout, `--ensemble-layout`). The default, member-major, writes each
// member's part as the lone graph itself on outermost-axis views of the stacked tensors: the
// passes and kernels do the lone run's arithmetic in its order, so member k's trajectory is the
// one `mnemo train --seed S_k --lr lr_k` takes bit for bit, and the step runs at the speed of K
// separate runs (docs/PERFORMANCE.md, "Ensembles", round 4). The batched layout runs one
// recurrent product [K,B,H]·[K,H,H] per step for all members; its per-step slices and stacks
// along inner axes are copies, which makes it 0.53-0.76x of separate runs at the notebook's
// sizes, but it pays where a step's kernels are so small that their number dominates (batch 1,
// hidden 8-16: 1.4-1.8x the member-major step at K=32), and it compiles in time linear in K,
// where the member-major graph's compile grows about as K² (time-batch walks the graph once per
// member's weight: 0.1-0.2 s at K=8, 23 s at K=128). Its members equal their lone runs to
// float32 summation error only (another order of additions).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "training/checkpoint.h"
#include "training/trainer.h"

namespace mnemo {

struct Model;

/// The largest ensemble `--ensemble` accepts.
constexpr int64_t kMaxEnsembleMembers = 1024;

/// How the stacked graph lays out its members' work (see the note above).
enum class EnsembleLayout {
  /// Each member's forward is the lone graph's, on outermost-axis selects of the stacked
  /// inputs and params; only the summed loss and the stacked gradients join the members.
  MemberMajor,
  /// One recurrence over all members: a batched [K,B,H]·[K,H,H] product per step, the
  /// projection and the hidden states as [K,T,B,H] stacks sliced along time (copies).
  Batched,
};

/// The layout `--ensemble-layout TEXT` names: "member" or "batched"; else a one-line error.
EnsembleLayout parseEnsembleLayout(const std::string& text);

/// The forward graph of \p members copies of \p lone (the notebook model, parsed at the run's
/// sizes) in \p layout: inputs %x f32[K,T,B,I] and %labels i64[K,T,B] (member k's batch at
/// index k, in the lone run's [T,B] layout); params %w_ir [K,I,H], %w_rr [K,H,H], %b_rr [K,H],
/// %w_ro [K,H,O], %b_ro [K,O] (member k's lone param at index k); returns %loss f32[] (the
/// members' losses summed), %member_loss f32[K] and %logits f32[K,T,B,O]. Throws mnemo::Error
/// if \p lone is not the shape of model this builds (the built-in model changed).
std::unique_ptr<Graph> buildNotebookEnsemble(const Model& lone, int64_t members,
                                             EnsembleLayout layout = EnsembleLayout::MemberMajor);

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

/// What differs from member to member; an empty list takes the default.
struct EnsembleSpec {
  int64_t members = 0;
  std::vector<double> lrs;         ///< member k's learning rate (default: the run's --lr for all)
  std::vector<uint64_t> seeds;     ///< member k's seed (default: the run's seed + k)
  std::vector<std::string> dirs;   ///< member k's run directory (default: OUT/member-k)
  EnsembleLayout layout = EnsembleLayout::MemberMajor;
};

/// The learning rates of `--ensemble-lr TEXT` for \p members members: a comma list of
/// \p members numbers, or "log:A:B", \p members values spaced evenly in log from A to B (both
/// included; A alone for one member). Throws a one-line mnemo::Error on a malformed value, a
/// wrong count, or a rate that is not a positive finite number.
std::vector<double> parseEnsembleLrs(const std::string& text, int64_t members);

/// Trains the members of \p spec in one graph (see EnsembleSpec for each member's seed, lr and
/// directory). Features that would couple the members or that cannot be stacked are refused
/// with a one-line mnemo::Error before anything is written: a model other than the built-in
/// notebook model, --clip-grad-norm (a global norm over all members), --init, --data, --feed,
/// data-parallel training, continuous targets; so are lists of the wrong length.
EnsembleResult trainEnsemble(const TrainOptions& options, const EnsembleSpec& spec);
/// \p members members with seeds o.run.seed + k, all at o.run.lr, in OUT/member-k.
EnsembleResult trainEnsemble(const TrainOptions& options, int64_t members);

}  // namespace mnemo
