/**
 * @file rng_stream.hpp
 * @brief Host-side bookkeeping of Philox4x32-10 streams.
 *
 * Every random number scorepath draws is the Philox4x32-10 word at
 * (key = seed, counter = {draw block, subsequence}). Each item of a call (a path, a sample) owns one
 * subsequence, `base + item id`, and its draws walk along it. An rng_stream hands out disjoint
 * subsequence ranges in order, so two calls never share numbers, and a saved rng_state replays a
 * run exactly, on either backend, for any thread count or chunking.
 */
#pragma once

#include <cstdint>

namespace scorepath {

/// The complete state of a stream: copy it to replay what follows.
struct rng_state {
  std::uint64_t seed = 0;               ///< Philox key
  std::uint64_t next_subsequence = 0;   ///< first subsequence the next call will use
  friend bool operator==(const rng_state& a, const rng_state& b) {
    return a.seed == b.seed && a.next_subsequence == b.next_subsequence;
  }
};

/// A stream of disjoint Philox subsequence ranges.
class rng_stream {
 public:
  /// A stream keyed by @p seed, starting at subsequence 0.
  explicit rng_stream(std::uint64_t seed = 0) : state_{seed, 0} {}
  /// Resumes a saved state.
  explicit rng_stream(const rng_state& state) : state_(state) {}

  /// Current state (what the next call will use).
  rng_state state() const noexcept { return state_; }
  /// Philox key.
  std::uint64_t seed() const noexcept { return state_.seed; }

  /// @brief Reserves @p count subsequences and returns the first; the stream moves past them.
  /// @throw invalid_argument_error naming `count` when the 64-bit subsequence space would wrap
  std::uint64_t reserve(std::uint64_t count);

 private:
  rng_state state_;
};

}  // namespace scorepath
