// Data-parallel training over MPI ranks (`mpirun -np N mnemo train --batch B ...`). Every rank
// compiles the model at batch B/N, takes its own B/N columns of the global batch (every rank
// draws the same global batch, from the task seeded as usual or from --data, so the batch is the
// same for any N), runs fwd and bwd, and then the ranks average their gradients with one
// MPI_Allreduce before the opt stage; every rank applies the same update. With a loss that is
// a mean over the batch's positions (every mnemo model's cross-entropy), the averaged gradient
// is the gradient of the global batch, up to float32 summation order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/mpi_env.h"

namespace mnemo {

class Graph;
class Node;
class Session;

class DataParallel {
 public:
  /// Splits \p globalBatch over the ranks of \p mpi; throws a one-line error unless it divides.
  DataParallel(const MpiRuntime& mpi, int64_t globalBatch) : DataParallel(mpi.size(), mpi.rank(), globalBatch) {}
  /// Rank \p rank of \p ranks (the shard arithmetic alone; tests use it without MPI).
  DataParallel(int ranks, int rank, int64_t globalBatch);
  int ranks() const { return ranks_; }
  int rank() const { return rank_; }
  int64_t shardBatch() const { return shard_; }

  /// This rank's columns of a time-major global batch: inputs [T, B, I] -> [T, B/N, I] and
  /// labels [T, B] -> [T, B/N].
  const std::vector<float>& shardInputs(const std::vector<float>& inputs, int64_t seqLen, int64_t width);
  const std::vector<int64_t>& shardLabels(const std::vector<int64_t>& labels, int64_t seqLen);

  /// One training step of the global batch: fwd and bwd on this rank's shard, the gradients of
  /// \p params averaged over the ranks, the opt stage. \returns the global batch's loss (the mean
  /// of the ranks' losses).
  float trainStep(Session& s, const std::vector<std::string>& params);

  /// The global decision accuracy from this rank's \p localAccuracy over its \p labels (the
  /// counts of every rank summed); NaN if no rank has a label > 0.
  double globalAccuracy(double localAccuracy, const std::vector<int64_t>& labels);

  /// True if \p values are bit for bit the same on every rank.
  bool sameOnEveryRank(const std::vector<float>& values) const;

 private:
  int ranks_ = 1, rank_ = 0;
  int64_t shard_ = 0;
  std::vector<float> inputs_, packed_;
  std::vector<int64_t> labels_;
  std::vector<const Node*> grads_;  // found at the first step
};

}  // namespace mnemo

namespace mnemo {

struct TrainOptions;

/// `mpirun -np N mnemo train`: runs train(\p options) as this rank's part of data-parallel
/// training; rank 0 reports and writes the run directory. An error on any rank ends the whole
/// job (MPI_Abort) after printing it. \returns the exit code.
int trainDataParallel(TrainOptions options);

}  // namespace mnemo
