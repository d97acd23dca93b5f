/**
 * @file sampling/covariance_mixture.hpp
 * @brief A Gaussian mixture with full covariance matrices in a dimension chosen at run time, and
 *        its exact score after the forward diffusion x_t = α·x + σ·ε.
 *
 * Diffused, component k has mean α·μ_k and covariance C_k = α²Σ_k + σ²I, so with the Cholesky
 * factor C_k = L_k L_kᵀ and y_k = L_k⁻¹(x − α·μ_k):
 *
 *     log p_t(x) = log Σ_k w_k exp(−½‖y_k‖² − Σ_i log (L_k)_ii) − (D/2) log 2π,
 *     ∇log p_t(x) = −Σ_k r_k(x) · L_k⁻ᵀ y_k,   r_k ∝ w_k N(x; α·μ_k, C_k)
 *
 * (responsibilities with the log-sum-exp shift). What depends on (α, σ) alone, the factors, is
 * computed once per (α, σ) by factor_covariance_mixture; each point then costs two triangular
 * solves per component. With diagonal Σ_k this is the score of sampling/diagonal_mixture.hpp.
 */
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "scorepath/sampling/batch_score.hpp"

namespace scorepath {

/// Weights w_k, means μ_k and covariances Σ_k of K components in dimension D.
struct covariance_mixture {
  int dim = 1;                      ///< D ≥ 1
  std::vector<double> weights;      ///< K positive weights (normalised when used)
  std::vector<double> means;        ///< K·D, component-major
  std::vector<double> covariances;  ///< K·D·D: Σ_k row-major, symmetric positive definite

  /// K.
  int components() const { return static_cast<int>(weights.size()); }
};

/**
 * @brief Refuses a mixture that is not well formed.
 * @throw invalid_argument_error naming `dim` (below 1 or above 4096), `weights` (empty, or more
 *        than 4096), `weights[k]`, `means size`, `covariances size`, `means[j]`,
 *        `covariances[j]` (not finite), `covariances[k]` (not symmetric, or not positive definite)
 */
void check_covariance_mixture(const covariance_mixture& mix);

/**
 * @brief @p n samples of @p mix, row-major n × D: component k with probability w_k / Σw, then
 *        μ_k + L_k z with Σ_k = L_k L_kᵀ, from Philox key @p seed (uniforms on subsequence 1,
 *        normals on subsequence 0).
 * @throw invalid_argument_error as check_covariance_mixture
 */
std::vector<double> draw_covariance_mixture(const covariance_mixture& mix, std::uint64_t n,
                                            std::uint64_t seed);

/// The components of a mixture diffused to one (α, σ).
struct covariance_mixture_factors {
  int dim = 0;                  ///< D
  int components = 0;           ///< K
  std::vector<double> centre;   ///< K·D: α·μ_k
  std::vector<double> cholesky; ///< K·D·D: L_k of α²Σ_k + σ²I, row-major, lower triangle
  std::vector<double> offset;   ///< K: log(w_k / Σw) − Σ_i log (L_k)_ii
};

/**
 * @brief The factors of @p mix (checked first) diffused to (α, σ), α > 0, σ ≥ 0.
 * @throw invalid_argument_error as check_covariance_mixture, or naming `alpha` or `sigma`
 */
covariance_mixture_factors factor_covariance_mixture(const covariance_mixture& mix, double alpha,
                                                     double sigma);

namespace detail {
/// factor_covariance_mixture for a mixture already checked and α > 0, σ ≥ 0.
covariance_mixture_factors factor_checked_mixture(const covariance_mixture& mix, double alpha,
                                                  double sigma);
/// The same into @p into, reusing its memory (a sampler refactors at every step).
void factor_checked_mixture(const covariance_mixture& mix, double alpha, double sigma,
                            covariance_mixture_factors& into);
}  // namespace detail

/**
 * @brief The score at @p x (D values) of the diffused mixture @p f, written to @p score;
 *        @p work holds K·(D + 1) doubles. Unchecked.
 * @return log p_t(x) + (D/2) log 2π (the log-density up to its constant)
 */
template <class T>
double covariance_mixture_score(const covariance_mixture_factors& f, const T* x, T* score,
                                double* work) {
  const int d = f.dim, k_count = f.components;
  double* log_r = work;                 // K
  double* solved = work + k_count;      // K·D: y_k, then L_k⁻ᵀ y_k
  double largest = -INFINITY;
  for (int k = 0; k < k_count; ++k) {
    const double* l = f.cholesky.data() + static_cast<std::size_t>(k) * d * d;
    const double* c = f.centre.data() + static_cast<std::size_t>(k) * d;
    double* y = solved + static_cast<std::size_t>(k) * d;
    double q = 0;
    for (int i = 0; i < d; ++i) {  // L y = x − c
      double acc = static_cast<double>(x[i]) - c[i];
      for (int j = 0; j < i; ++j) acc -= l[i * d + j] * y[j];
      y[i] = acc / l[i * d + i];
      q += y[i] * y[i];
    }
    for (int i = d - 1; i >= 0; --i) {  // Lᵀ z = y, in place
      double acc = y[i];
      for (int j = i + 1; j < d; ++j) acc -= l[j * d + i] * y[j];
      y[i] = acc / l[i * d + i];
    }
    log_r[k] = f.offset[k] - 0.5 * q;
    largest = std::max(largest, log_r[k]);
  }
  double total = 0;
  for (int k = 0; k < k_count; ++k) {
    log_r[k] = std::exp(log_r[k] - largest);
    total += log_r[k];
  }
  for (int i = 0; i < d; ++i) {
    double acc = 0;
    for (int k = 0; k < k_count; ++k) acc += log_r[k] * solved[static_cast<std::size_t>(k) * d + i];
    score[i] = static_cast<T>(-acc / total);
  }
  return largest + std::log(total);
}

/**
 * @brief The exact score of @p mix diffused to (α, σ), for the samplers: the factors once per
 *        evaluation of a tile, then two triangular solves per point and component.
 * @throw invalid_argument_error as check_covariance_mixture
 */
template <class T>
batch_score<T> covariance_mixture_batch_score(covariance_mixture mix) {
  check_covariance_mixture(mix);
  auto shared = std::make_shared<const covariance_mixture>(std::move(mix));
  batch_score<T> s;
  s.dim = shared->dim;
  s.make_evaluator = [shared]() -> typename batch_score<T>::evaluator {
    struct scratch {
      covariance_mixture_factors factors;  // refilled in place: no allocation after the first call
      std::vector<double> work;
    };
    auto sc = std::make_shared<scratch>();
    sc->work.resize(static_cast<std::size_t>(shared->components()) * (shared->dim + 1));
    return [shared, sc](const T* x, int n, double alpha, double sigma, T* out) {
      detail::factor_checked_mixture(*shared, alpha, sigma, sc->factors);
      const auto d = static_cast<std::size_t>(sc->factors.dim);
      for (int p = 0; p < n; ++p) {
        covariance_mixture_score(sc->factors, x + p * d, out + p * d, sc->work.data());
      }
    };
  };
  return s;
}

}  // namespace scorepath
