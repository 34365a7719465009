#pragma once
// The process group (core/process_group.h) of the ranks mpirun started, over MPI_COMM_WORLD.
// Only greenbert-mpi links this (and MPI).
#include "core/process_group.h"

namespace greenbert {

// MPI_Init on construction (ranks call no MPI from other threads: MPI_THREAD_FUNNELED),
// MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // MPI_COMM_WORLD as a ProcessGroup.
  ProcessGroup world() const;
  // Ends every rank of the job with `status` (a rank that failed: the others would wait forever
  // for it in their next sum).
  [[noreturn]] void abort_job(int status) const;
};

}  // namespace greenbert
