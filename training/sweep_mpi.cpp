// The MPI sweep protocol (see sweep_mpi.h). Messages, all to or from rank 0:
//   worker -> 0, kResult: "" (ready for a first point), "R<result>" (serializeResult) or
//                         "E<error>" (a sweep-wide error, e.g. a bad train flag);
//   0 -> worker, kAssign: one int, the point's index, or -1 for stop.
#include "training/sweep_mpi.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "support/error.h"

#ifdef MNEMO_HAVE_MPI
#include <mpi.h>
#endif

namespace mnemo {

#ifdef MNEMO_HAVE_MPI
namespace {

constexpr int kResult = 1, kAssign = 2;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

void sendText(const std::string& text, int to) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, kResult, MPI_COMM_WORLD);
}

void sendAssign(int index, int to) { MPI_Send(&index, 1, MPI_INT, to, kAssign, MPI_COMM_WORLD); }

}  // namespace

void releaseMpiWorkers(const MpiRuntime& mpi) {
  for (int r = 1; r < mpi.size(); ++r) sendAssign(-1, r);
}

bool coordinateMpiSweep(const MpiRuntime& mpi, const SweepPlan& plan, const RecordResult& record) {
  size_t next = 0;
  int released = 0;  // worker ranks told to stop
  bool stopped = false;
  std::string error;
  pid_t ownPid = -1;  // the point rank 0 runs itself
  size_t ownPoint = 0;
  double ownStart = 0;
  while (true) {
    if (InterruptFlag::interrupted() && !stopped) {
      stopped = true;
      if (ownPid > 0) ::kill(ownPid, SIGTERM);
    }
    if (ownPid < 0 && !stopped && next < plan.todo.size()) {
      ownPoint = plan.todo[next++];
      ownStart = now();
      ownPid = startPoint(plan, plan.points[ownPoint]);
    }
    bool idle = true;
    int waiting = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &waiting, &st);
    if (waiting) {
      idle = false;
      int length = 0;
      MPI_Get_count(&st, MPI_CHAR, &length);
      std::string text(static_cast<size_t>(length), '\0');
      MPI_Recv(text.data(), length, MPI_CHAR, st.MPI_SOURCE, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (!text.empty() && text[0] == 'R') record(deserializeResult(text.substr(1)));
      if (!text.empty() && text[0] == 'E' && error.empty()) error = text.substr(1), stopped = true;
      if (!stopped && next < plan.todo.size()) {
        sendAssign(static_cast<int>(plan.todo[next++]), st.MPI_SOURCE);
      } else {
        sendAssign(-1, st.MPI_SOURCE);
        ++released;
      }
    }
    if (ownPid > 0) {
      int status = 0;
      if (::waitpid(ownPid, &status, WNOHANG) == ownPid) {
        idle = false;
        ownPid = -1;
        const SweepPoint& point = plan.points[ownPoint];
        const bool completed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        try {
          stopOnUsageError(plan, point, status);
          if (!stopped || completed) record(finishPoint(plan, point, status, now() - ownStart));
        } catch (const std::exception& e) {
          if (error.empty()) error = e.what();
          stopped = true;
        }
      }
    }
    if (ownPid < 0 && released == mpi.size() - 1) break;
    if (idle) ::usleep(2000);
  }
  if (!error.empty()) MNEMO_FAIL(error);
  return !InterruptFlag::interrupted();
}

void serveMpiSweep(const MpiRuntime&, const SweepPlan& plan) {
  std::string message;  // the first message says "ready"
  while (true) {
    sendText(message, 0);
    int index = -1;
    MPI_Recv(&index, 1, MPI_INT, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index < 0 || static_cast<size_t>(index) >= plan.points.size()) return;
    try {
      message = "R" + serializeResult(runPoint(plan, plan.points[static_cast<size_t>(index)]));
    } catch (const std::exception& e) {
      message = std::string("E") + e.what();
    }
  }
}
#else
bool coordinateMpiSweep(const MpiRuntime&, const SweepPlan&, const RecordResult&) {
  MNEMO_FAIL("this mnemo was built without MPI support");
}
void serveMpiSweep(const MpiRuntime&, const SweepPlan&) { MNEMO_FAIL("this mnemo was built without MPI support"); }
void releaseMpiWorkers(const MpiRuntime&) {}
#endif

}  // namespace mnemo
