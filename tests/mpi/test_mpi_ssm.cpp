// sliced_score_matching over samples sharded across ranks (mpi/ssm.hpp): the losses, standard
// errors and per-sample terms of a one-process call, bitwise, for a compiled model, the run-time
// network and the run-time mixture; shards that do not start on a group boundary are refused on
// every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi_test_support.hpp"
#include "scorepath/mixture_ssm.hpp"
#include "scorepath/mpi/ssm.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/training/network_ssm.hpp"
#include "support/mixture_reference.hpp"

namespace scorepath {
namespace {

using mpi_test::rank_of;
using mpi_test::same_bits;
using mpi_test::size_of;
using test_support::make_mixture;
using test_support::mixture_samples;
using test_support::random_mixture_params;

// Two whole groups and part of a third.
constexpr std::uint64_t kSamples = 2 * statistics_group + 3000;

/// One-process and distributed calls of @p model on @p all (N × dim, this rank's rows sharded by
/// local_share) agree bit for bit, per-sample terms included.
template <class Model>
void expect_sharded_equals_whole(const Model& model, int dim, const std::vector<double>& all,
                                 ssm_options opt) {
  const context ctx(backend_choice::cpu);
  const std::uint64_t n = all.size() / dim;
  rng_stream alone_rng(91), shared_rng(91);
  std::vector<double> alone_terms(n);
  ssm_outputs<double> alone_out;
  alone_out.ssm_vr_per_sample = host_output(alone_terms.data(), alone_terms.size());
  const ssm_report alone = sliced_score_matching(ctx, alone_rng, model, all, opt, alone_out);

  const item_share mine = mpi::local_share(MPI_COMM_WORLD, n);
  const std::vector<double> shard(all.begin() + mine.begin * dim,
                                  all.begin() + (mine.begin + mine.count) * dim);
  std::vector<double> terms(mine.count);
  ssm_outputs<double> out;
  if (mine.count > 0) out.ssm_vr_per_sample = host_output(terms.data(), terms.size());
  const ssm_report shared =
      mpi::sliced_score_matching(MPI_COMM_WORLD, ctx, shared_rng, model, shard, opt, out);

  EXPECT_TRUE(same_bits(shared.ssm, alone.ssm));
  EXPECT_TRUE(same_bits(shared.ssm_vr, alone.ssm_vr));
  ASSERT_EQ(shared.ism.has_value(), alone.ism.has_value());
  if (alone.ism) EXPECT_TRUE(same_bits(*shared.ism, *alone.ism));
  EXPECT_EQ(shared.rng, alone.rng);
  EXPECT_EQ(shared_rng.state(), alone_rng.state());
  const std::vector<double> mine_alone(alone_terms.begin() + mine.begin,
                                       alone_terms.begin() + mine.begin + mine.count);
  EXPECT_TRUE(terms == mine_alone);
}

TEST(MpiSsm, CompiledMixtureEqualsOneProcessBitwise) {
  const auto params = random_mixture_params<2>(17);
  ssm_options opt;
  opt.probes = 2;
  opt.law = probe_law::rademacher;
  opt.exact_ism = true;
  expect_sharded_equals_whole(make_mixture<double, 2>(params), 2,
                              mixture_samples<2>(params, kSamples, 18), opt);
}

TEST(MpiSsm, RunTimeNetworkEqualsOneProcessBitwise) {
  const auto net = mlp_network<double>::random(3, {8}, mlp_activation::tanh, 19);
  const diagonal_mixture data = ring_mixture_components(3);
  ssm_options opt;
  opt.probes = 1;
  opt.half_scaling = true;
  expect_sharded_equals_whole(net, 3, draw_mixture(data, kSamples, 20), opt);
}

TEST(MpiSsm, RunTimeMixtureEqualsOneProcessBitwise) {
  const diagonal_mixture mix = ring_mixture_components(5);
  ssm_options opt;
  opt.probes = 3;
  opt.law = probe_law::sphere;
  expect_sharded_equals_whole(mix, 5, draw_mixture(mix, kSamples, 21), opt);
}

TEST(MpiSsm, ShardNotOnAGroupBoundaryIsRefusedOnEveryRank) {
  if (size_of(MPI_COMM_WORLD) < 2) GTEST_SKIP() << "needs two ranks";
  // Every rank holds 100 rows: rank 1's first row (100) is not a group boundary.
  const diagonal_mixture mix = ring_mixture_components(2);
  const std::vector<double> shard = draw_mixture(mix, 100, 22 + rank_of(MPI_COMM_WORLD));
  const context ctx(backend_choice::cpu);
  rng_stream rng(23);
  ssm_options opt;
  opt.probes = 1;
  try {
    (void)mpi::sliced_score_matching(MPI_COMM_WORLD, ctx, rng, mix, shard, opt);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "samples");
    EXPECT_EQ(e.value(), "100");
    EXPECT_NE(std::string(e.what()).find("rank 1 of"), std::string::npos) << e.what();
  }
  EXPECT_EQ(rng.state().next_subsequence, 0u);  // the stream did not advance
}

}  // namespace
}  // namespace scorepath
