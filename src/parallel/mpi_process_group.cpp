#include "parallel/mpi_process_group.h"

#include <mpi.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/error.h"

namespace greenbert {

namespace {

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

// A reduce-scatter into rank-owned chunks, each summed by its owner in rank order, then an
// allgather: the same bytes on the wire as a ring allreduce (2 (N-1)/N of the buffer per rank),
// but the order of the additions is ours, not the one MPI_Allreduce picks by message size.
class RankOrderSum {
 public:
  RankOrderSum(int rank, int ranks) : rank_(rank), ranks_(ranks) {}

  void operator()(std::span<float> values) {
    if (values.size() > static_cast<size_t>(INT_MAX))
      fail("cannot sum ", values.size(), " values over MPI in one call (at most ", INT_MAX, ")");
    plan(values.size());
    const int mine = counts_[static_cast<size_t>(rank_)];
    received_.resize(static_cast<size_t>(mine) * static_cast<size_t>(ranks_));
    for (int r = 0; r < ranks_; ++r) received_offsets_[static_cast<size_t>(r)] = r * mine;
    std::vector<int> mine_from_each(static_cast<size_t>(ranks_), mine);
    MPI_Alltoallv(values.data(), counts_.data(), offsets_.data(), MPI_FLOAT, received_.data(),
                  mine_from_each.data(), received_offsets_.data(), MPI_FLOAT, MPI_COMM_WORLD);
    float* chunk = values.data() + offsets_[static_cast<size_t>(rank_)];
    for (int i = 0; i < mine; ++i) {
      float sum = received_[static_cast<size_t>(i)];
      for (int r = 1; r < ranks_; ++r)
        sum +=
            received_[static_cast<size_t>(r) * static_cast<size_t>(mine) + static_cast<size_t>(i)];
      chunk[i] = sum;
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, values.data(), counts_.data(), offsets_.data(),
                   MPI_FLOAT, MPI_COMM_WORLD);
  }

 private:
  // Rank r owns values [size r / N, size (r + 1) / N).
  void plan(size_t size) {
    if (size == planned_size_) return;
    counts_.assign(static_cast<size_t>(ranks_), 0);
    offsets_.assign(static_cast<size_t>(ranks_), 0);
    received_offsets_.assign(static_cast<size_t>(ranks_), 0);
    const auto n = static_cast<int64_t>(ranks_);
    for (int64_t r = 0; r < n; ++r) {
      const auto begin = static_cast<int64_t>(size) * r / n;
      const auto end = static_cast<int64_t>(size) * (r + 1) / n;
      offsets_[static_cast<size_t>(r)] = static_cast<int>(begin);
      counts_[static_cast<size_t>(r)] = static_cast<int>(end - begin);
    }
    planned_size_ = size;
  }

  const int rank_, ranks_;
  size_t planned_size_ = SIZE_MAX;
  std::vector<int> counts_, offsets_, received_offsets_;
  std::vector<float> received_;  // kept between calls: a step allocates nothing
};

std::vector<std::string> gather_to_leader(const std::string& text, int rank, int ranks) {
  const int length = static_cast<int>(text.size());
  std::vector<int> lengths(rank == 0 ? static_cast<size_t>(ranks) : 0);
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(lengths.size(), 0);
  int total = 0;
  for (size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = total;
    total += lengths[r];
  }
  std::string all(static_cast<size_t>(total), '\0');
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  std::vector<std::string> texts;
  for (size_t r = 0; r < lengths.size(); ++r)
    texts.push_back(all.substr(static_cast<size_t>(offsets[r]), static_cast<size_t>(lengths[r])));
  return texts;
}

std::string broadcast_from_leader(const std::string& text, int rank) {
  int length = static_cast<int>(text.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string received = rank == 0 ? text : std::string(static_cast<size_t>(length), '\0');
  MPI_Bcast(received.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
  return received;
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

ProcessGroup MpiSession::world() const {
  ProcessGroup group;
  group.rank = world_rank();
  group.ranks = world_size();
  group.sum_in_rank_order = [sum = std::make_shared<RankOrderSum>(group.rank, group.ranks)](
                                std::span<float> values) { (*sum)(values); };
  group.broadcast_from_leader = [rank = group.rank](const std::string& text) {
    return broadcast_from_leader(text, rank);
  };
  group.gather_to_leader = [rank = group.rank, ranks = group.ranks](const std::string& text) {
    return gather_to_leader(text, rank, ranks);
  };
  return group;
}

void MpiSession::abort_job(int status) const {
  MPI_Abort(MPI_COMM_WORLD, status);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest if it did
}

}  // namespace greenbert
