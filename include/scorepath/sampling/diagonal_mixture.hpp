/**
 * @file sampling/diagonal_mixture.hpp
 * @brief A Gaussian mixture with diagonal covariances in a dimension chosen at run time, and its
 *        exact score after the forward diffusion: the reference every sampler is tested against.
 *
 * Pushed through x_t = α·x + σ·ε (noise_conditioning.hpp) a mixture stays a mixture, with means
 * α·μ_k and variances α²·s²_k,i + σ², so its score is known in closed form at every t:
 *
 *     ∇log p_t(x) = Σ_k r_k(x) · (α·μ_k − x) / (α²·s²_k + σ²),   r_k ∝ w_k N(x; α·μ_k, α²s²_k + σ²)
 *
 * (responsibilities computed with the log-sum-exp shift, so far tails do not underflow to 0/0).
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scorepath {

/// Weights w_k, means μ_k,i and variances s²_k,i of K components in dimension D.
struct diagonal_mixture {
  int dim = 1;                     ///< D ≥ 1
  std::vector<double> weights;     ///< K positive weights (normalised when used)
  std::vector<double> means;       ///< K·D, component-major
  std::vector<double> variances;   ///< K·D, positive

  /// K.
  int components() const { return static_cast<int>(weights.size()); }
};

/**
 * @brief Refuses a mixture that is not well formed.
 * @throw invalid_argument_error naming `dim`, `weights` (empty, or more than 4096),
 *        `weights[k]` (not positive and finite), `means size`, `variances size`, `means[j]` or
 *        `variances[j]` (not finite, not positive)
 */
void check_diagonal_mixture(const diagonal_mixture& mix);

/// The data set `ring_mixture` of datasets.hpp as a diagonal_mixture in dimension @p dim.
/// @throw invalid_argument_error naming `dim` below 1
diagonal_mixture ring_mixture_components(int dim);

/**
 * @brief @p n samples of @p mix, row-major n × D: component k with probability w_k / Σw, from
 *        Philox key @p seed (uniforms on subsequence 1, normals on subsequence 0).
 * @throw invalid_argument_error as check_diagonal_mixture
 */
std::vector<double> draw_mixture(const diagonal_mixture& mix, std::uint64_t n, std::uint64_t seed);

/**
 * @brief The score at @p x (D values) of @p mix diffused to (α, σ), written to @p score.
 *        Unchecked (check_diagonal_mixture first); α = 1, σ = 0 is the mixture itself.
 */
template <class T>
void diffused_mixture_score(const diagonal_mixture& mix, double alpha, double sigma, const T* x,
                            T* score) {
  const int d = mix.dim;
  // One pass over the components with a running shift (the largest log-weight so far): the
  // responsibility-weighted sum accumulates in @p score, rescaled when the shift moves, so no
  // memory is needed beyond the output.
  double largest = -INFINITY, total = 0;
  for (int i = 0; i < d; ++i) score[i] = T(0);
  for (int k = 0; k < mix.components(); ++k) {
    const std::size_t row = static_cast<std::size_t>(k) * d;
    double log_w = std::log(mix.weights[k]);
    for (int i = 0; i < d; ++i) {
      const double v = alpha * alpha * mix.variances[row + i] + sigma * sigma;
      const double r = static_cast<double>(x[i]) - alpha * mix.means[row + i];
      log_w -= 0.5 * (r * r / v + std::log(v));
    }
    if (log_w > largest) {
      const double rescale = std::exp(largest - log_w);  // 0 for the first component
      total *= rescale;
      for (int i = 0; i < d; ++i) score[i] = static_cast<T>(score[i] * rescale);
      largest = log_w;
    }
    const double w = std::exp(log_w - largest);
    total += w;
    for (int i = 0; i < d; ++i) {
      const double v = alpha * alpha * mix.variances[row + i] + sigma * sigma;
      const double pull = (alpha * mix.means[row + i] - static_cast<double>(x[i])) / v;
      score[i] = static_cast<T>(score[i] + w * pull);
    }
  }
  for (int i = 0; i < d; ++i) score[i] = static_cast<T>(score[i] / total);
}

/// log p_t(x) of @p mix diffused to (α, σ) (unchecked): the density the score is the gradient of.
double diffused_mixture_log_density(const diagonal_mixture& mix, double alpha, double sigma,
                                    const double* x);

}  // namespace scorepath
