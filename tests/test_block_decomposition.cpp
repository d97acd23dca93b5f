// The block decomposition every engine runs through (chunks of whole blocks, blocks of
// statistics_block items, up to 2^64 − 1 items), the one split of 64-bit ids into Philox
// subsequence words, the one Philox counter layout, and the CPU driver's contract: results folded
// in block order for any thread count, worker exceptions carried to the caller, progress after
// each chunk.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/error.hpp"
#include "scorepath/philox.hpp"
#include "scorepath/simd_pack.hpp"

namespace scorepath {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t B = statistics_block;

/// Every item once, in order, chunk by chunk and block by block; blocks on multiples of B.
void expect_covers(const detail::block_decomposition& run) {
  std::uint64_t next = 0;
  for (std::uint64_t c = 0; c < run.chunk_count(); ++c) {
    const detail::item_range chunk = run.chunk(c);
    ASSERT_EQ(chunk.begin, next);
    ASSERT_EQ(detail::block_decomposition::first_block(chunk) * B, chunk.begin);
    const std::uint64_t blocks = detail::block_decomposition::block_count(chunk);
    ASSERT_LE(blocks, run.blocks_per_chunk());
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const detail::item_range block = detail::block_decomposition::block(chunk, b);
      ASSERT_EQ(block.begin, next);
      ASSERT_EQ(block.begin % B, 0u);
      ASSERT_GE(block.size, 1u);
      ASSERT_LE(block.size, B);
      next = block.end();
    }
    ASSERT_EQ(next, chunk.end());
  }
  EXPECT_EQ(next, run.items());
}

TEST(BlockDecomposition, CoversEveryItemOnceInBlockOrder) {
  struct row {
    std::uint64_t items, chunk;
  };
  const row rows[] = {{1, B},         {B, B},          {B + 1, B},      {5 * B - 3, 2 * B},
                      {4 * B, 2 * B}, {7 * B + 5, 3 * B}, {100, 64 * B}, {3 * B, 1 << 20}};
  for (const row& r : rows) {
    SCOPED_TRACE(testing::Message() << "items " << r.items << " chunk " << r.chunk);
    expect_covers(detail::block_decomposition(r.items, r.chunk));
  }
}

TEST(BlockDecomposition, SingleChunkIsWholeBlocks) {
  for (std::uint64_t n : {std::uint64_t{1}, B - 1, B, B + 1, 10 * B + 7}) {
    const auto run = detail::block_decomposition::single_chunk(n);
    EXPECT_EQ(run.chunk_count(), 1u) << n;
    EXPECT_EQ(run.chunk_items() % B, 0u) << n;
    expect_covers(run);
  }
}

TEST(BlockDecomposition, LastChunkNearTwoToTheSixtyFourDoesNotWrap) {
  const std::uint64_t chunk = detail::chunk_size(kMax, 1 << 20, kMax);
  const detail::block_decomposition run(kMax, chunk);
  const std::uint64_t last = run.chunk_count() - 1;
  const detail::item_range tail = run.chunk(last);
  EXPECT_EQ(tail.end(), kMax);
  EXPECT_GE(tail.begin, kMax - chunk);
  const std::uint64_t blocks = detail::block_decomposition::block_count(tail);
  const detail::item_range block = detail::block_decomposition::block(tail, blocks - 1);
  EXPECT_EQ(block.end(), kMax);
  EXPECT_EQ(block.size, kMax % B == 0 ? B : kMax % B);
}

TEST(SubsequenceIds, SplitIntoLowAndHighWords) {
  struct row {
    std::uint64_t base, first;
    std::uint32_t lo, hi;
  };
  const row rows[] = {{0, 0, 0u, 0u},
                      {0xFFFFFFFFu, 1, 0u, 1u},
                      {0x123456789ABCDEF0ull, 0x10, 0x9ABCDF00u, 0x12345678u},
                      {kMax, 1, 0u, 0u}};  // ids wrap modulo 2^64
  for (const row& r : rows) {
    std::uint32_t lo = 7, hi = 7;
    detail::subsequence_lanes<float>(r.base, r.first, lo, hi);
    EXPECT_EQ(lo, r.lo) << r.base;
    EXPECT_EQ(hi, r.hi) << r.base;
  }
}

TEST(SubsequenceIds, PackLanesAreConsecutiveIds) {
  using pack = simd::pack<float, simd::float_lanes>;
  lane_word_t<pack> lo, hi;
  const std::uint64_t base = 0xFFFFFFFEull;  // the lanes cross a high-word boundary
  detail::subsequence_lanes<pack>(base, 0, lo, hi);
  for (int i = 0; i < pack::lanes; ++i) {
    std::uint32_t l, h;
    detail::subsequence_lanes<float>(base, static_cast<std::uint64_t>(i), l, h);
    EXPECT_EQ(lo.v[i], l) << i;
    EXPECT_EQ(hi.v[i], h) << i;
  }
}

TEST(PhiloxCounter, BlockAndSubsequenceWordsInCuRandOrder) {
  const std::uint64_t seed = 0x0123456789ABCDEFull;
  const std::uint64_t block = 0x00000002FFFFFFFFull;
  const philox_block<std::uint32_t> expected = philox4x32_10(
      philox_block<std::uint32_t>{0xFFFFFFFFu, 2u, 11u, 13u}, 0x89ABCDEFu, 0x01234567u);
  const philox_block<std::uint32_t> got =
      philox_subsequence_block(philox_key(seed), block, std::uint32_t{11}, std::uint32_t{13});
  EXPECT_EQ(got.x, expected.x);
  EXPECT_EQ(got.y, expected.y);
  EXPECT_EQ(got.z, expected.z);
  EXPECT_EQ(got.w, expected.w);
}

TEST(LaunchPolicy, GridCoversItemsWithinTheCap) {
  using p = detail::launch_policy<128>;
  EXPECT_EQ(p::grid_for(0), 1u);
  EXPECT_EQ(p::grid_for(1), 1u);
  EXPECT_EQ(p::grid_for(128), 1u);
  EXPECT_EQ(p::grid_for(129), 2u);
  EXPECT_EQ(p::grid_for(kMax), static_cast<unsigned>(p::max_grid));
}

/// A CPU context with @p threads threads.
context cpu_context(int threads) {
  context ctx(backend_choice::cpu);
  ctx.set_threads(threads);
  return ctx;
}

/// Runs a driver job whose block result is the sum of its item ids, folded as a running list.
std::vector<std::uint64_t> block_sums(int threads, detail::cpu_block_schedule schedule,
                                      std::uint64_t items, std::uint64_t chunk,
                                      std::vector<std::uint64_t>* progress = nullptr) {
  std::vector<std::uint64_t> folded;
  std::uint64_t expected_first = 0;
  detail::cpu_run_blocks<std::uint64_t, std::vector<std::uint64_t>>(
      cpu_context(threads), detail::block_decomposition(items, chunk), schedule, 1,
      [](std::vector<std::uint64_t>& scratch) { scratch.resize(4); },
      [](const detail::item_range& block, std::vector<std::uint64_t>& scratch,
         std::uint64_t* out) {
        scratch[0] = 0;
        for (std::uint64_t i = block.begin; i < block.end(); ++i) scratch[0] += i;
        *out = scratch[0];
      },
      [&](const std::uint64_t* results, std::uint64_t first_block, std::uint64_t blocks) {
        EXPECT_EQ(first_block, expected_first);
        expected_first += blocks;
        folded.insert(folded.end(), results, results + blocks);
      },
      progress == nullptr
          ? detail::progress_callback{}
          : detail::progress_callback([&](std::uint64_t done, std::uint64_t total) {
              EXPECT_EQ(total, items);
              progress->push_back(done);
            }));
  return folded;
}

TEST(CpuDriver, FoldsBlocksInOrderForAnyThreadCountAndSchedule) {
  const std::uint64_t items = 9 * B + 17;
  const std::vector<std::uint64_t> one = block_sums(1, detail::cpu_block_schedule::even, items, 4 * B);
  ASSERT_EQ(one.size(), 10u);
  EXPECT_EQ(one[0], B * (B - 1) / 2);
  for (int threads : {2, 3, 8}) {
    for (auto schedule : {detail::cpu_block_schedule::even, detail::cpu_block_schedule::balanced}) {
      EXPECT_EQ(block_sums(threads, schedule, items, 4 * B), one) << threads;
      EXPECT_EQ(block_sums(threads, schedule, items, B), one) << threads;
    }
  }
}

TEST(CpuDriver, ReportsProgressAfterEachChunk) {
  std::vector<std::uint64_t> done;
  block_sums(3, detail::cpu_block_schedule::even, 5 * B + 1, 2 * B, &done);
  EXPECT_EQ(done, (std::vector<std::uint64_t>{2 * B, 4 * B, 5 * B + 1}));
}

TEST(CpuDriver, CarriesWorkerExceptionsToTheCaller) {
  struct row {
    const char* what;
    bool in_init;
  };
  for (const row r : {row{"body", false}, row{"init", true}}) {
    SCOPED_TRACE(r.what);
    int folds = 0;
    auto run = [&] {
      detail::cpu_run_blocks<int, int>(
          cpu_context(4), detail::block_decomposition(8 * B, 8 * B),
          detail::cpu_block_schedule::balanced, 1,
          [&](int&) {
            if (r.in_init) throw std::bad_alloc();
          },
          [&](const detail::item_range& block, int&, int*) {
            if (block.begin == 5 * B) throw std::runtime_error("block 5 failed");
          },
          [&](const int*, std::uint64_t, std::uint64_t) { ++folds; });
    };
    if (r.in_init) {
      EXPECT_THROW(run(), out_of_memory_error);
    } else {
      EXPECT_THROW(run(), std::runtime_error);
    }
    EXPECT_EQ(folds, 0);
  }
}

}  // namespace
}  // namespace scorepath
