#include "scorepath/rng_stream.hpp"

#include <limits>

#include "scorepath/error.hpp"

namespace scorepath {

std::uint64_t rng_stream::reserve(std::uint64_t count) {
  SCOREPATH_EXPECTS(count <= std::numeric_limits<std::uint64_t>::max() - state_.next_subsequence,
                    "count", count, "the stream's 64-bit subsequence space is used up");
  const std::uint64_t first = state_.next_subsequence;
  state_.next_subsequence += count;
  return first;
}

}  // namespace scorepath
