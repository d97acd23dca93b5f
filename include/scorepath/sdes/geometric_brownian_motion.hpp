/**
 * @file sdes/geometric_brownian_motion.hpp
 * @brief Geometric Brownian motion dS = μS dt + σS dW, one asset or several correlated ones.
 */
#pragma once

#include <array>
#include <cmath>
#include <string>

#include "scorepath/sde.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/// One asset: dS = μS dt + σS dW (scalar noise).
template <class T>
struct geometric_brownian_motion {
  static constexpr int dim = 1;
  static constexpr noise_kind noise = noise_kind::scalar;
  static constexpr int noise_dim = 1;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  T mu;     ///< drift rate
  T sigma;  ///< volatility

  /// @throw invalid_argument_error for non-finite μ or σ < 0
  geometric_brownian_motion(T mu_, T sigma_) : mu(mu_), sigma(sigma_) {
    detail::require_finite("mu", mu_);
    detail::require_non_negative("sigma", sigma_);
  }

  template <class R, class S>
  SCOREPATH_HDI vec<R, 1> drift(const vec<R, 1>& x, S) const {
    return {{x[0] * mu}};
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, 1> diffusion(const vec<R, 1>& x, S) const {
    return {{x[0] * sigma}};
  }
};

/**
 * @brief D assets, dS_i = μ_i S_i dt + σ_i S_i dB_i with corr(dB_i, dB_j) = ρ_ij.
 *
 * Written with D independent Brownian motions, dB = L dW where ρ = L Lᵀ (Cholesky), so the
 * diffusion matrix is G_ij = σ_i S_i L_ij (general noise).
 */
template <class T, int D>
struct correlated_gbm {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::general;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> mu;           ///< drift rates
  vec<T, D> sigma;        ///< volatilities
  mat<T, D, D> chol;      ///< lower Cholesky factor of the correlation matrix

  /**
   * @param correlation row-major D×D symmetric positive definite matrix with unit diagonal
   * @throw invalid_argument_error naming `correlation` when it is not a valid correlation matrix
   */
  correlated_gbm(const std::array<T, D>& mu_, const std::array<T, D>& sigma_,
                 const std::array<T, D * D>& correlation) {
    for (int i = 0; i < D; ++i) {
      detail::require_finite(detail::element_name("mu", i).c_str(), mu_[i]);
      detail::require_non_negative(detail::element_name("sigma", i).c_str(), sigma_[i]);
      mu[i] = mu_[i];
      sigma[i] = sigma_[i];
    }
    factor(correlation);
  }

  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>& x, S) const {
    vec<R, D> f;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) f[i] = x[i] * mu[i];
    return f;
  }
  template <class R, class S>
  SCOREPATH_HDI mat<R, D, D> diffusion(const vec<R, D>& x, S) const {
    mat<R, D, D> g;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) {
      const R scale = x[i] * sigma[i];
SCOREPATH_UNROLL
      for (int j = 0; j < D; ++j) g(i, j) = scale * chol(i, j);
    }
    return g;
  }

 private:
  void factor(const std::array<T, D * D>& rho) {
    for (int i = 0; i < D * D; ++i) {
      detail::require_finite(detail::element_name("correlation", i).c_str(), rho[i]);
    }
    for (int i = 0; i < D; ++i) {
      SCOREPATH_EXPECTS(rho[i * D + i] == T(1), detail::element_name("correlation", i * D + i),
                        rho[i * D + i], "diagonal of a correlation matrix must be 1");
      for (int j = 0; j < i; ++j) {
        SCOREPATH_EXPECTS(rho[i * D + j] == rho[j * D + i],
                          detail::element_name("correlation", i * D + j), rho[i * D + j],
                          "correlation matrix must be symmetric");
      }
    }
    double l[D][D] = {};
    for (int j = 0; j < D; ++j) {
      double d = rho[j * D + j];
      for (int k = 0; k < j; ++k) d -= l[j][k] * l[j][k];
      SCOREPATH_EXPECTS(d > 1e-12, "correlation", "pivot " + std::to_string(j) + " = " +
                                                      detail::to_text(d),
                        "correlation matrix must be positive definite");
      l[j][j] = std::sqrt(d);
      for (int i = j + 1; i < D; ++i) {
        double s = rho[i * D + j];
        for (int k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
        l[i][j] = s / l[j][j];
      }
    }
    for (int i = 0; i < D; ++i)
      for (int j = 0; j < D; ++j) chol(i, j) = static_cast<T>(l[i][j]);
  }
};

}  // namespace scorepath
