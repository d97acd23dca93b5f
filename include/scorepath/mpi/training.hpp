/**
 * @file mpi/training.hpp
 * @brief Data-parallel training over the ranks of an MPI communicator: each rank computes the
 *        gradients of a share of the batch's tile groups, the groups are exchanged and added in
 *        group order on every rank, so every rank takes the step a one-process run would take,
 *        bit for bit, for any number of ranks.
 *
 * The gradient engine (training/loss_gradient.hpp) cuts a batch into at most gradient_groups
 * groups of tiles whose gradients it adds in group order; here rank r computes groups
 * [g_r, g_r + k_r) (an even split). A reduce-scatter that keeps the group order sums each slice
 * of the parameters on one rank, and an all-gather hands every rank the whole gradient and every
 * sample's loss. Every rank holds the whole data set and draws the same batches.
 *
 * @code
 * auto report = scorepath::mpi::train_score_model(MPI_COMM_WORLD, ctx, net, data, opt,
 *     [&](const scorepath::train_step& s) { if (rank == 0) log(s); return true; });
 * @endcode
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "scorepath/mpi/gather_paths.hpp"
#include "scorepath/mpi/rank_failures.hpp"
#include "scorepath/training/loss_gradient.hpp"
#include "scorepath/training/train.hpp"

namespace scorepath::mpi {

namespace detail {

/**
 * @brief The gradient from group gradients held by the ranks (rank r holds groups
 *        even_share(groups, R, r), @p mine_first pointing at its first), reduced as one
 *        process reduces them: each parameter's groups added in group order in double, then
 *        divided by @p n. A reduce-scatter in that order, then an all-gather of the sums: rank r
 *        receives every group's values for its slice of the parameters only (about
 *        groups/R + 1 times the parameters per rank in all, instead of groups times).
 */
template <class T>
void sum_groups_across_ranks(MPI_Comm comm, const context& ctx, const T* mine_first,
                             std::uint64_t groups, std::size_t params, std::uint64_t n,
                             T* gradient) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  const item_share mine = even_share(groups, ranks, rank);
  // Rank r owns parameters slice(r): an even split of the parameters.
  auto slice = [&](int r) { return even_share(params, ranks, r); };
  std::vector<int> send_counts(ranks), send_firsts(ranks), receive_counts(ranks),
      receive_firsts(ranks);
  const item_share own = slice(rank);
  std::vector<T> outgoing, incoming;
  agree_on_failure(comm, [&] {
    outgoing.resize(mine.count * params);
    incoming.resize(groups * own.count);
  });
  std::size_t at = 0;
  for (int r = 0; r < ranks; ++r) {
    const item_share cols = slice(r);
    send_firsts[r] = static_cast<int>(at);
    for (std::uint64_t g = 0; g < mine.count; ++g) {
      const T* from = mine_first + g * params + cols.begin;
      std::copy(from, from + cols.count, outgoing.begin() + at);
      at += cols.count;
    }
    send_counts[r] = static_cast<int>(at) - send_firsts[r];
  }
  at = 0;
  for (int q = 0; q < ranks; ++q) {
    receive_firsts[q] = static_cast<int>(at);
    receive_counts[q] = static_cast<int>(even_share(groups, ranks, q).count * own.count);
    at += static_cast<std::size_t>(receive_counts[q]);
  }
  // Sources arrive in rank order and each holds consecutive groups: the buffer is group by group.
  const MPI_Datatype type = datatype_of<T>();
  MPI_Alltoallv(outgoing.data(), send_counts.data(), send_firsts.data(), type, incoming.data(),
                receive_counts.data(), receive_firsts.data(), type, comm);
  scorepath::detail::sum_group_gradients(ctx, incoming.data(), groups, own.count, n,
                                         gradient + own.begin);
  std::vector<int> slice_counts(ranks), slice_firsts(ranks);
  for (int r = 0; r < ranks; ++r) {
    slice_counts[r] = static_cast<int>(slice(r).count);
    slice_firsts[r] = static_cast<int>(slice(r).begin);
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, gradient, slice_counts.data(),
                 slice_firsts.data(), type, comm);
}

}  // namespace detail

/**
 * @brief score_loss_gradient of @p net on the batch @p samples (the same on every rank), the
 *        work shared among the ranks of @p comm: the loss, its standard error and the gradient
 *        are bitwise those of the one-process call, on every rank.
 *
 * @post @p rng has advanced as after the one-process call.
 * @throw on every rank, the error of the lowest rank that failed (agree_on_failure): what
 *        score_loss_gradient throws, and invalid_argument_error naming `samples` when the ranks'
 *        batches differ in size or hold 2^31 samples or more, or `parameters` for a network of
 *        2^31 / gradient_groups parameters or more. Nothing is written then and the stream does
 *        not advance; unavailable_error for a CUDA context (the groups run on the CPU).
 */
template <class T>
loss_gradient_report score_loss_gradient(MPI_Comm comm, const context& ctx, rng_stream& rng,
                                         const mlp_network<T>& net, input_span<T> samples,
                                         const loss_gradient_options& opt,
                                         output_span<T> gradient = {}) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  agree_on_failure(comm, [&] {
    validate_loss_gradient(ctx, net, samples, opt, gradient);
    if (ctx.kind() == backend::cuda) {
      throw unavailable_error("mpi::score_loss_gradient runs on the CPU backend", __FILE__,
                              __LINE__);
    }
    SCOREPATH_EXPECTS(samples.size / net.dim() < (std::uint64_t{1} << 31), "samples",
                      samples.size / net.dim(), "must be fewer than 2^31 per batch");
    SCOREPATH_EXPECTS(net.parameters().size() * gradient_groups < (std::uint64_t{1} << 31),
                      "parameters", net.parameters().size(),
                      "must be fewer than 2^31 / " + std::to_string(gradient_groups) +
                          " for the exchange of group gradients");
  });
  const std::uint64_t n = samples.size / net.dim();
  const std::size_t params = net.parameters().size();
  require_same_on_every_rank(
      comm, {{n, "samples"}, {params, "parameters"}, {gradient.wanted() ? 1u : 0u, "gradient"}});
  const scorepath::detail::gradient_layout layout(n);
  const item_share mine = even_share(layout.groups, ranks, rank);
  const rng_state start = rng.state();
  std::vector<double> losses;
  std::vector<T> group_gradients;  // this rank's groups
  agree_on_failure(comm, [&] {
    losses.assign(n, 0.0);
    if (gradient.wanted()) group_gradients.resize(mine.count * params);
    scorepath::detail::compute_gradient_groups(
        ctx, net, samples, opt, start, layout, mine.begin, mine.count,
        gradient.wanted() ? group_gradients.data() : nullptr, losses.data());
  });

  // Every rank receives every sample's loss, in place.
  std::vector<int> loss_counts(ranks), loss_firsts(ranks);
  for (int r = 0; r < ranks; ++r) {
    const item_share s = even_share(layout.groups, ranks, r);
    loss_firsts[r] = static_cast<int>(layout.first_sample(s.begin));
    loss_counts[r] = static_cast<int>(layout.first_sample(s.begin + s.count)) - loss_firsts[r];
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, losses.data(), loss_counts.data(),
                 loss_firsts.data(), MPI_DOUBLE, comm);
  if (gradient.wanted()) {
    detail::sum_groups_across_ranks(comm, ctx, group_gradients.data(),
                                    layout.groups, params, n, gradient.data);
  }
  loss_gradient_report report;
  report.rng = start;
  report.loss = scorepath::detail::reduce_sample_losses(losses.data(), n);
  rng.reserve(scorepath::detail::gradient_streams(net, n));
  return report;
}

/**
 * @brief train_score_model with every step's gradient shared among the ranks of @p comm
 *        (mpi::score_loss_gradient): every rank passes the same network, data and options and
 *        ends with the weights, state and report of the one-process run, bit for bit.
 *
 * @p on_step runs on every rank (print from one); the run ends after a step when it returns
 * false on any rank, and a throw on any rank ends the run on all with that error. It may call
 * distributed engines on @p comm (a held-out loss) provided no rank throws before them.
 * @throw on every rank, what train_score_model throws (agree_on_failure), and
 *        invalid_argument_error naming `data`, `batch`, `steps` or `resume step` when ranks pass
 *        different values; unavailable_error for a CUDA context
 */
template <class T>
train_report train_score_model(MPI_Comm comm, const context& ctx, mlp_network<T>& net,
                               input_span<T> data, const train_options& opt,
                               const train_callback& on_step = {}, train_state* resume = nullptr) {
  agree_on_failure(comm, [&] { validate_training(ctx, net, data, opt, resume); });
  require_same_on_every_rank(comm, {{data.size, "data"},
                                    {opt.batch, "batch"},
                                    {opt.steps, "steps"},
                                    {resume != nullptr ? resume->step : 0, "resume step"}});
  const train_callback agreed_step = [&](const train_step& s) {
    int go = 1;
    agree_on_failure(comm, [&] { go = on_step && !on_step(s) ? 0 : 1; });
    int all = 1;
    MPI_Allreduce(&go, &all, 1, MPI_INT, MPI_MIN, comm);
    return all == 1;
  };
  return scorepath::detail::run_training(
      net, data, opt, agreed_step, resume,
      [&](rng_stream& probes, input_span<T> batch, output_span<T> gradient) {
        return mpi::score_loss_gradient(comm, ctx, probes, net, batch, opt.loss, gradient);
      });
}

}  // namespace scorepath::mpi
