/**
 * @file detail/subsequence_ids.hpp
 * @brief The 64-bit id of a path, sample or stream, and its split into the (lo, hi) subsequence
 *        words of the Philox counter, for one lane or a SIMD pack of consecutive ids.
 *
 * Item i of a run keyed at subsequence `base` reads subsequence `base + i` (philox.hpp lays out
 * the counter). Every backend and engine takes its words from here, so a path, a sample or a random
 * fill stream draws the same numbers whichever backend or lane width computes it.
 */
#pragma once

#include <cstdint>

#include "scorepath/config.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/philox.hpp"

namespace scorepath::detail {

/**
 * @brief Subsequence words of lanes [first, first + W) after @p base, W the lanes of @p Real:
 *        lane i gets `base + first + i` as (low word, high word). Ids wrap modulo 2^64.
 * @tparam Real a scalar (one lane: the words are `uint32_t`) or a CPU SIMD pack
 */
template <class Real>
SCOREPATH_HDI void subsequence_lanes(std::uint64_t base, std::uint64_t first, lane_word_t<Real>& lo,
                                     lane_word_t<Real>& hi) {
  if constexpr (lane_traits<Real>::lanes == 1) {
    lo = low_word(base + first);
    hi = high_word(base + first);
  } else {
    for (int i = 0; i < lane_traits<Real>::lanes; ++i) {
      const std::uint64_t id = base + first + static_cast<std::uint64_t>(i);
      lo.v[i] = low_word(id);
      hi.v[i] = high_word(id);
    }
  }
}

}  // namespace scorepath::detail
