// Launching sweep points as child processes and the local worker pool (see sweep_pool.h).
#include "training/sweep_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>

#include "support/error.h"
#include "support/text.h"

extern char** environ;

namespace mnemo {

namespace {

volatile sig_atomic_t gInterrupted = 0;
extern "C" void onInterrupt(int) { gInterrupted = 1; }

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// True for the variables an MPI launcher (OpenMPI, PMIx, MPICH's PMI) hands its ranks.
bool isLauncherVariable(const char* entry) {
  for (const char* prefix : {"OMPI_", "PMIX_", "PMI_", "OPAL_", "HYDRA_", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"})
    if (std::strncmp(entry, prefix, std::strlen(prefix)) == 0) return true;
  return false;
}

/// The last non-empty line of \p path ("" if none).
std::string lastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

std::string logPath(const SweepPlan& plan, const SweepPoint& point) {
  return plan.outDir + "/" + point.dirName + "/train.log";
}

}  // namespace

std::vector<std::string> pointCommand(const SweepPlan& plan, const SweepPoint& point) {
  std::vector<std::string> argv = {plan.executable, "train"};
  argv.insert(argv.end(), plan.trainArgs.begin(), plan.trainArgs.end());
  for (const auto& [name, value] : point.values) argv.push_back("--" + name + "=" + value);
  argv.insert(argv.end(), {"--threads=1", "--no-progress", "--print-every=" + std::to_string(plan.printEvery),
                           "--out=" + plan.outDir + "/" + point.dirName});
  return argv;
}

pid_t startPoint(const SweepPlan& plan, const SweepPoint& point) {
  makeDirectories(plan.outDir + "/" + point.dirName, "--out");
  const std::string log = logPath(plan, point);
  int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (logFd < 0) MNEMO_FAIL("cannot write " << log << ": " << std::strerror(errno));
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
  std::vector<std::string> args = pointCommand(plan, point);
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (char** e = environ; *e; ++e)
    if (!isLauncherVariable(*e)) envp.push_back(*e);
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(logFd);
    MNEMO_FAIL("cannot start a worker process: " << std::strerror(err));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a killed sweep takes its points with it
    if (::getppid() != parent) ::_exit(127);
    int devNull = ::open("/dev/null", O_RDONLY);
    if (devNull >= 0) ::dup2(devNull, STDIN_FILENO);
    ::dup2(logFd, STDOUT_FILENO);
    ::dup2(logFd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "mnemo sweep: cannot run the mnemo executable for this point\n";
    ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    ::_exit(127);
  }
  ::close(logFd);
  return pid;
}

PointResult finishPoint(const SweepPlan& plan, const SweepPoint& point, int waitStatus, double seconds) {
  PointResult r;
  if (WIFEXITED(waitStatus) && WEXITSTATUS(waitStatus) == 0) {
    r = summarizeRun(plan.outDir + "/" + point.dirName, plan.printEvery);
  } else if (WIFSIGNALED(waitStatus)) {
    r.reason = "worker killed by signal " + std::to_string(WTERMSIG(waitStatus)) + " (" + strsignal(WTERMSIG(waitStatus)) + ")";
  } else {
    std::string last = lastLine(logPath(plan, point));
    r.reason = "exit code " + std::to_string(WEXITSTATUS(waitStatus)) + (last.empty() ? "" : ": " + printable(last));
  }
  r.values = point.values;
  r.runDir = point.dirName;
  r.seconds = seconds;
  return r;
}

void stopOnUsageError(const SweepPlan& plan, const SweepPoint& point, int waitStatus) {
  if (!WIFEXITED(waitStatus) || WEXITSTATUS(waitStatus) != 2) return;
  MNEMO_FAIL("point " << point.dirName << ": " << printable(lastLine(logPath(plan, point)))
                      << " (a train flag or grid parameter is wrong; every point would fail)");
}

PointResult runPoint(const SweepPlan& plan, const SweepPoint& point) {
  const double start = now();
  pid_t pid = startPoint(plan, point);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) MNEMO_FAIL("waiting for a worker process: " << std::strerror(errno));
    if (InterruptFlag::interrupted()) ::kill(pid, SIGTERM);
  }
  stopOnUsageError(plan, point, status);
  return finishPoint(plan, point, status, now() - start);
}

namespace {
struct sigaction gOldInt, gOldTerm;
}

InterruptFlag::InterruptFlag() {
  gInterrupted = 0;
  struct sigaction sa {};
  sa.sa_handler = onInterrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked waitpid returns EINTR
  ::sigaction(SIGINT, &sa, &gOldInt);
  ::sigaction(SIGTERM, &sa, &gOldTerm);
}

InterruptFlag::~InterruptFlag() {
  ::sigaction(SIGINT, &gOldInt, nullptr);
  ::sigaction(SIGTERM, &gOldTerm, nullptr);
}

bool InterruptFlag::interrupted() { return gInterrupted != 0; }

bool runLocalPool(const SweepPlan& plan, int workers, const RecordResult& record) {
  struct Running {
    size_t point;
    double start;
  };
  std::map<pid_t, Running> running;
  auto stopAll = [&] {
    for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
  };
  size_t next = 0;
  bool stopped = false;
  while (true) {
    if (InterruptFlag::interrupted() && !stopped) stopAll(), stopped = true;
    while (!stopped && running.size() < static_cast<size_t>(workers) && next < plan.todo.size()) {
      size_t index = plan.todo[next++];
      running[startPoint(plan, plan.points[index])] = {index, now()};
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      MNEMO_FAIL("waiting for worker processes: " << std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const SweepPoint& point = plan.points[it->second.point];
    const double seconds = now() - it->second.start;
    running.erase(it);
    const bool completed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (stopped && !completed) continue;  // stopped by the interrupt: run again next time
    try {
      stopOnUsageError(plan, point, status);
    } catch (...) {
      stopAll();
      for (const auto& [other, r] : running) ::waitpid(other, nullptr, 0);
      throw;
    }
    record(finishPoint(plan, point, status, seconds));
  }
  return !stopped;
}

}  // namespace mnemo
