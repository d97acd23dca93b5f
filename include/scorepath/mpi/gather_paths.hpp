/**
 * @file mpi/gather_paths.hpp
 * @brief Per-path values of a distributed run joined on one rank, in the layout a one-process
 *        run writes: row by row, each row the paths in path order.
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/mpi/rank_failures.hpp"
#include "scorepath/rank_shares.hpp"

namespace scorepath::mpi {

namespace detail {
/// The MPI type of float or double.
template <class T>
MPI_Datatype datatype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  return std::is_same_v<T, float> ? MPI_FLOAT : MPI_DOUBLE;
}
/// Values per message: well within MPI's int counts.
inline constexpr std::uint64_t gather_piece = std::uint64_t{1} << 26;
}  // namespace detail

/**
 * @brief Joins on rank @p root the per-path values of a run of @p paths shared out by
 *        share_of_items (rank r holds paths [begin_r, begin_r + count_r)): each rank's @p local
 *        holds `rows` rows of its count_r paths, [row·count_r + p]; @p root returns
 *        [row·paths + p] for the whole run (the layout of em_outputs), every other rank an empty
 *        vector.
 *
 * A collective: every rank of @p comm calls it with the same @p rows, @p paths and @p root.
 * @throw on every rank (agree_on_failure): invalid_argument_error naming `local size` when a
 *        rank's buffer does not hold rows × count_r values, out_of_memory_error when @p root
 *        cannot hold the joined values
 */
template <class T>
std::vector<T> gather_path_values(MPI_Comm comm, const std::vector<T>& local, std::uint64_t rows,
                                  std::uint64_t paths, int root = 0) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  require_same_on_every_rank(comm, {{rows, "rows"}, {paths, "paths"}});
  const item_share mine = share_of_items(paths, ranks, rank);
  std::vector<T> joined;
  // Sizes are checked and the joined buffer allocated before any value moves, and every rank
  // learns of a failure on any: none is left waiting for a message that never comes.
  agree_on_failure(comm, [&] {
    SCOREPATH_EXPECTS(local.size() == rows * mine.count, "local size", local.size(),
                      "must hold rows × this rank's paths = " + std::to_string(rows * mine.count));
    if (rank != root) return;
    const std::size_t size = checked_size_product(rows, paths, "joined path values");
    try {
      joined.resize(size);
    } catch (const std::bad_alloc&) {
      throw out_of_memory_error("gather_path_values: cannot hold " + std::to_string(size) +
                                    " values on rank " + std::to_string(root),
                                __FILE__, __LINE__);
    }
  });
  constexpr int tag = 0x5351;
  const MPI_Datatype type = detail::datatype_of<T>();
  if (rank != root) {
    for (std::uint64_t row = 0; row < rows; ++row) {
      for (std::uint64_t p = 0; p < mine.count; p += detail::gather_piece) {
        const int n = static_cast<int>(std::min(detail::gather_piece, mine.count - p));
        MPI_Send(local.data() + row * mine.count + p, n, type, root, tag, comm);
      }
    }
    return {};
  }
  for (int r = 0; r < ranks; ++r) {
    const item_share share = share_of_items(paths, ranks, r);
    for (std::uint64_t row = 0; row < rows; ++row) {
      T* into = joined.data() + row * paths + share.begin;
      if (r == root) {
        std::copy_n(local.data() + row * share.count, share.count, into);
        continue;
      }
      for (std::uint64_t p = 0; p < share.count; p += detail::gather_piece) {
        const int n = static_cast<int>(std::min(detail::gather_piece, share.count - p));
        MPI_Recv(into + p, n, type, r, tag, comm, MPI_STATUS_IGNORE);
      }
    }
  }
  return joined;
}

}  // namespace scorepath::mpi
