// A failure on one rank stops every rank with the same typed error naming that rank
// (mpi/rank_failures.hpp), inside the distributed engines and around the caller's own steps.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpi_test_support.hpp"
#include "scorepath/mpi/ensemble.hpp"
#include "scorepath/mpi/gather_paths.hpp"
#include "scorepath/mpi/rank_failures.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"

namespace scorepath {
namespace {

using mpi_test::rank_of;
using mpi_test::size_of;

std::string last_rank_text() {
  const int ranks = size_of(MPI_COMM_WORLD);
  return "rank " + std::to_string(ranks - 1) + " of " + std::to_string(ranks);
}

TEST(MpiFailures, BadInputOnTheLastRankStopsEveryRankWithItsError) {
  // Only the last rank passes a NaN start: every rank throws that rank's argument error.
  const bool last = rank_of(MPI_COMM_WORLD) == size_of(MPI_COMM_WORLD) - 1;
  const std::vector<double> x0 = {last ? std::nan("") : 0.0};
  const ornstein_uhlenbeck<double, 1> sde(1.0, 0.0, 1.0);
  em_options opt;
  opt.paths = 5 * statistics_group;
  opt.steps = 2;
  opt.statistics = true;
  rng_stream rng(3);
  try {
    (void)mpi::simulate_em(MPI_COMM_WORLD, context(backend_choice::cpu), rng, sde, x0, opt);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "x0[0]");
    EXPECT_NE(std::string(e.what()).find(last_rank_text()), std::string::npos) << e.what();
  }
  EXPECT_EQ(rng.state().next_subsequence, 0u);
}

TEST(MpiFailures, EveryErrorKindKeepsItsType) {
  const bool last = rank_of(MPI_COMM_WORLD) == size_of(MPI_COMM_WORLD) - 1;
  EXPECT_THROW(mpi::agree_on_failure(MPI_COMM_WORLD,
                                     [&] {
                                       if (last) throw std::bad_alloc();
                                     }),
               out_of_memory_error);
  EXPECT_THROW(mpi::agree_on_failure(MPI_COMM_WORLD,
                                     [&] {
                                       if (last) throw unavailable_error("no device", "f.cpp", 7);
                                     }),
               unavailable_error);
  try {
    mpi::agree_on_failure(MPI_COMM_WORLD, [&] {
      if (last) throw std::runtime_error("disk full");
    });
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("disk full (" + last_rank_text() + ")"), std::string::npos) << text;
  }
  // Nothing thrown anywhere: nothing thrown.
  EXPECT_NO_THROW(mpi::agree_on_failure(MPI_COMM_WORLD, [] {}));
}

TEST(MpiFailures, TheLowestFailingRankIsReported) {
  // Every rank fails with its own parameter name: all report rank 0's.
  try {
    mpi::agree_on_failure(MPI_COMM_WORLD, [] {
      throw invalid_argument_error("p" + std::to_string(rank_of(MPI_COMM_WORLD)), "1", "bad",
                                   __FILE__, __LINE__);
    });
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "p0");
    EXPECT_EQ(e.requirement(), "bad (rank 0 of " + std::to_string(size_of(MPI_COMM_WORLD)) + ")");
  }
}

TEST(MpiFailures, AWronglySizedBufferStopsTheGatherOnEveryRank) {
  const std::uint64_t paths = 2 * statistics_group;
  const item_share mine = mpi::local_share(MPI_COMM_WORLD, paths);
  const bool last = rank_of(MPI_COMM_WORLD) == size_of(MPI_COMM_WORLD) - 1;
  std::vector<float> local(mine.count + (last ? 1 : 0), 1.0f);
  try {
    (void)mpi::gather_path_values(MPI_COMM_WORLD, local, 1, paths);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "local size");
  }
}

}  // namespace
}  // namespace scorepath
