// Launcher detection and MPI initialisation (see mpi_env.h).
#include "training/mpi_env.h"

#include <cstdlib>
#include <iostream>

#include "support/error.h"
#include "support/text.h"

#ifdef MNEMO_HAVE_MPI
#include <mpi.h>
#endif

namespace mnemo {

int launcherWorldSize() {
  // OpenMPI's mpirun, and MPICH-style PMI launchers (MPICH's mpiexec, srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    int n = std::atoi(v);
    if (n > 0) return n;
  }
  return 1;
}

#ifdef MNEMO_HAVE_MPI
bool mpiBuilt() { return true; }

MpiRuntime::MpiRuntime(const std::string& command) : command_(command) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiRuntime::~MpiRuntime() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiRuntime::abortAll(const std::string& message) const {
  std::cerr << "mnemo " << command_ << ": " << printable(message) << std::endl;
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::exit(1);
}
#else
bool mpiBuilt() { return false; }

MpiRuntime::MpiRuntime(const std::string& command) : command_(command) {
  MNEMO_FAIL("this mnemo was built without MPI support, but an MPI launcher started it as one of "
             << launcherWorldSize() << " ranks; install libopenmpi-dev (scripts/setup.sh) and rebuild, or run mnemo "
             << command << " without mpirun");
}

MpiRuntime::~MpiRuntime() = default;

void MpiRuntime::abortAll(const std::string& message) const {
  std::cerr << "mnemo " << command_ << ": " << printable(message) << std::endl;
  std::exit(1);
}
#endif

}  // namespace mnemo
