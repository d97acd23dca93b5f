/**
 * @file mpi/ssm.hpp
 * @brief Sliced score matching over samples sharded across the ranks of an MPI communicator:
 *        the same losses and standard errors as one process on all the samples, to the bit.
 *
 * Rank r holds rows [offset_r, offset_r + count_r) of the data set, in rank order; sample s draws
 * its probes from the subsequence a one-process call gives it (`rng.reserve(N) + s`), and the
 * per-group accumulators of the losses are folded across ranks in sample order
 * (mpi/ordered_fold.hpp). Every rank's first sample must lie on a statistics group boundary (a
 * multiple of statistics_group = 65,536 rows): local_share cuts the data set that way.
 *
 * @code
 * scorepath::item_share mine = scorepath::mpi::local_share(MPI_COMM_WORLD, n);
 * auto shard = scorepath::host_input(all.data() + mine.begin * D, mine.count * D);
 * auto report = scorepath::mpi::sliced_score_matching(MPI_COMM_WORLD, ctx, rng, model, shard, opt);
 * @endcode
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "scorepath/mpi/ensemble.hpp"
#include "scorepath/mpi/ordered_fold.hpp"
#include "scorepath/model_dim.hpp"
#include "scorepath/mpi/rank_failures.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath::mpi {

/**
 * @brief sliced_score_matching of @p model on the samples of all ranks of @p comm, this rank's
 *        rows in @p local_samples (row-major, D = the model's dimension; empty on a rank without
 *        rows). Works for every model a one-process call takes (compiled models, mlp_network,
 *        diagonal_mixture) and the named probe law `opt.law`.
 *
 * Every rank passes the same @p rng state, @p model and @p opt. Per-sample outputs in @p out are
 * this rank's rows.
 *
 * @return on every rank, the report of the whole data set: losses, standard errors and `rng`
 *         bitwise equal to a one-process call's; `accumulators` keeps its rows but no groups.
 * @post @p rng has advanced by the total number of samples, as after the one-process call.
 * @throw on every rank, the error of the lowest rank that failed (agree_on_failure): what the
 *        one-process call throws, and invalid_argument_error naming `samples` when a rank's first
 *        row is not a multiple of statistics_group, or `outputs` when a rank without rows is given
 *        one. The stream does not advance then (a rank whose own part succeeded may have filled
 *        its outputs).
 */
template <class Model, class T>
ssm_report sliced_score_matching(MPI_Comm comm, const context& ctx, rng_stream& rng,
                                 const Model& model, input_span<T> local_samples,
                                 const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const int dim = score_model_dim(model);
  const std::uint64_t count = dim > 0 ? local_samples.size / static_cast<std::uint64_t>(dim) : 0;
  std::uint64_t first = 0, total = 0;
  MPI_Exscan(&count, &first, 1, MPI_UINT64_T, MPI_SUM, comm);
  if (rank == 0) first = 0;  // MPI_Exscan leaves rank 0's result undefined
  MPI_Allreduce(&count, &total, 1, MPI_UINT64_T, MPI_SUM, comm);
  const rng_state start = rng.state();
  ssm_report local;
  local.used = ctx.kind();
  local.accumulators = grouped_moments(opt.exact_ism ? 3u : 2u);
  agree_on_failure(comm, [&] {
    SCOREPATH_EXPECTS(dim > 0 && local_samples.size % static_cast<std::uint64_t>(dim) == 0,
                      "samples size", local_samples.size,
                      "must be a multiple of the model dimension " + std::to_string(dim));
    if (count == 0 && total > 0) {
      const bool any = out.projections.wanted() || out.divergences.wanted() ||
                       out.probes.wanted() || out.ssm_per_sample.wanted() ||
                       out.ssm_vr_per_sample.wanted() || out.ism_per_sample.wanted();
      SCOREPATH_EXPECTS(!any, "outputs", "given",
                        "must be empty on a rank without samples");
      return;
    }
    SCOREPATH_EXPECTS(first % statistics_group == 0, "samples", first,
                      "this rank's first row must be a multiple of statistics_group = " +
                          std::to_string(statistics_group) +
                          " (shard the rows with mpi::local_share)");
    rng_stream stream(rng_state{start.seed, start.next_subsequence + first});
    // Unqualified, so that argument-dependent lookup finds every one-process overload
    // (ssm.hpp, mixture_ssm.hpp, training/network_ssm.hpp) where Model is known.
    local = sliced_score_matching(ctx, stream, model, local_samples, opt, out);
  });
  const std::vector<moment_accumulator> totals = fold_in_rank_order(comm, local.accumulators);
  const double scale = opt.half_scaling ? 0.5 : 1.0;
  ssm_report whole = std::move(local);
  whole.rng = start;
  whole.ssm = scorepath::detail::to_loss(totals[0], scale);
  whole.ssm_vr = scorepath::detail::to_loss(totals[1], scale);
  if (opt.exact_ism) whole.ism = scorepath::detail::to_loss(totals[2], scale);
  whole.accumulators = grouped_moments(static_cast<std::uint32_t>(totals.size()));
  rng.reserve(total);
  return whole;
}

/// mpi::sliced_score_matching for this rank's rows in a host vector.
template <class Model, class T>
ssm_report sliced_score_matching(MPI_Comm comm, const context& ctx, rng_stream& rng,
                                 const Model& model, const std::vector<T>& local_samples,
                                 const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  return mpi::sliced_score_matching(comm, ctx, rng, model,
                                    host_input(local_samples.data(), local_samples.size()), opt,
                                    out);
}

}  // namespace scorepath::mpi
