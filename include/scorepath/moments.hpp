/**
 * @file moments.hpp
 * @brief Deterministic mean/variance/min/max reduction of very many values.
 *
 * Values are cut into fixed blocks of `statistics_block` consecutive items. Each block is reduced
 * by the same two-pass loop in item order (double accumulators), and blocks are merged in block
 * order with Chan's pairwise update. Nothing depends on thread count, grid, chunking or backend,
 * so the statistics of a run are bitwise reproducible.
 */
#pragma once

#include <cmath>
#include <cstdint>

#include "scorepath/config.hpp"

namespace scorepath {

/// Items per reduction block; chunked runs cut their item ranges at multiples of it.
inline constexpr std::uint64_t statistics_block = 1024;

/// Count, mean, sum of squared deviations, min and max of a set of values.
struct moment_accumulator {
  double count = 0.0;
  double mean = 0.0;
  double m2 = 0.0;
  double min = INFINITY;
  double max = -INFINITY;

  /// @brief Folds @p other in (Chan et al.'s parallel update); order matters for the last bit.
  ///
  /// Every multiply-add is an explicit, correctly rounded fma and no other product meets an
  /// addition, so no compiler can contract the update differently: the fold gives the same bits
  /// on the CPU backend (built with FMA), in host code built without it, and on a GPU.
  SCOREPATH_HD void merge(const moment_accumulator& other) {
    if (other.count == 0.0) return;
    if (count == 0.0) {
      *this = other;
      return;
    }
    const double n = count + other.count;
    const double delta = other.mean - mean;
    const double weight = count * other.count / n;
    const double squared = delta * delta;
    mean = ::fma(delta, other.count / n, mean);
    m2 = m2 + ::fma(squared, weight, other.m2);
    count = n;
    min = other.min < min ? other.min : min;
    max = other.max > max ? other.max : max;
  }
};

/// @brief Reduces @p n values at @p values[0], values[stride], … in order (one block).
template <class T>
SCOREPATH_HD moment_accumulator summarize_block(const T* values, std::uint64_t n,
                                                std::uint64_t stride = 1) {
  moment_accumulator acc;
  if (n == 0) return acc;
  double sum = 0.0;
  double lo = INFINITY, hi = -INFINITY;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(values[i * stride]);
    sum += v;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  const double mean = sum / static_cast<double>(n);
  double m2 = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(values[i * stride]) - mean;
    m2 += d * d;
  }
  acc.count = static_cast<double>(n);
  acc.mean = mean;
  acc.m2 = m2;
  acc.min = lo;
  acc.max = hi;
  return acc;
}

/// What a user reads: mean, unbiased variance, standard error of the mean, min and max.
struct moment_summary {
  std::uint64_t count = 0;   ///< number of values
  double mean = 0.0;         ///< sample mean
  double variance = 0.0;     ///< unbiased sample variance (0 for one value)
  double std_error = 0.0;    ///< √(variance / count)
  double min = 0.0;          ///< smallest value
  double max = 0.0;          ///< largest value
};

/// The user-facing summary of an accumulator.
inline moment_summary summarize(const moment_accumulator& acc) {
  moment_summary s;
  s.count = static_cast<std::uint64_t>(acc.count);
  s.mean = acc.mean;
  s.variance = acc.count > 1.0 ? acc.m2 / (acc.count - 1.0) : 0.0;
  s.std_error = acc.count > 0.0 ? std::sqrt(s.variance / acc.count) : 0.0;
  s.min = acc.min;
  s.max = acc.max;
  return s;
}

}  // namespace scorepath
