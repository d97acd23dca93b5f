/**
 * @file mpi/ordered_fold.hpp
 * @brief The totals of statistics kept per group by several ranks, folded in the order one
 *        process would fold them, so that they come out bitwise equal to a one-process run.
 *
 * Chan's merge is not associative in floating point, so a tree reduction (MPI_Reduce) would give
 * totals that depend on the rank count. A row's total is the left fold of its groups in group
 * order (grouped_moments::total); when rank r holds the groups that follow rank r − 1's, the same
 * fold runs as a chain: rank 0 folds its groups from an empty accumulator and sends the running
 * totals to rank 1, which goes on folding its own, and so on; the last rank sends the totals to
 * all. Each rank sends `rows` accumulators (40 bytes each) once, whatever the size of the run.
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <cstdint>
#include <type_traits>
#include <vector>

#include "scorepath/grouped_moments.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/mpi/rank_failures.hpp"

namespace scorepath::mpi {

static_assert(std::is_standard_layout_v<moment_accumulator> &&
                  sizeof(moment_accumulator) == 5 * sizeof(double),
              "the ordered fold sends accumulators as five doubles each");

/**
 * @brief Row totals of the groups held by all ranks of @p comm, rank 0's groups first; every rank
 *        receives them. Each rank's @p local holds the groups of its share of the run (possibly
 *        none), and all keep the same number of rows.
 *
 * A collective: every rank of @p comm calls it. Its cost is a chain of `ranks − 1` messages of
 * `rows` accumulators and one broadcast.
 */
inline std::vector<moment_accumulator> fold_in_rank_order(MPI_Comm comm,
                                                          const grouped_moments& local) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  require_same_on_every_rank(comm, {{local.rows(), "rows"}});
  const std::uint32_t rows = local.rows();
  // Rows are statistics (save points × components): far below the 429 million an int count allows.
  const int values = static_cast<int>(std::uint64_t{rows} * 5);
  std::vector<moment_accumulator> totals(rows);
  constexpr int tag = 0x5350;  // "SP"
  if (rank > 0) {
    MPI_Recv(totals.data(), values, MPI_DOUBLE, rank - 1, tag, comm, MPI_STATUS_IGNORE);
  }
  for (std::uint64_t g = 0; g < local.group_count(); ++g) {
    for (std::uint32_t r = 0; r < rows; ++r) totals[r].merge(local.group(g, r));
  }
  if (rank + 1 < ranks) {
    MPI_Send(totals.data(), values, MPI_DOUBLE, rank + 1, tag, comm);
  }
  MPI_Bcast(totals.data(), values, MPI_DOUBLE, ranks - 1, comm);
  return totals;
}

}  // namespace scorepath::mpi
