// Data-parallel training over MPI (see data_parallel.h).
#include "training/data_parallel.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "support/error.h"
#include "graph/graph.h"
#include "training/trainer.h"
#include "runtime/session.h"

#ifdef MNEMO_HAVE_MPI
#include <mpi.h>
#endif

namespace mnemo {

namespace {
/// Sums \p count doubles (or floats) over every rank, in place.
void sumOverRanks(double* values, int count) {
#ifdef MNEMO_HAVE_MPI
  MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
#else
  (void)values, (void)count;
#endif
}
void sumOverRanks(float* values, int count) {
#ifdef MNEMO_HAVE_MPI
  MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
#else
  (void)values, (void)count;
#endif
}
}  // namespace

DataParallel::DataParallel(int ranks, int rank, int64_t globalBatch) : ranks_(ranks), rank_(rank) {
  if (globalBatch % ranks_ != 0)
    MNEMO_FAIL("--batch " << globalBatch << " does not split over " << ranks_ << " MPI ranks; give a multiple of "
                          << ranks_);
  shard_ = globalBatch / ranks_;
}

const std::vector<float>& DataParallel::shardInputs(const std::vector<float>& inputs, int64_t seqLen, int64_t width) {
  const int64_t B = shard_ * ranks_;
  inputs_.resize(static_cast<size_t>(seqLen * shard_ * width));
  for (int64_t t = 0; t < seqLen; ++t)
    std::memcpy(&inputs_[static_cast<size_t>(t * shard_ * width)], &inputs[static_cast<size_t>((t * B + rank_ * shard_) * width)],
                static_cast<size_t>(shard_ * width) * sizeof(float));
  return inputs_;
}

const std::vector<int64_t>& DataParallel::shardLabels(const std::vector<int64_t>& labels, int64_t seqLen) {
  const int64_t B = shard_ * ranks_;
  labels_.resize(static_cast<size_t>(seqLen * shard_));
  for (int64_t t = 0; t < seqLen; ++t)
    std::memcpy(&labels_[static_cast<size_t>(t * shard_)], &labels[static_cast<size_t>(t * B + rank_ * shard_)],
                static_cast<size_t>(shard_) * sizeof(int64_t));
  return labels_;
}

float DataParallel::trainStep(Session& s, const std::vector<std::string>& params) {
  if (grads_.empty()) {
    size_t total = 0;
    for (const std::string& p : params) {
      const Node* g = s.graph().gradientOf(s.graph().find(p));
      if (!g || g->stage() != Stage::Bwd)
        MNEMO_FAIL("data-parallel training needs the gradient of %" << p << " as a value of the bwd stage, and the "
                                                                      "compiled step has none");
      grads_.push_back(g);
      total += static_cast<size_t>(g->type().numel());
    }
    packed_.resize(total + 1);  // the loss rides along
  }
  const float loss = s.computeGradients();
  // One message: every gradient and the loss, summed over the ranks, then divided by N.
  size_t at = 0;
  for (const Node* g : grads_) {
    const size_t n = static_cast<size_t>(g->type().numel());
    std::memcpy(&packed_[at], s.executable().address(g), n * sizeof(float));
    at += n;
  }
  packed_[at] = loss;
  sumOverRanks(packed_.data(), static_cast<int>(packed_.size()));
  const float scale = 1.0f / static_cast<float>(ranks_);
  for (float& v : packed_) v *= scale;
  at = 0;
  for (const Node* g : grads_) {
    const size_t n = static_cast<size_t>(g->type().numel());
    std::memcpy(s.executable().address(g), &packed_[at], n * sizeof(float));
    at += n;
  }
  s.applyUpdate();
  return packed_[at];
}

bool DataParallel::sameOnEveryRank(const std::vector<float>& values) const {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a over the bytes
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(values.data());
  for (size_t i = 0; i < values.size() * sizeof(float); ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  uint64_t low = hash, high = hash;
#ifdef MNEMO_HAVE_MPI
  MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
#endif
  return low == high;
}

double DataParallel::globalAccuracy(double localAccuracy, const std::vector<int64_t>& labels) {
  double counts[2] = {0, 0};  // correct, counted
  for (int64_t y : labels) counts[1] += y > 0;
  if (counts[1] > 0) counts[0] = std::round(localAccuracy * counts[1]);
  sumOverRanks(counts, 2);
  return counts[1] > 0 ? counts[0] / counts[1] : std::nan("");
}

}  // namespace mnemo

namespace mnemo {

int trainDataParallel(TrainOptions options) {
  MpiRuntime mpi("train");
  try {
    DataParallel parallel(mpi, options.run.batch);
    options.parallel = &parallel;
    if (mpi.rank() != 0) {  // one writer, one report
      options.outDir.clear();
      options.out = nullptr;
      options.progress = false;
    } else if (options.out) {
      *options.out << "mnemo train: data-parallel over " << mpi.size() << " MPI ranks, " << parallel.shardBatch()
                   << " of the batch's " << options.run.batch << " sequences on each\n";
    }
    const TrainResult result = train(options);
    // Every rank applied the same averaged update, so every rank must end with the same bits.
    if (!parallel.sameOnEveryRank(result.finalParams))
      MNEMO_FAIL("the ranks' parameters differ after training (the allreduce gave ranks different sums)");
  } catch (const std::exception& e) {
    // Bad input fails on every rank alike: rank 0 says so and its abort ends the others first;
    // another rank waits a moment, so that it speaks only when it failed alone.
    if (mpi.rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    mpi.abortAll((mpi.rank() ? "rank " + std::to_string(mpi.rank()) + ": " : std::string()) + e.what());
  }
  return 0;
}

}  // namespace mnemo
