// How a run is shared out among processes (rank_shares.hpp): the shares tile the run in part
// order, start on statistics-group boundaries, differ by at most one group, leave later parts
// empty when there are fewer groups than parts, and hold near 2^64 items; bad part numbers are
// refused naming the parameter.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "scorepath/rank_shares.hpp"

namespace scorepath {
namespace {

void expect_tiling(std::uint64_t items, int parts) {
  std::uint64_t next = 0, fewest = UINT64_MAX, most = 0;
  for (int k = 0; k < parts; ++k) {
    const item_share s = share_of_items(items, parts, k);
    if (s.count == 0) {
      EXPECT_EQ(s.begin, items) << items << " items, part " << k << " of " << parts;
      fewest = 0;
      continue;
    }
    EXPECT_EQ(s.begin, next) << items << " items, part " << k << " of " << parts;
    EXPECT_EQ(s.begin % statistics_group, 0u);
    const std::uint64_t groups = (s.count + statistics_group - 1) / statistics_group;
    fewest = std::min(fewest, groups);
    most = std::max(most, groups);
    next = s.begin + s.count;
  }
  EXPECT_EQ(next, items) << items << " items in " << parts << " parts";
  if (items / statistics_group >= static_cast<std::uint64_t>(parts)) {
    EXPECT_LE(most - fewest, 1u) << items << " items in " << parts << " parts";
  }
}

TEST(RankShares, SharesTileTheRunAtGroupBoundaries) {
  const std::uint64_t g = statistics_group;
  for (std::uint64_t items :
       {std::uint64_t{1}, g - 1, g, g + 1, 3 * g + 5000, 10 * g, 1000 * g + 7}) {
    for (int parts : {1, 2, 3, 4, 7, 64}) expect_tiling(items, parts);
  }
}

TEST(RankShares, FirstPartsTakeTheExtraGroups) {
  // 5 groups in 3 parts: 2, 2, 1.
  const std::uint64_t g = statistics_group;
  EXPECT_EQ(share_of_items(5 * g, 3, 0).count, 2 * g);
  EXPECT_EQ(share_of_items(5 * g, 3, 1).begin, 2 * g);
  EXPECT_EQ(share_of_items(5 * g, 3, 2).begin, 4 * g);
  EXPECT_EQ(share_of_items(5 * g, 3, 2).count, g);
  // A partial last group counts as a group: 5 groups in 2 parts, the second holding the partial.
  EXPECT_EQ(share_of_items(4 * g + 10, 2, 0).count, 3 * g);
  EXPECT_EQ(share_of_items(4 * g + 10, 2, 1).count, g + 10);
}

TEST(RankShares, FewerGroupsThanPartsLeavesLaterPartsEmpty) {
  EXPECT_EQ(share_of_items(100, 3, 0).count, 100u);
  EXPECT_EQ(share_of_items(100, 3, 1).count, 0u);
  EXPECT_EQ(share_of_items(0, 2, 0).count, 0u);
}

TEST(RankShares, RunsNearTwoToTheSixtyFourDoNotWrap) {
  const std::uint64_t items = std::numeric_limits<std::uint64_t>::max();
  expect_tiling(items, 3);
  expect_tiling(items, 1000);
}

TEST(RankShares, BadPartNumbersAreRefusedNamingThem) {
  try {
    (void)share_of_items(10, 0, 0);
    ADD_FAILURE() << "parts = 0 accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "parts");
  }
  try {
    (void)share_of_items(10, 2, 2);
    ADD_FAILURE() << "part = 2 of 2 accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "part");
  }
}

}  // namespace
}  // namespace scorepath
