/**
 * @file sampling/sample_quality.hpp
 * @brief How close a set of samples is to another (or to draws of a known law): energy distance,
 *        the unbiased squared MMD with a Gaussian kernel, the sliced Wasserstein-2 distance, and
 *        the component weights a sample gives a known mixture.
 *
 * Energy distance and MMD² are two-sample U-statistics over X (n rows) and Y (m rows):
 *
 *     E   = 2·mean_{i,j} ‖x_i − y_j‖ − mean_{i≠i'} ‖x_i − x_i'‖ − mean_{j≠j'} ‖y_j − y_j'‖
 *     MMD² = mean_{i≠i'} k(x_i, x_i') + mean_{j≠j'} k(y_j, y_j') − 2·mean_{i,j} k(x_i, y_j),
 *     k(x, y) = exp(−‖x − y‖² / (2h²)),
 *
 * both unbiased for their population values (0 exactly when the laws are equal). Their standard
 * error is the first-order (Hoeffding) one, √(var(a)/n + var(b)/m) with a_i, b_j the rows'
 * contributions; when the two laws are equal that term vanishes and the error is of order 1/n
 * instead: compare with the same measure between two independent draws of the reference law.
 * Every row's sums are computed on one thread and folded in row order: results do not depend on
 * the thread count.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"

namespace scorepath {

/// A measure's value and its standard error.
struct quality_estimate {
  double value = 0.0;      ///< the estimate
  double std_error = 0.0;  ///< its standard error (see the file comment)
};

/**
 * @brief The energy distance between the rows of @p x (n × dim) and @p y (m × dim).
 * @throw invalid_argument_error naming `dim` (below 1), `x` or `y` (fewer than two rows, a size
 *        that is not a multiple of dim, a value that is not finite)
 */
quality_estimate energy_distance(const context& ctx, const std::vector<double>& x,
                                 const std::vector<double>& y, int dim);

/**
 * @brief The unbiased squared MMD with a Gaussian kernel of bandwidth @p bandwidth (> 0).
 * @throw invalid_argument_error as energy_distance, and naming `bandwidth`
 */
quality_estimate mmd_squared(const context& ctx, const std::vector<double>& x,
                             const std::vector<double>& y, int dim, double bandwidth);

/**
 * @brief The sliced Wasserstein-2 distance: over @p projections directions drawn uniformly on the
 *        sphere (Philox key @p seed), the root mean of the squared differences of the projected
 *        samples' quantiles at (k + ½)/max(n, m); its standard error is the one over directions.
 * @throw invalid_argument_error as energy_distance, and naming `projections` (0 or above 10⁵)
 */
quality_estimate sliced_wasserstein(const std::vector<double>& x, const std::vector<double>& y,
                                    int dim, std::uint32_t projections, std::uint64_t seed);

/**
 * @brief The fraction of the rows of @p samples that @p mix's components claim: each row goes
 *        to the component of largest responsibility. Rows that are not finite count for none.
 * @throw invalid_argument_error as check_diagonal_mixture, or naming `samples` (size not a
 *        multiple of the mixture's dimension, or empty)
 */
std::vector<double> mixture_component_fractions(const diagonal_mixture& mix,
                                                const std::vector<double>& samples);

}  // namespace scorepath
