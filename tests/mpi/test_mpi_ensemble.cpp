// simulate_em over a communicator (mpi/ensemble.hpp): statistics, the reducer and the per-path
// outputs joined on rank 0 are bitwise those of a one-process run, for the world and for a split
// communicator; the stream advances as in a one-process run.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi_test_support.hpp"
#include "scorepath/mpi/ensemble.hpp"
#include "scorepath/mpi/gather_paths.hpp"
#include "scorepath/reducers.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"

namespace scorepath {
namespace {

using mpi_test::rank_of;
using mpi_test::same_bits;
using mpi_test::size_of;

constexpr int D = 2;
// Three whole statistics groups and part of a fourth: some ranks hold a partial group, and with
// more than four ranks some hold none.
constexpr std::uint64_t kPaths = 3 * statistics_group + 5000;

em_options options() {
  em_options opt;
  opt.paths = kPaths;
  opt.steps = 8;
  opt.t1 = 0.5;
  opt.save_steps = {4, 8};
  opt.statistics = true;
  opt.chunk_paths = 20000;  // several chunks per rank
  return opt;
}

const ornstein_uhlenbeck<double, D> kSde({1.0, 2.0}, {0.5, -0.25}, {0.3, 0.6});
const std::vector<double> kStart = {0.1, 0.2};

/// The distributed run on @p comm against a one-process run on this rank, field by field.
void expect_one_process_result(MPI_Comm comm) {
  const context ctx(backend_choice::cpu);
  const em_options opt = options();
  rng_stream alone_rng(2024);
  alone_rng.reserve(7);  // a stream that has been used before
  rng_stream shared_rng(alone_rng.state());
  std::vector<double> alone_final(D * kPaths), alone_saved(2 * D * kPaths);
  em_outputs<double> alone_out;
  alone_out.final_states = host_output(alone_final.data(), alone_final.size());
  alone_out.saved_states = host_output(alone_saved.data(), alone_saved.size());
  const em_report alone =
      simulate_em(ctx, alone_rng, kSde, kStart, opt, alone_out, component_value<1>{});

  const item_share mine = mpi::local_share(comm, kPaths);
  std::vector<double> final_states(D * mine.count), saved(2 * D * mine.count);
  em_outputs<double> out;
  if (mine.count > 0) {
    out.final_states = host_output(final_states.data(), final_states.size());
    out.saved_states = host_output(saved.data(), saved.size());
  }
  const em_report shared =
      mpi::simulate_em(comm, ctx, shared_rng, kSde, kStart, opt, out, component_value<1>{});

  EXPECT_EQ(shared.paths, kPaths);
  EXPECT_EQ(shared.rng, alone.rng);
  EXPECT_EQ(shared_rng.state(), alone_rng.state());
  ASSERT_EQ(shared.statistics.size(), alone.statistics.size());
  for (std::size_t i = 0; i < alone.statistics.size(); ++i) {
    EXPECT_TRUE(same_bits(shared.statistics[i], alone.statistics[i])) << "statistic " << i;
  }
  ASSERT_TRUE(shared.reducer && alone.reducer);
  EXPECT_TRUE(same_bits(*shared.reducer, *alone.reducer));
  EXPECT_EQ(shared.save_times, alone.save_times);
  EXPECT_EQ(shared.accumulators.group_count(), 0u);

  const std::vector<double> joined_final = mpi::gather_path_values(comm, final_states, D, kPaths);
  const std::vector<double> joined_saved = mpi::gather_path_values(comm, saved, 2 * D, kPaths);
  if (rank_of(comm) == 0) {
    EXPECT_TRUE(joined_final == alone_final);
    EXPECT_TRUE(joined_saved == alone_saved);
  } else {
    EXPECT_TRUE(joined_final.empty());
  }
}

TEST(MpiEnsemble, WorldRunEqualsOneProcessRunBitwise) { expect_one_process_result(MPI_COMM_WORLD); }

TEST(MpiEnsemble, SplitCommunicatorRunEqualsOneProcessRunBitwise) {
  // Even and odd ranks of the world each run the whole ensemble among themselves.
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, rank_of(MPI_COMM_WORLD) % 2, 0, &half);
  expect_one_process_result(half);
  MPI_Comm_free(&half);
}

TEST(MpiEnsemble, SharesTileTheRunInRankOrderAtGroupBoundaries) {
  const int ranks = size_of(MPI_COMM_WORLD);
  std::uint64_t next = 0;
  for (int r = 0; r < ranks; ++r) {
    const item_share s = share_of_items(kPaths, ranks, r);
    if (s.count == 0) continue;
    EXPECT_EQ(s.begin, next) << "rank " << r;
    EXPECT_EQ(s.begin % statistics_group, 0u) << "rank " << r;
    next = s.begin + s.count;
  }
  EXPECT_EQ(next, kPaths);
}

TEST(MpiEnsemble, FloatRunWithFewerPathsThanRanksHaveGroups) {
  // One partial group: every rank but rank 0 has an empty share and still returns the report.
  const context ctx(backend_choice::cpu);
  em_options opt;
  opt.paths = 3000;
  opt.steps = 4;
  opt.statistics = true;
  const ornstein_uhlenbeck<float, 1> sde(1.0f, 0.0f, 0.5f);
  rng_stream a(5), b(5);
  const em_report alone = simulate_em(ctx, a, sde, {0.25f}, opt);
  const em_report shared = mpi::simulate_em(MPI_COMM_WORLD, ctx, b, sde, {0.25f}, opt);
  ASSERT_EQ(shared.statistics.size(), 1u);
  EXPECT_TRUE(same_bits(shared.statistics[0], alone.statistics[0]));
  EXPECT_EQ(shared.scalar_bytes, 4);
  EXPECT_EQ(a.state(), b.state());
}

}  // namespace
}  // namespace scorepath
