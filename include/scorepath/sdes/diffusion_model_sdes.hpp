/**
 * @file sdes/diffusion_model_sdes.hpp
 * @brief The forward SDEs of score-based diffusion models (Song et al., ICLR 2021), t ∈ [0, 1]
 *        (the VP SDE refuses t < 0, both refuse a t1 at which their coefficients overflow).
 */
#pragma once

#include <cmath>
#include <limits>

#include "scorepath/math.hpp"
#include "scorepath/sde.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/// Variance preserving: dx = −½β(t)x dt + √β(t) dW, β(t) = β_min + t(β_max − β_min).
template <class T, int D = 1>
struct vp_sde {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  T beta_min;  ///< β(0)
  T beta_max;  ///< β(1)

  /// @throw invalid_argument_error unless 0 ≤ β_min ≤ β_max, both finite
  explicit vp_sde(T beta_min_ = T(0.1), T beta_max_ = T(20)) : beta_min(beta_min_), beta_max(beta_max_) {
    detail::require_non_negative("beta_min", beta_min_);
    detail::require_non_negative("beta_max", beta_max_);
    SCOREPATH_EXPECTS(beta_max_ >= beta_min_, "beta_max", beta_max_, "must be >= beta_min");
  }

  /// β(t).
  template <class S>
  SCOREPATH_HDI S beta(S t) const {
    return S(beta_min) + t * (S(beta_max) - S(beta_min));
  }
  /// @brief The SDE is defined for t ≥ 0 (β(t) < 0 before, and √β is not real), with β(t1)
  ///        finite in T. @throw invalid_argument_error naming `t0` or `t1`
  void check_times(double t0, double t1) const {
    SCOREPATH_EXPECTS(t0 >= 0.0, "t0", t0, "the VP SDE is defined for t >= 0 only");
    const double b1 = beta(t1);
    SCOREPATH_EXPECTS(std::isfinite(b1) && std::fabs(b1) <= static_cast<double>(
                                                              std::numeric_limits<T>::max()),
                      "t1", t1, "beta(t1) must be finite in the SDE's precision");
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>& x, S t) const {
    const S half_beta = S(0.5) * beta(t);
    vec<R, D> f;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) f[i] = -(x[i] * half_beta);
    return f;
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> diffusion(const vec<R, D>&, S t) const {
    return filled<R, D>(math::sqrt(beta(t)));
  }
};

/// Variance exploding: dx = σ(t)√(2 ln(σ_max/σ_min)) dW, σ(t) = σ_min (σ_max/σ_min)^t.
template <class T, int D = 1>
struct ve_sde {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  T sigma_min;  ///< σ(0)
  T sigma_max;  ///< σ(1)

  /// @throw invalid_argument_error unless 0 < σ_min < σ_max, both finite
  explicit ve_sde(T sigma_min_ = T(0.01), T sigma_max_ = T(50))
      : sigma_min(sigma_min_), sigma_max(sigma_max_) {
    detail::require_positive("sigma_min", sigma_min_);
    detail::require_positive("sigma_max", sigma_max_);
    SCOREPATH_EXPECTS(sigma_max_ > sigma_min_, "sigma_max", sigma_max_, "must be > sigma_min");
    SCOREPATH_EXPECTS(std::isfinite(sigma_max_ / sigma_min_), "sigma_max", sigma_max_,
                      "sigma_max / sigma_min must be finite in the SDE's precision");
  }

  /// σ(t).
  template <class S>
  SCOREPATH_HDI S sigma(S t) const {
    return S(sigma_min) * math::exp(t * math::log(S(sigma_max) / S(sigma_min)));
  }
  /// @brief σ(t) and the diffusion grow without bound in t: σ(t1)·√(2 ln(σ_max/σ_min)) must be
  ///        finite in T. @throw invalid_argument_error naming `t1`
  void check_times(double, double t1) const {
    const double log_ratio = std::log(static_cast<double>(sigma_max) / sigma_min);
    const double g1 = sigma_min * std::exp(t1 * log_ratio) * std::sqrt(2.0 * log_ratio);
    SCOREPATH_EXPECTS(std::isfinite(g1) && g1 <= static_cast<double>(std::numeric_limits<T>::max()),
                      "t1", t1, "the VE SDE's diffusion at t1 must be finite in its precision");
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>&, S) const {
    return filled<R, D>(S(0));
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> diffusion(const vec<R, D>&, S t) const {
    const S log_ratio = math::log(S(sigma_max) / S(sigma_min));
    return filled<R, D>(sigma(t) * math::sqrt(S(2) * log_ratio));
  }
};

}  // namespace scorepath
