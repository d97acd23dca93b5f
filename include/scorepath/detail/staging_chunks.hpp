/**
 * @file detail/staging_chunks.hpp
 * @brief How many streams of a host output a CUDA engine stages through device memory at a time,
 *        so that an output larger than the device's free memory is written chunk by chunk
 *        instead of failing where the CPU succeeds. Plain C++: tested without a device.
 */
#pragma once

#include <algorithm>
#include <cstdint>

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

}  // namespace scorepath::detail
