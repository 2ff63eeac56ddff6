// Background prefetch of training batches: a BatchSource that makes batch i+1 on a thread of its
// own while the training step of batch i runs, so trial generation leaves the loop's critical path.
//
// The wrapped source is used by the producer thread alone, one batch after the other, so the
// batches (and their groups and continuous targets) come in exactly the order the source gives
// them without prefetch: training results are bit for bit the same. The producer runs at most two
// batches ahead (one being made, one ready). An error in the producer (a task's bad label, a failed
// trial) is kept and raised by the consumer's next() at the batch it concerns, after every batch
// made before it was served; destroying the source (end of training, an error in the step) stops
// the producer and waits for it.
#pragma once

#include <cstddef>
#include <memory>

#include "training/batch_source.h"

namespace mnemo {

/// Whether prefetching can help: the machine has a hardware thread left over by \p stepThreads
/// (the training step's threads) for the producer.
bool prefetchHelps(int stepThreads);

/// \p source, made ahead on a second thread; its batches hold \p inputsPerBatch inputs
/// (T*B*I) and \p labelsPerBatch labels (T*B).
std::unique_ptr<BatchSource> prefetchBatches(std::unique_ptr<BatchSource> source, size_t inputsPerBatch,
                                             size_t labelsPerBatch);

}  // namespace mnemo
