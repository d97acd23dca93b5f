/**
 * @file moments.hpp
 * @brief Deterministic mean/variance/min/max reduction of very many values.
 *
 * Values are cut into fixed blocks of `statistics_block` consecutive items. Each block is reduced
 * by the same two passes (double accumulators) in a fixed order, 32 interleaved lane sums folded
 * pairwise, and blocks are merged in block order with Chan's pairwise update. Nothing depends on
 * thread count, grid, chunking or backend, so the statistics of a run are bitwise reproducible.
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

namespace detail {

/// Lanes of a block reduction: lane j sums the values j, j + 32, j + 64, … of a block in order,
/// and the 32 lanes are folded pairwise (lane j takes in lane j + w for w = 16, 8, 4, 2, 1). A GPU
/// warp does the same with one thread per lane, reading consecutive values (coalesced), and gets
/// the same bits.
inline constexpr int reduction_lanes = 32;

/// One lane's running sum, minimum and maximum.
struct lane_moments {
  double sum = 0.0;
  double min = INFINITY;
  double max = -INFINITY;

  /// Folds lane @p other in (the pairwise step of the fold).
  SCOREPATH_HD void fold(const lane_moments& other) {
    sum += other.sum;
    min = other.min < min ? other.min : min;
    max = other.max > max ? other.max : max;
  }
};

/// Sum, min and max of lane @p lane's values: values[(lane + 32k)·stride] for k = 0, 1, … while
/// lane + 32k < n, in order of k.
template <class T>
SCOREPATH_HD lane_moments lane_first_pass(const T* values, std::uint64_t n, std::uint64_t stride,
                                          int lane) {
  lane_moments m;
  for (std::uint64_t i = static_cast<std::uint64_t>(lane); i < n; i += reduction_lanes) {
    const double v = static_cast<double>(values[i * stride]);
    m.sum += v;
    m.min = v < m.min ? v : m.min;
    m.max = v > m.max ? v : m.max;
  }
  return m;
}

/// Lane @p lane's sum of squared deviations from @p mean, in the order of lane_first_pass. The
/// explicit fma leaves no product for a compiler to contract differently on another backend.
template <class T>
SCOREPATH_HD double lane_second_pass(const T* values, std::uint64_t n, std::uint64_t stride,
                                     int lane, double mean) {
  double m2 = 0.0;
  for (std::uint64_t i = static_cast<std::uint64_t>(lane); i < n; i += reduction_lanes) {
    const double d = static_cast<double>(values[i * stride]) - mean;
    m2 = ::fma(d, d, m2);
  }
  return m2;
}

/// The block's accumulator from its count, the folded first pass and the folded second pass.
SCOREPATH_HD inline moment_accumulator block_accumulator(std::uint64_t n, const lane_moments& m,
                                                         double mean, double m2) {
  moment_accumulator acc;
  acc.count = static_cast<double>(n);
  acc.mean = mean;
  acc.m2 = m2;
  acc.min = m.min;
  acc.max = m.max;
  return acc;
}

}  // namespace detail

/**
 * @brief Reduces the @p n values at @p values[0], values[stride], … (one block): two passes of
 *        detail::reduction_lanes lane sums each, folded pairwise (the order a GPU warp reproduces).
 */
template <class T>
moment_accumulator summarize_block(const T* values, std::uint64_t n, std::uint64_t stride = 1) {
  if (n == 0) return moment_accumulator{};
  constexpr int L = detail::reduction_lanes;
  detail::lane_moments lanes[L];
  for (int j = 0; j < L; ++j) lanes[j] = detail::lane_first_pass(values, n, stride, j);
  for (int w = L / 2; w >= 1; w /= 2) {
    for (int j = 0; j < w; ++j) lanes[j].fold(lanes[j + w]);
  }
  const double mean = lanes[0].sum / static_cast<double>(n);
  double m2[L];
  for (int j = 0; j < L; ++j) m2[j] = detail::lane_second_pass(values, n, stride, j, mean);
  for (int w = L / 2; w >= 1; w /= 2) {
    for (int j = 0; j < w; ++j) m2[j] += m2[j + w];
  }
  return detail::block_accumulator(n, lanes[0], mean, m2[0]);
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
