/**
 * @file mpi/ensemble.hpp
 * @brief Euler–Maruyama path ensembles over the ranks of an MPI communicator, with statistics
 *        bitwise equal to a one-process run of the same paths for any number of ranks.
 *
 * Rank r simulates paths [begin_r, begin_r + count_r) of the run (local_share: contiguous ranges
 * in rank order, cut at statistics groups), drawing path p's numbers from the subsequence a
 * one-process run gives it, so every path comes out as in a one-process run. The per-group
 * accumulators are then folded across ranks in path order (mpi/ordered_fold.hpp).
 *
 * @code
 * scorepath::item_share mine = scorepath::mpi::local_share(MPI_COMM_WORLD, opt.paths);
 * std::vector<float> final_states(D * mine.count);          // this rank's paths only
 * scorepath::em_outputs<float> out;
 * out.final_states = scorepath::host_output(final_states.data(), final_states.size());
 * auto report = scorepath::mpi::simulate_em(MPI_COMM_WORLD, ctx, rng, sde, x0, opt, out);
 * // report.statistics: the whole ensemble's, the same bits on every rank and for any rank count
 * @endcode
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <cstdint>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "scorepath/mpi/ordered_fold.hpp"
#include "scorepath/mpi/rank_failures.hpp"
#include "scorepath/rank_shares.hpp"

namespace scorepath::mpi {

/// This rank's share of a run of @p items over the ranks of @p comm (share_of_items).
inline item_share local_share(MPI_Comm comm, std::uint64_t items) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  return share_of_items(items, ranks, rank);
}

/**
 * @brief simulate_em over the ranks of @p comm: the run of `opt.paths` paths the one-process call
 *        would make, each rank simulating its local_share.
 *
 * Every rank passes the same @p rng state, @p sde, @p x0, @p opt and @p reducer; @p out holds this
 * rank's paths only (`count` of local_share in place of `paths` in em_outputs' layout; empty on a
 * rank whose share is empty), and gather_path_values joins them. `opt.progress` reports this
 * rank's paths.
 *
 * @return on every rank, the report of the whole run: `paths`, `rng`, `statistics` and `reducer`
 *         bitwise equal to a one-process run's; `accumulators` keeps its rows but no groups (the
 *         groups stay with the ranks that made them), so it does not merge further.
 * @post @p rng has advanced by `opt.paths` subsequences, as after the one-process run. Call it
 *       with a stream no other thread reserves from meanwhile.
 * @throw on every rank, the error of the lowest rank that failed (agree_on_failure): what
 *        simulate_em throws, and invalid_argument_error naming `final_states` or `saved_states`
 *        when a rank with an empty share is given an output, or `paths` when the ranks ask for
 *        different numbers of paths. The stream does not advance then (a rank whose own part
 *        succeeded may have filled its outputs).
 */
template <class Sde, class Reducer = no_reducer, class T = scalar_type_or_t<Sde>>
em_report simulate_em(MPI_Comm comm, const context& ctx, rng_stream& rng, const Sde& sde,
                      const std::vector<T>& x0, const em_options& opt,
                      const em_outputs<T>& out = {}, const Reducer& reducer = {}) {
  require_same_on_every_rank(comm, {{opt.paths, "paths"}});
  const item_share share = local_share(comm, opt.paths);
  const rng_state start = rng.state();
  em_report local;
  agree_on_failure(comm, [&] {
    em_options mine = opt;
    if (share.count > 0 || opt.paths == 0) {
      // (an empty run goes through simulate_em too, which names `paths`)
      mine.paths = share.count;
      rng_stream stream(rng_state{start.seed, start.next_subsequence + share.begin});
      local = scorepath::simulate_em(ctx, stream, sde, x0, mine, out, reducer);
      return;
    }
    // A rank with no paths still checks the request and makes the report's bookkeeping, from a
    // run of one path whose groups it then drops.
    SCOREPATH_EXPECTS(!out.final_states.wanted(), "final_states", "given",
                      "must be empty on a rank whose share of the paths is empty");
    SCOREPATH_EXPECTS(!out.saved_states.wanted(), "saved_states", "given",
                      "must be empty on a rank whose share of the paths is empty");
    mine.paths = 1;
    mine.progress = nullptr;
    rng_stream stream(start);
    local = scorepath::simulate_em(ctx, stream, sde, x0, mine, em_outputs<T>{}, reducer);
    local.accumulators = grouped_moments(local.accumulators.rows());
  });
  const std::vector<moment_accumulator> totals = fold_in_rank_order(comm, local.accumulators);
  em_report whole = std::move(local);
  whole.paths = opt.paths;
  whole.rng = start;
  for (std::size_t i = 0; i < whole.statistics.size(); ++i) {
    whole.statistics[i] = summarize(totals[i]);
  }
  if (whole.reducer) whole.reducer = summarize(totals.back());
  whole.accumulators = grouped_moments(static_cast<std::uint32_t>(totals.size()));
  rng.reserve(opt.paths);
  return whole;
}

}  // namespace scorepath::mpi
