/**
 * @file scores/gaussian.hpp
 * @brief Scores of Gaussians: S(x) = −P(x − m) for precision P (full or diagonal).
 *
 * Score models are functors `template <class R> vec<R, D> operator()(const vec<R, D>&) const`
 * over any lane type R (float, double, SIMD pack, dual number), with `dim`, `scalar_type` and
 * `vectorizable` members like SDEs (sde.hpp); concepts.hpp states the requirements
 * (is_score_model).
 */
#pragma once

#include <array>
#include <cmath>
#include <string>

#include "scorepath/sdes/parameters.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Score of N(m, P⁻¹) with a full symmetric positive definite precision matrix P.
template <class T, int D>
struct gaussian_score {
  static constexpr int dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> mean;          ///< m
  mat<T, D, D> precision;  ///< P, row-major

  /**
   * @param precision_ row-major D×D symmetric positive definite matrix
   * @throw invalid_argument_error naming `mean[i]` or `precision[...]`
   */
  gaussian_score(const std::array<T, D>& mean_, const std::array<T, D * D>& precision_) {
    for (int i = 0; i < D; ++i) {
      detail::require_finite(detail::element_name("mean", i).c_str(), mean_[i]);
      mean[i] = mean_[i];
    }
    for (int i = 0; i < D * D; ++i) {
      detail::require_finite(detail::element_name("precision", i).c_str(), precision_[i]);
    }
    for (int i = 0; i < D; ++i) {
      for (int j = 0; j < i; ++j) {
        SCOREPATH_EXPECTS(precision_[i * D + j] == precision_[j * D + i],
                          detail::element_name("precision", i * D + j), precision_[i * D + j],
                          "precision matrix must be symmetric");
      }
    }
    // Positive definite: a Cholesky factorisation must succeed.
    double l[D][D] = {};
    for (int j = 0; j < D; ++j) {
      double d = precision_[j * D + j];
      for (int k = 0; k < j; ++k) d -= l[j][k] * l[j][k];
      SCOREPATH_EXPECTS(d > 0.0, "precision", "pivot " + std::to_string(j) + " = " +
                                                  detail::to_text(d),
                        "precision matrix must be positive definite");
      l[j][j] = std::sqrt(d);
      for (int i = j + 1; i < D; ++i) {
        double s = precision_[i * D + j];
        for (int k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
        l[i][j] = s / l[j][j];
      }
    }
    for (int i = 0; i < D; ++i)
      for (int j = 0; j < D; ++j) precision(i, j) = precision_[i * D + j];
  }

  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
    vec<R, D> centred;
    SCOREPATH_UNROLL
    for (int j = 0; j < D; ++j) centred[j] = x[j] - R(mean[j]);
    vec<R, D> s;
    for (int i = 0; i < D; ++i) {
      R acc = centred[0] * precision(i, 0);
      for (int j = 1; j < D; ++j) acc = acc + centred[j] * precision(i, j);
      s[i] = -acc;
    }
    return s;
  }
};

/// Score of N(m, diag(σ²)): S_i(x) = −(x_i − m_i)/σ_i².
template <class T, int D>
struct diagonal_gaussian_score {
  static constexpr int dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> mean;       ///< m
  vec<T, D> precision;  ///< 1/σ_i²

  /// @throw invalid_argument_error naming `mean[i]` or `precision[i]` (must be finite and > 0)
  diagonal_gaussian_score(const std::array<T, D>& mean_, const std::array<T, D>& precision_) {
    for (int i = 0; i < D; ++i) {
      detail::require_finite(detail::element_name("mean", i).c_str(), mean_[i]);
      detail::require_positive(detail::element_name("precision", i).c_str(), precision_[i]);
      mean[i] = mean_[i];
      precision[i] = precision_[i];
    }
  }

  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
    vec<R, D> s;
    SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) s[i] = (R(mean[i]) - x[i]) * precision[i];
    return s;
  }
};

}  // namespace scorepath
