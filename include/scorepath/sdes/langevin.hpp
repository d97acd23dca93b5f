/**
 * @file sdes/langevin.hpp
 * @brief Overdamped Langevin dynamics dx = S(x) dt + √2 dW driven by a score functor.
 */
#pragma once

#include <array>
#include <cmath>

#include "scorepath/math.hpp"
#include "scorepath/sde.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/**
 * @brief Langevin dynamics whose stationary law has score S = ∇ log p.
 * @tparam Score functor with `template <class R> vec<R, D> operator()(const vec<R, D>&) const`
 */
template <class Score, int D, bool Vectorizable = true>
struct langevin {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = Vectorizable;
  using scalar_type = typename Score::scalar_type;

  Score score;  ///< the score functor

  explicit langevin(const Score& s) : score(s) {}

  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>& x, S) const {
    return score(x);
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> diffusion(const vec<R, D>&, S) const {
    return filled<R, D>(S(1.4142135623730951));
  }
};

/// Score of N(m, s² I): S(x) = −(x − m)/s².
template <class T, int D>
struct isotropic_gaussian_score {
  using scalar_type = T;
  vec<T, D> mean;     ///< m
  T inv_variance;     ///< 1/s²

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

  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
    vec<R, D> s;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) s[i] = (R(mean[i]) - x[i]) * inv_variance;
    return s;
  }
};

}  // namespace scorepath
