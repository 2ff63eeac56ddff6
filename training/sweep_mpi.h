// A sweep spread over MPI ranks (`mpirun -np N mnemo sweep ...`). Rank 0 coordinates: it owns
// OUT, sweep.csv and the resume state, hands out points one at a time to whichever rank asks
// (dynamic assignment: a rank that finishes takes the next point) and runs points itself
// between messages. Every rank runs its points exactly as the local pool does (sweep_pool.h),
// as a `mnemo train` child at one thread; OUT must be on a file system all ranks share.
#pragma once

#include "training/mpi_env.h"
#include "training/sweep_pool.h"

namespace mnemo {

/// Rank 0: runs plan.todo over all ranks, calling \p record per finished point; \returns false
/// if interrupted. Throws (after telling every worker rank to stop) on a sweep-wide error.
bool coordinateMpiSweep(const MpiRuntime& mpi, const SweepPlan& plan, const RecordResult& record);

/// Ranks other than 0: runs the points rank 0 assigns until it says stop.
void serveMpiSweep(const MpiRuntime& mpi, const SweepPlan& plan);

/// Rank 0, when the sweep stops before coordinating (OUT locked, bad csv): releases the workers.
void releaseMpiWorkers(const MpiRuntime& mpi);

}  // namespace mnemo
