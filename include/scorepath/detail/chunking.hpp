/**
 * @file detail/chunking.hpp
 * @brief Overflow-safe chunk sizes: items per chunk are whole reduction blocks, for any 64-bit
 *        request (UINT64_MAX included) and any item count.
 */
#pragma once

#include <cstdint>
#include <limits>

#include "scorepath/moments.hpp"

namespace scorepath {

/// Largest chunk the library chooses by itself (chunk_paths = 0); callers that choose their own
/// chunk for progress reporting stay within it too, so memory does not depend on the callback.
inline constexpr std::uint64_t default_chunk_limit = std::uint64_t{1} << 22;

namespace detail {

/// @p n rounded up to a multiple of @p step, saturating at the largest multiple of @p step.
inline constexpr std::uint64_t round_up_saturating(std::uint64_t n, std::uint64_t step) {
  const std::uint64_t whole = n / step + (n % step != 0 ? 1 : 0);
  const std::uint64_t most = std::numeric_limits<std::uint64_t>::max() / step;
  return (whole > most ? most : whole) * step;
}

/// Number of pieces of @p step items that cover @p n items (no overflow near 2^64).
inline constexpr std::uint64_t pieces(std::uint64_t n, std::uint64_t step) {
  return n / step + (n % step != 0 ? 1 : 0);
}

/// Items per chunk for @p total items: @p requested (0 takes @p chosen), never more than the items
/// rounded up to whole blocks, always a positive multiple of statistics_block.
inline constexpr std::uint64_t chunk_size(std::uint64_t requested, std::uint64_t chosen,
                                          std::uint64_t total) {
  const std::uint64_t want = round_up_saturating(requested == 0 ? chosen : requested,
                                                 statistics_block);
  const std::uint64_t all = round_up_saturating(total, statistics_block);
  const std::uint64_t chunk = want < all ? want : all;
  return chunk == 0 ? statistics_block : chunk;
}

}  // namespace detail
}  // namespace scorepath
