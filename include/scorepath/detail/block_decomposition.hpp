/**
 * @file detail/block_decomposition.hpp
 * @brief How every engine splits a run of items (paths, samples, streams) into chunks of whole
 *        reduction blocks, and chunks into fixed blocks of `statistics_block` items.
 *
 * A block is the unit of work and of reduction: block k holds items [k·B, min((k+1)·B, items)),
 * B = statistics_block, on every backend and for any thread count or chunk size, so per-block
 * results folded in block order are bitwise reproducible. A chunk is what one pass of a driver
 * holds in memory at once (detail/cpu_driver.hpp, detail/cuda_driver.cuh); it is a whole number
 * of blocks, so chunking never moves a block boundary. All arithmetic is safe up to 2^64 − 1
 * items (detail/chunking.hpp).
 */
#pragma once

#include <cstdint>

#include "scorepath/detail/chunking.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// Items [begin, begin + size) of a run.
struct item_range {
  std::uint64_t begin = 0;
  std::uint64_t size = 0;
  /// One past the last item (never wraps: a range lies within a run of at most 2^64 − 1 items).
  constexpr std::uint64_t end() const { return begin + size; }
};

/// A run of @p items in chunks of @p chunk_items (a positive multiple of statistics_block).
class block_decomposition {
 public:
  /// Items per block: the reduction block of moments.hpp.
  static constexpr std::uint64_t block_items = statistics_block;

  /// @p chunk_items as chosen by chunk_size(): a positive multiple of block_items.
  constexpr block_decomposition(std::uint64_t items, std::uint64_t chunk_items)
      : items_(items), chunk_items_(chunk_items) {}

  /// The whole run as one chunk (for engines that keep no per-chunk memory).
  static constexpr block_decomposition single_chunk(std::uint64_t items) {
    return block_decomposition(items, chunk_size(0, items, items));
  }

  /// Items in the run.
  constexpr std::uint64_t items() const { return items_; }
  /// Items per full chunk.
  constexpr std::uint64_t chunk_items() const { return chunk_items_; }
  /// Blocks in a full chunk.
  constexpr std::uint64_t blocks_per_chunk() const { return pieces(chunk_items_, block_items); }
  /// Chunks in the run.
  constexpr std::uint64_t chunk_count() const { return pieces(items_, chunk_items_); }
  /// Chunk @p c < chunk_count(); the last one may be short.
  constexpr item_range chunk(std::uint64_t c) const {
    const std::uint64_t begin = c * chunk_items_;  // ≤ items − 1 for a valid c: no overflow
    const std::uint64_t left = items_ - begin;
    return {begin, left < chunk_items_ ? left : chunk_items_};
  }

  /// Blocks in @p chunk.
  static constexpr std::uint64_t block_count(const item_range& chunk) {
    return pieces(chunk.size, block_items);
  }
  /// Index in the run of the first block of @p chunk.
  static constexpr std::uint64_t first_block(const item_range& chunk) {
    return chunk.begin / block_items;
  }
  /// Block @p b < block_count(chunk) of @p chunk; the last block of the run may be short.
  static constexpr item_range block(const item_range& chunk, std::uint64_t b) {
    const std::uint64_t offset = b * block_items;
    const std::uint64_t left = chunk.size - offset;
    return {chunk.begin + offset, left < block_items ? left : block_items};
  }

 private:
  std::uint64_t items_;
  std::uint64_t chunk_items_;
};

}  // namespace scorepath::detail
