// How many streams of a host output a CUDA engine stages through the device at a time
// (detail/staging_chunks.hpp): within the chunk cap and half the free memory, at least one,
// never more than there are. Plain arithmetic: runs without a device.
#include <gtest/gtest.h>

#include <cstdint>

#include "scorepath/detail/staging_chunks.hpp"

namespace scorepath::detail {
namespace {

constexpr std::uint64_t gib = std::uint64_t{1} << 30;

TEST(StagingChunks, AllStreamsWhenTheyFit) {
  EXPECT_EQ(staged_streams_per_chunk(1000, 8 * 24, 80 * gib), 1000u);
}

TEST(StagingChunks, CappedByTheChunkSize) {
  // 10^9 streams of 24 doubles: 1 GiB / 192 bytes each.
  EXPECT_EQ(staged_streams_per_chunk(1000000000, 192, 80 * gib), gib / 192);
}

TEST(StagingChunks, CappedByHalfTheFreeMemory) {
  EXPECT_EQ(staged_streams_per_chunk(1000000000, 100, 200000), 1000u);
}

TEST(StagingChunks, AtLeastOneStreamAndNoneBeyondTheRun) {
  EXPECT_EQ(staged_streams_per_chunk(50, 4 * gib, gib), 1u);
  EXPECT_EQ(staged_streams_per_chunk(7, 0, gib), 7u);
  EXPECT_EQ(staged_streams_per_chunk(0, 8, gib), 1u);
}

}  // namespace
}  // namespace scorepath::detail
