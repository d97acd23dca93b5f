// How many streams of a host output a CUDA engine stages through the device at a time
// (detail/staging_chunks.hpp): within the chunk cap and half the free memory, at least one,
// never more than there are; and how many samples a chunked engine (sliced score matching) runs
// per chunk when it stages its host spans: whole blocks, at least one. Plain arithmetic: runs
// without a device.
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

TEST(StagedChunkItems, TheEnginesChunkWhenItFits) {
  EXPECT_EQ(staged_chunk_items(1 << 20, 64, 80 * gib), std::uint64_t{1} << 20);
  EXPECT_EQ(staged_chunk_items(statistics_block, 0, 0), statistics_block);
}

TEST(StagedChunkItems, WholeBlocksWithinHalfTheFreeMemory) {
  // 2^20 samples of 4096 bytes want 4 GiB: the 1 GiB staging cap leaves 2^18 samples, and
  // 10^9 free bytes leave 5·10^8 / 4096 = 122070 samples, rounded down to 119 blocks of 1024.
  EXPECT_EQ(staged_chunk_items(1 << 20, 4096, 80 * gib), std::uint64_t{1} << 18);
  EXPECT_EQ(staged_chunk_items(1 << 20, 4096, 1000000000), 119 * statistics_block);
  for (std::uint64_t free_bytes : {std::uint64_t{0}, gib / 1000, gib, 64 * gib}) {
    const std::uint64_t c = staged_chunk_items(1 << 22, 1000, free_bytes);
    EXPECT_EQ(c % statistics_block, 0u) << free_bytes;
    EXPECT_GE(c, statistics_block) << free_bytes;
    EXPECT_LE(c, std::uint64_t{1} << 22) << free_bytes;
  }
}

TEST(StagedChunkItems, AtLeastOneBlockWhenNotEvenOneFits) {
  EXPECT_EQ(staged_chunk_items(1 << 20, 4 * gib, gib), statistics_block);
}

}  // namespace
}  // namespace scorepath::detail
