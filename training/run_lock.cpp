// The run-directory lock and the cleanup of stale temporary files (see run_lock.h).
#include "training/run_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/error.h"

namespace mnemo {

namespace {
/// The pid in a temporary file name "<name>.tmp.<pid>.<n>", or -1 if \p name is not one.
long temporaryWriterPid(const std::string& name) {
  size_t at = name.rfind(".tmp.");
  if (at == std::string::npos) return -1;
  std::string rest = name.substr(at + 5);  // "<pid>.<n>"
  size_t dot = rest.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == rest.size()) return -1;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dot && !std::isdigit(static_cast<unsigned char>(rest[i]))) return -1;
  if (dot > 10) return -1;
  return std::stol(rest.substr(0, dot));
}

/// The pid holding a flock on the file open as \p fd, from /proc/locks ("unknown" if not found).
std::string lockHolder(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return "unknown";
  char suffix[64];  // /proc/locks names the file as MAJOR:MINOR:INODE, majors and minors in hex
  std::snprintf(suffix, sizeof suffix, ":%02x:%lu", static_cast<unsigned>(minor(st.st_dev)),
                static_cast<unsigned long>(st.st_ino));
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string id, kind, mode, access, pid, file;
    fields >> id >> kind;
    if (kind == "->") fields >> kind;  // a waiter's line
    fields >> mode >> access >> pid >> file;
    if (kind == "FLOCK" && file.size() >= std::strlen(suffix) &&
        file.compare(file.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
      return pid;
  }
  return "unknown";
}
}  // namespace

RunDirectoryLock::RunDirectoryLock(const std::string& dir) {
  // The lock is on the directory itself, so a run leaves no lock file behind.
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) MNEMO_FAIL("cannot lock run directory " << dir << ": " << std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = lockHolder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      MNEMO_FAIL("run directory " << dir << " is in use by another mnemo train (pid " << holder
                                  << "); wait for it to finish or choose another --out");
    MNEMO_FAIL("cannot lock run directory " << dir << ": " << std::strerror(err));
  }
  removeStaleTemporaries(dir);
}

RunDirectoryLock::~RunDirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

size_t removeStaleTemporaries(const std::string& dir) {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    long pid = temporaryWriterPid(name);
    if (pid <= 0 || !entry.is_regular_file(ec)) continue;
    // A live writer (this process, or another one writing a file here) keeps its temporary.
    if (pid == static_cast<long>(::getpid()) || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) continue;
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace mnemo
