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

#include "scorepath/config.hpp"
#include "scorepath/math.hpp"

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

/// What the diffused mixture's score needs of (α, σ), computed once for many points.
struct diagonal_mixture_factors {
  int dim = 0;                  ///< D
  int components = 0;           ///< K
  std::vector<double> centre;   ///< K·D: α·μ_k
  std::vector<double> inverse;  ///< K·D: 1 / (α²s²_k + σ²)
  std::vector<double> offset;   ///< K: log w_k − ½ Σ_i log(α²s²_k,i + σ²)
};

/// The factors of @p mix diffused to (α, σ). Unchecked (check_diagonal_mixture first).
diagonal_mixture_factors factor_diagonal_mixture(const diagonal_mixture& mix, double alpha,
                                                 double sigma);
/// The same into @p into, reusing its memory (a sampler refactors at every step).
void factor_diagonal_mixture(const diagonal_mixture& mix, double alpha, double sigma,
                             diagonal_mixture_factors& into);

/// The factors as plain pointers, for host and device code (the arrays of a
/// diagonal_mixture_factors, or their copies in device memory).
struct diagonal_mixture_factors_view {
  int dim = 0;                     ///< D
  int components = 0;              ///< K
  const double* centre = nullptr;  ///< K·D: α·μ_k
  const double* inverse = nullptr; ///< K·D: 1 / (α²s²_k + σ²)
  const double* offset = nullptr;  ///< K: log w_k − ½ Σ_i log(α²s²_k,i + σ²)
};

/// The view of @p f (valid while @p f lives and keeps its size).
inline diagonal_mixture_factors_view view_of(const diagonal_mixture_factors& f) {
  return {f.dim, f.components, f.centre.data(), f.inverse.data(), f.offset.data()};
}

/**
 * @brief The score at @p x (D values) of the diffused mixture @p f, written to @p score: one
 *        quadratic form and one exponential per component; @p work holds K doubles. Unchecked.
 *        Host and device code.
 */
template <class T>
SCOREPATH_HD void diagonal_mixture_score(const diagonal_mixture_factors_view& f, const T* x,
                                         T* score, double* work) {
  const int d = f.dim, k_count = f.components;
  double largest = -INFINITY;
  for (int k = 0; k < k_count; ++k) {
    double q = 0;
    for (int i = 0; i < d; ++i) {
      const std::size_t j = static_cast<std::size_t>(k) * d + i;
      const double r = static_cast<double>(x[i]) - f.centre[j];
      q += r * r * f.inverse[j];
    }
    work[k] = f.offset[k] - 0.5 * q;
    largest = work[k] > largest ? work[k] : largest;
  }
  double total = 0;
  for (int k = 0; k < k_count; ++k) {
    work[k] = math::exp(work[k] - largest);
    total += work[k];
  }
  for (int i = 0; i < d; ++i) {
    double acc = 0;
    for (int k = 0; k < k_count; ++k) {
      const std::size_t j = static_cast<std::size_t>(k) * d + i;
      acc += work[k] * (f.centre[j] - static_cast<double>(x[i])) * f.inverse[j];
    }
    score[i] = static_cast<T>(acc / total);
  }
}

/// The same for the factors themselves (host code).
template <class T>
void diagonal_mixture_score(const diagonal_mixture_factors& f, const T* x, T* score,
                            double* work) {
  diagonal_mixture_score(view_of(f), x, score, work);
}

/**
 * @brief The score at @p x (D values) of @p mix diffused to (α, σ), written to @p score (the
 *        factors and the per-point score above, for one point). Unchecked
 *        (check_diagonal_mixture first); α = 1, σ = 0 is the mixture itself.
 */
template <class T>
void diffused_mixture_score(const diagonal_mixture& mix, double alpha, double sigma, const T* x,
                            T* score) {
  const diagonal_mixture_factors f = factor_diagonal_mixture(mix, alpha, sigma);
  std::vector<double> work(f.components);
  diagonal_mixture_score(f, x, score, work.data());
}

/// log p_t(x) of @p mix diffused to (α, σ) (unchecked): the density the score is the gradient of.
double diffused_mixture_log_density(const diagonal_mixture& mix, double alpha, double sigma,
                                    const double* x);

}  // namespace scorepath
