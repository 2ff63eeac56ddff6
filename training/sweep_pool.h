// Running the points of a sweep as `mnemo train` processes: each point is this same executable
// run as `mnemo train <the sweep's train flags> --NAME=VALUE... --threads 1 --out OUT/<point>`
// (so a point is exactly a lone `mnemo train` at one thread), with its output in
// OUT/<point>/train.log. The local pool keeps up to --workers of them running; sweep_mpi.h
// spreads them over MPI ranks instead. With --pack-ensembles the local pool runs jobs of several
// points as one ensemble process (sweep_pack.h), its log in the first point's train.log and
// copied to the others'.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "training/sweep_grid.h"
#include "training/sweep_table.h"

namespace mnemo {

struct SweepPlan {
  std::string outDir;                   ///< OUT
  std::string executable;               ///< this mnemo binary
  std::vector<std::string> trainArgs;   ///< flags every point gets
  int64_t printEvery = 100;
  std::vector<SweepPoint> points;       ///< the whole grid
  std::vector<size_t> todo;             ///< indices into points still to run
  /// The todo points as the local pool's processes: one point each, or packed (packJobs).
  std::vector<std::vector<size_t>> jobs;
};

/// Called once per finished point, in the order they finish.
using RecordResult = std::function<void(const PointResult&)>;

/// The command line of \p point (argv[0] first).
std::vector<std::string> pointCommand(const SweepPlan& plan, const SweepPoint& point);

/// Starts \p point as a child process; its environment drops the variables of an MPI launcher,
/// so the child never joins the parent's MPI job.
pid_t startPoint(const SweepPlan& plan, const SweepPoint& point);

/// The result of \p point whose process ended with \p waitStatus after \p seconds: ok with its
/// metrics, or failed with the reason (the log's last line, or the signal that killed it).
PointResult finishPoint(const SweepPlan& plan, const SweepPoint& point, int waitStatus, double seconds);

/// Starts the job of points \p job (indices into plan.points): a lone point as startPoint does,
/// several as one ensemble process (packCommand) writing each point's run directory.
pid_t startJob(const SweepPlan& plan, const std::vector<size_t>& job);

/// The results of \p job, each read from its own run directory as finishPoint does; a failed
/// ensemble process fails each of its points with the same reason.
std::vector<PointResult> finishJob(const SweepPlan& plan, const std::vector<size_t>& job, int waitStatus, double seconds);

/// Starts \p point and waits for it (a worker rank's loop).
PointResult runPoint(const SweepPlan& plan, const SweepPoint& point);

/// Throws if a point's process exited with status 2, `mnemo train`'s code for bad flags: every
/// other point would fail the same way, so the sweep stops.
void stopOnUsageError(const SweepPlan& plan, const SweepPoint& point, int waitStatus);

/// While alive, SIGINT and SIGTERM only set a flag (interrupted()); the previous handlers come back
/// afterwards.
class InterruptFlag {
 public:
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;
  static bool interrupted();
};

/// Runs plan.jobs with up to \p workers processes at once, calling \p record for each finished
/// point. A packed job whose process fails is run again point by point, so a point that fails
/// alone (a diverging lr) fails alone and its pack mates finish. \returns false if interrupted
/// (running points are stopped and not recorded).
bool runLocalPool(const SweepPlan& plan, int workers, const RecordResult& record);

}  // namespace mnemo
