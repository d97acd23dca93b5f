/**
 * @file detail/staging_chunks.hpp
 * @brief How many streams of a host output a CUDA engine stages through device memory at a time,
 *        so that an output larger than the device's free memory is written chunk by chunk
 *        instead of failing where the CPU succeeds, and how many items a chunked engine runs per
 *        chunk when its host spans are staged. Plain C++: tested without a device.
 */
#pragma once

#include <algorithm>
#include <cstdint>

#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// The most device memory one staging chunk takes.
inline constexpr std::uint64_t staging_chunk_bytes = std::uint64_t{1} << 30;

/**
 * @brief Streams per staging chunk: as many of @p streams as keep @p bytes_per_stream each within
 *        staging_chunk_bytes and within half of @p free_bytes, the device's free memory; at
 *        least 1.
 */
inline std::uint64_t staged_streams_per_chunk(std::uint64_t streams, std::uint64_t bytes_per_stream,
                                              std::uint64_t free_bytes) {
  const std::uint64_t budget = std::min(staging_chunk_bytes, free_bytes / 2);
  const std::uint64_t fit = bytes_per_stream == 0 ? streams : budget / bytes_per_stream;
  return std::clamp<std::uint64_t>(fit, 1, std::max<std::uint64_t>(streams, 1));
}

/**
 * @brief Items per chunk of a chunked engine that stages @p bytes_per_item of device memory per
 *        item: @p chunk (a positive multiple of statistics_block), or as many whole blocks as
 *        staged_streams_per_chunk allows within @p free_bytes; at least one block.
 */
inline std::uint64_t staged_chunk_items(std::uint64_t chunk, std::uint64_t bytes_per_item,
                                        std::uint64_t free_bytes) {
  const std::uint64_t fit = staged_streams_per_chunk(chunk, bytes_per_item, free_bytes);
  const std::uint64_t blocks = fit / statistics_block;
  return blocks == 0 ? statistics_block : blocks * statistics_block;
}

}  // namespace scorepath::detail
