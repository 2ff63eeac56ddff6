// One writer per run directory. A training run holds an advisory lock (flock) on the directory
// itself for as long as it writes there; a second run into the same directory refuses at once,
// naming the holder's pid (found in /proc/locks). The lock dies with its process (even on kill -9), so a
// crashed run never blocks the next one. Whoever takes the lock also removes the temporary
// files (<name>.tmp.<pid>.<n>, see support/text.h) that a killed writer left behind.
#pragma once

#include <string>

namespace mnemo {

class RunDirectoryLock {
 public:
  /// Locks \p dir (which must exist); throws a one-line mnemo::Error naming the holder's pid if
  /// another process has it.
  explicit RunDirectoryLock(const std::string& dir);
  ~RunDirectoryLock();
  RunDirectoryLock(const RunDirectoryLock&) = delete;
  RunDirectoryLock& operator=(const RunDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

/// Removes the temporary files in \p dir (not below it) whose writer is no longer running;
/// \returns how many it removed.
size_t removeStaleTemporaries(const std::string& dir);

}  // namespace mnemo
