#pragma once
// The processes one training job runs on. greenbert alone is one process: rank 0 of 1, and none
// of the functions below is ever called. Under `mpirun -np N greenbert train ...` every rank runs
// greenbert-mpi (parallel/mpi_main.cpp), which joins MPI and sets the group before the command
// runs; only that executable links MPI, so a single process pays nothing for it.
//
// The group is data parallel: every rank holds the whole model and computes the gradients of its
// shard of each batch; rank 0, the leader, is the only one that writes files or prints progress.
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace greenbert {

struct ProcessGroup {
  int rank = 0;
  int ranks = 1;
  // Sums `values` element-wise over the ranks and leaves the sum on every rank. The additions are
  // done in rank order (0 + 1 + ... + N-1) whatever MPI's algorithms would choose, so that a run
  // is bit-identical from run to run for a given N.
  std::function<void(std::span<float> values)> sum_in_rank_order;
  // The leader's `text` on every rank (what the others pass is ignored).
  std::function<std::string(const std::string& text)> broadcast_from_leader;
  // Every rank's `text`, in rank order, on the leader; an empty list on the other ranks.
  std::function<std::vector<std::string>(const std::string& text)> gather_to_leader;

  bool leader() const { return rank == 0; }
  bool parallel() const { return ranks > 1; }
};

// This process's group: one process unless join_process_group was called.
const ProcessGroup& process_group();
void join_process_group(ProcessGroup group);

// Whether this process was started by mpirun as one of several ranks (Open MPI's
// OMPI_COMM_WORLD_SIZE, or PMI_SIZE of MPICH and Slurm), read without loading MPI.
bool started_as_one_of_several_ranks();

}  // namespace greenbert
