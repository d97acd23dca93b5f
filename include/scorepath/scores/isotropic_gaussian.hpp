/**
 * @file scores/isotropic_gaussian.hpp
 * @brief Score of an isotropic Gaussian N(m, s² I): S(x) = −(x − m)/s².
 *
 * A score model (concepts.hpp) for sliced score matching and evaluate_scores, and the drift of
 * the Langevin dynamics whose stationary law is N(m, s² I) (sdes/langevin.hpp). Its exact ISM
 * loss is E‖S‖² + 2 tr J_S = D/s² − 2D/s² = −D/s² under its own law.
 */
#pragma once

#include <array>
#include <cmath>

#include "scorepath/config.hpp"
#include "scorepath/sdes/parameters.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Score of N(m, s² I) in D dimensions with parameters in precision T.
template <class T, int D>
struct isotropic_gaussian_score {
  static constexpr int dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> mean;   ///< m
  T inv_variance;   ///< 1/s²

  /// @throw invalid_argument_error for a non-finite mean, s ≤ 0, or 1/s² beyond T
  isotropic_gaussian_score(const std::array<T, D>& m, T stddev) {
    for (int i = 0; i < D; ++i) {
      detail::require_finite(detail::element_name("mean", i).c_str(), m[i]);
      mean[i] = m[i];
    }
    detail::require_positive("stddev", stddev);
    inv_variance = T(1) / (stddev * stddev);
    SCOREPATH_EXPECTS(std::isfinite(static_cast<double>(inv_variance)), "stddev", stddev,
                      "1/stddev^2 must be finite in the score's precision");
  }

  /// S(x) for a sample, a pack of samples, or their dual numbers.
  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
    vec<R, D> s;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) s[i] = (R(mean[i]) - x[i]) * inv_variance;
    return s;
  }
};

}  // namespace scorepath
