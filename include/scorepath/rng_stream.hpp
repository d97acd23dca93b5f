/**
 * @file rng_stream.hpp
 * @brief Host-side bookkeeping of Philox4x32-10 streams.
 *
 * Every random number scorepath draws is the Philox4x32-10 word at
 * (key = seed, counter = {draw block, subsequence}). Each item of a call (a path, a sample) owns one
 * subsequence, `base + item id`, and its draws walk along it. An rng_stream hands out disjoint
 * subsequence ranges in order, so two calls never share numbers, and a saved rng_state replays a
 * run exactly, on either backend, for any thread count or chunking.
 *
 * One rng_stream may be shared by several threads: reserve() takes its range with an atomic
 * compare-and-exchange, so concurrent calls always get disjoint ranges, and each call's report
 * records the range that call actually used. Which thread gets which range is then up to the
 * scheduler, so a shared stream keeps every call's numbers independent but not the assignment of
 * ranges to calls; give each thread its own stream (or its own rng_state) when runs must replay.
 */
#pragma once

#include <atomic>
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

/// A stream of disjoint Philox subsequence ranges; reserve() may be called from several threads.
class rng_stream {
 public:
  /// A stream keyed by @p seed, starting at subsequence 0.
  explicit rng_stream(std::uint64_t seed = 0) : seed_(seed), next_(0) {}
  /// Resumes a saved state.
  explicit rng_stream(const rng_state& state) : seed_(state.seed), next_(state.next_subsequence) {}
  /// A stream at the state @p other is in now (copying a stream another thread is reserving from
  /// takes one of the states it passes through).
  rng_stream(const rng_stream& other) noexcept : seed_(other.seed_), next_(other.next()) {}
  /// Takes the state @p other is in now.
  rng_stream& operator=(const rng_stream& other) noexcept {
    seed_ = other.seed_;
    next_.store(other.next(), std::memory_order_relaxed);
    return *this;
  }

  /// Current state (what the next call will use).
  rng_state state() const noexcept { return {seed_, next()}; }
  /// Philox key.
  std::uint64_t seed() const noexcept { return seed_; }

  /// @brief Reserves @p count subsequences and returns the first; the stream moves past them.
  ///        Safe to call from several threads at once: every call gets its own range.
  /// @throw invalid_argument_error naming `count` when the 64-bit subsequence space would wrap;
  ///        the stream does not move then
  std::uint64_t reserve(std::uint64_t count);

 private:
  std::uint64_t next() const noexcept { return next_.load(std::memory_order_relaxed); }

  std::uint64_t seed_;
  std::atomic<std::uint64_t> next_;
};

}  // namespace scorepath
