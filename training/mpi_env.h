// MPI for mnemo: whether this process was started by an MPI launcher (mpirun, srun), and the
// MPI runtime's lifetime. A build without MPI (libopenmpi-dev missing at configure time) still
// notices a launcher, and refuses with a clear message instead of running N unrelated copies.
#pragma once

#include <string>

namespace mnemo {

/// The number of ranks the launcher started, from its environment (OpenMPI, PMIx, PMI); 1 if
/// the process was not started by one.
int launcherWorldSize();

/// True if this build has MPI support.
bool mpiBuilt();

/// Initialises MPI (in a process that launcherWorldSize() says is one of several ranks) and
/// finalises it when destroyed. Throws a one-line error naming \p command in a build without MPI.
class MpiRuntime {
 public:
  explicit MpiRuntime(const std::string& command);
  ~MpiRuntime();
  MpiRuntime(const MpiRuntime&) = delete;
  MpiRuntime& operator=(const MpiRuntime&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Prints \p message as `mnemo COMMAND: message` and ends every rank of the job (a rank that
  /// fails alone would leave the others waiting for it).
  [[noreturn]] void abortAll(const std::string& message) const;

 private:
  std::string command_;
  int rank_ = 0, size_ = 1;
};

}  // namespace mnemo
