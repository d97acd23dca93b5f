#include "scorepath/rng_stream.hpp"

#include <limits>

#include "scorepath/error.hpp"

namespace scorepath {

std::uint64_t rng_stream::reserve(std::uint64_t count) {
  std::uint64_t first = next_.load(std::memory_order_relaxed);
  do {
    SCOREPATH_EXPECTS(count <= std::numeric_limits<std::uint64_t>::max() - first, "count", count,
                      "the stream's 64-bit subsequence space is used up");
  } while (!next_.compare_exchange_weak(first, first + count, std::memory_order_relaxed));
  return first;
}

}  // namespace scorepath
