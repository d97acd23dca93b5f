/**
 * @file datasets.hpp
 * @brief The data distributions of the built-in score models, their exact score models, and a
 *        reproducible sampler: data to try sliced score matching and the probe-variance study on.
 *
 * Three distributions:
 * - `gaussian`: 2-D, mean (1, −1), covariance [[1, ½], [½, ½]] (precision [[2, −2], [−2, 4]]);
 * - `diagonal_gaussian`: D-D, independent components, mean_i = ½((i mod 3) − 1) and variance
 *   ½ + ¼(i mod 4);
 * - `ring_mixture`: an equal-weight mixture of 8 Gaussians; in 2-D their means lie on a circle
 *   of radius 4 with variance ¼, otherwise at fixed pseudo-random points with unit variance.
 *
 * and three 2-D data sets without a closed-form score, to train on:
 * - `two_moons`: with t ~ U(0, π), (cos t, sin t) or (1 − cos t, ½ − sin t) with equal
 *   probability, plus N(0, 0.1²I) noise;
 * - `checkerboard`: uniform on the 8 dark squares of a 4 × 4 board of unit squares covering
 *   [−2, 2]² (a square [i, i + 1) × [j, j + 1) is dark when i + j is even);
 * - `swiss_roll`: with t ~ U(3π/2, 9π/2), (t cos t, t sin t)/3 plus N(0, 0.1²I) noise.
 *
 * Each has its exact score model (gaussian_score, diagonal_gaussian_score,
 * gaussian_mixture_score), so the implicit score matching loss on its own data has expectation
 * −E‖S‖² (Stein's identity), which is −tr(precision) for the two Gaussians (expected_ism).
 *
 * @code
 * const auto model = scorepath::datasets::ring_mixture_score<float, 2>();
 * const std::vector<double> x =
 *     scorepath::datasets::draw_samples(scorepath::datasets::distribution::ring_mixture, 2, n, 42);
 * @endcode
 */
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"

namespace scorepath::datasets {

/// The built-in data distributions.
enum class distribution { gaussian, diagonal_gaussian, ring_mixture, two_moons, checkerboard, swiss_roll };

/// Name of a distribution ("gaussian", "diagonal_gaussian", "ring_mixture", "two_moons",
/// "checkerboard", "swiss_roll").
const char* to_string(distribution data) noexcept;
/// @brief Parses a distribution name (also "ring", "moons", "swiss-roll", "diag-gaussian").
/// @throw invalid_argument_error naming `data`
distribution parse_distribution(const std::string& text);

/// Number of components of the ring mixture.
inline constexpr int ring_mixture_components = 8;

/// Mean of ring-mixture component @p c, coordinate @p i, in dimension @p dim.
inline double ring_mixture_mean(int dim, int c, int i) {
  const double angle = 2 * 3.141592653589793 * c / ring_mixture_components;
  if (dim == 2) return 4.0 * (i == 0 ? std::cos(angle) : std::sin(angle));
  return 3.0 * std::sin(1.0 + 0.9 * c + 1.7 * i * (c + 1));
}

/// Variance of every coordinate of every ring-mixture component in dimension @p dim.
inline double ring_mixture_variance(int dim) { return dim == 2 ? 0.25 : 1.0; }

/// Mean of the 2-D Gaussian.
inline constexpr std::array<double, 2> gaussian_mean{1.0, -1.0};
/// Precision of the 2-D Gaussian, row-major (its covariance is [[1, ½], [½, ½]]).
inline constexpr std::array<double, 4> gaussian_precision{2.0, -2.0, -2.0, 4.0};

/// Mean of coordinate @p i of the diagonal Gaussian.
inline double diagonal_gaussian_mean(int i) { return 0.5 * (i % 3 - 1); }
/// Variance of coordinate @p i of the diagonal Gaussian.
inline double diagonal_gaussian_variance(int i) { return 0.5 + 0.25 * (i % 4); }

/// The exact score of the 2-D Gaussian, in precision T.
template <class T>
gaussian_score<T, 2> gaussian_data_score() {
  return {{static_cast<T>(gaussian_mean[0]), static_cast<T>(gaussian_mean[1])},
          {static_cast<T>(gaussian_precision[0]), static_cast<T>(gaussian_precision[1]),
           static_cast<T>(gaussian_precision[2]), static_cast<T>(gaussian_precision[3])}};
}

/// The exact score of the D-dimensional diagonal Gaussian, in precision T.
template <class T, int D>
diagonal_gaussian_score<T, D> diagonal_gaussian_data_score() {
  std::array<T, D> mean{}, precision{};
  for (int i = 0; i < D; ++i) {
    mean[i] = static_cast<T>(diagonal_gaussian_mean(i));
    precision[i] = static_cast<T>(1.0 / diagonal_gaussian_variance(i));
  }
  return {mean, precision};
}

/// The exact score of the D-dimensional ring mixture, in precision T.
template <class T, int D>
gaussian_mixture_score<T, D, ring_mixture_components> ring_mixture_score() {
  constexpr int C = ring_mixture_components;
  std::array<T, C> weights{};
  std::array<T, C * D> mean{}, variance{};
  for (int c = 0; c < C; ++c) {
    weights[c] = T(1);
    for (int i = 0; i < D; ++i) {
      mean[c * D + i] = static_cast<T>(ring_mixture_mean(D, c, i));
      variance[c * D + i] = static_cast<T>(ring_mixture_variance(D));
    }
  }
  return {weights, mean, variance};
}

/**
 * @brief E[ISM] of the exact score on its own data, −tr(precision), where it has a closed form
 *        (the two Gaussians); empty for the others.
 * @throw invalid_argument_error naming `dim` as draw_samples does
 */
std::optional<double> expected_ism(distribution data, int dim);

/**
 * @brief @p n samples of @p data in dimension @p dim, row-major n × dim, in double.
 *
 * Normals come from Philox key @p seed, subsequence 0, and mixture components from
 * subsequence 1, so the same arguments give the same samples on every machine.
 * @throw invalid_argument_error naming `dim` (not 2 for the Gaussian and the three 2-D data sets,
 *        below 1 otherwise) or `data`
 * @throw out_of_memory_error naming `samples` when n × dim values cannot be had
 */
std::vector<double> draw_samples(distribution data, int dim, std::uint64_t n, std::uint64_t seed);

}  // namespace scorepath::datasets
