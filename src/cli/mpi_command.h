#pragma once
// `mpirun -np N greenbert train ...`: when mpirun starts greenbert as one of several ranks, its
// `train` runs greenbert-mpi, a companion executable (cli/companion.h) that joins MPI and trains
// one rank's part (core/process_group.h). Only greenbert-mpi links MPI: greenbert alone pays
// nothing for it. Its main is cli/mpi_main.cpp.
#include "cli/companion.h"

namespace greenbert::cli {

inline constexpr Companion kTrainOnRanks{
    "train", "greenbert-mpi",
    "Train one model data-parallel on the ranks mpirun started: each rank computes the "
    "gradients of its shard of every batch, they are summed in rank order, and rank 0 writes the "
    "run directory (which every rank must see). Same options as without mpirun"};

}  // namespace greenbert::cli
