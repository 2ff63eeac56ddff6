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
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>

#include "support/error.h"
#include "support/text.h"
#include "training/sweep_pack.h"

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
  // --overwrite: a point runs again only when it has not finished ok, and replaces what it left.
  argv.insert(argv.end(), {"--threads=1", "--no-progress", "--print-every=" + std::to_string(plan.printEvery),
                           "--out=" + plan.outDir + "/" + point.dirName, "--overwrite"});
  return argv;
}

namespace {

/// Starts \p args (argv[0] first) as a child process with its output in \p log.
pid_t startProcess(std::vector<std::string> args, const std::string& log) {
  int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (logFd < 0) MNEMO_FAIL("cannot write " << log << ": " << std::strerror(errno));
  // Everything the child needs is built before fork: after it only async-signal-safe calls.
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

}  // namespace

pid_t startPoint(const SweepPlan& plan, const SweepPoint& point) {
  makeDirectories(plan.outDir + "/" + point.dirName, "--out");
  return startProcess(pointCommand(plan, point), logPath(plan, point));
}

pid_t startJob(const SweepPlan& plan, const std::vector<size_t>& job) {
  if (job.size() == 1) return startPoint(plan, plan.points[job[0]]);
  for (size_t index : job) makeDirectories(plan.outDir + "/" + plan.points[index].dirName, "--out");
  return startProcess(packCommand(plan, job), logPath(plan, plan.points[job[0]]));
}

std::vector<PointResult> finishJob(const SweepPlan& plan, const std::vector<size_t>& job, int waitStatus, double seconds) {
  // The ensemble's log, in the first point's directory, goes to every point's.
  const std::string log = logPath(plan, plan.points[job[0]]);
  for (size_t i = 1; i < job.size(); ++i) {
    std::error_code ec;
    std::filesystem::copy_file(log, logPath(plan, plan.points[job[i]]), std::filesystem::copy_options::overwrite_existing, ec);
  }
  std::vector<PointResult> results;
  for (size_t index : job) results.push_back(finishPoint(plan, plan.points[index], waitStatus, seconds));
  return results;
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
    std::vector<size_t> job;
    double start;
  };
  std::map<pid_t, Running> running;
  auto stopAll = [&] {
    for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
  };
  std::deque<std::vector<size_t>> queue(plan.jobs.begin(), plan.jobs.end());
  bool stopped = false;
  while (true) {
    if (InterruptFlag::interrupted() && !stopped) stopAll(), stopped = true;
    while (!stopped && running.size() < static_cast<size_t>(workers) && !queue.empty()) {
      running[startJob(plan, queue.front())] = {queue.front(), now()};
      queue.pop_front();
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
    const std::vector<size_t> job = it->second.job;
    const double seconds = now() - it->second.start;
    running.erase(it);
    const bool completed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (stopped && !completed) continue;  // stopped by the interrupt: run again next time
    try {
      stopOnUsageError(plan, plan.points[job[0]], status);
    } catch (...) {
      stopAll();
      for (const auto& [other, r] : running) ::waitpid(other, nullptr, 0);
      throw;
    }
    if (job.size() > 1 && !completed) {  // one member's failure stops its pack: each point alone
      for (size_t index : job) queue.push_back({index});
      continue;
    }
    for (const PointResult& r : finishJob(plan, job, status, seconds)) record(r);
  }
  return !stopped;
}

}  // namespace mnemo
