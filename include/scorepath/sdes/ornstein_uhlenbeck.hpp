/**
 * @file sdes/ornstein_uhlenbeck.hpp
 * @brief Ornstein–Uhlenbeck: dx_i = θ_i (μ_i − x_i) dt + σ_i dW_i.
 */
#pragma once

#include <array>

#include "scorepath/sde.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/// D independent mean-reverting components (diagonal noise).
template <class T, int D = 1>
struct ornstein_uhlenbeck {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> theta;  ///< reversion rates
  vec<T, D> mu;     ///< long-run means
  vec<T, D> sigma;  ///< noise scales

  /// Same parameters for every component.
  ornstein_uhlenbeck(T theta_all, T mu_all, T sigma_all) {
    std::array<T, D> a, b, c;
    a.fill(theta_all);
    b.fill(mu_all);
    c.fill(sigma_all);
    init(a, b, c);
  }
  /// Per-component parameters. @throw invalid_argument_error for θ < 0, non-finite μ, σ < 0
  ornstein_uhlenbeck(const std::array<T, D>& theta_, const std::array<T, D>& mu_,
                     const std::array<T, D>& sigma_) {
    init(theta_, mu_, sigma_);
  }

  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>& x, S) const {
    vec<R, D> f;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) f[i] = (R(mu[i]) - x[i]) * theta[i];
    return f;
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> diffusion(const vec<R, D>&, S) const {
    vec<R, D> g;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) g[i] = R(sigma[i]);
    return g;
  }

 private:
  void init(const std::array<T, D>& a, const std::array<T, D>& b, const std::array<T, D>& c) {
    for (int i = 0; i < D; ++i) {
      detail::require_non_negative(detail::element_name("theta", i).c_str(), a[i]);
      detail::require_finite(detail::element_name("mu", i).c_str(), b[i]);
      detail::require_non_negative(detail::element_name("sigma", i).c_str(), c[i]);
      theta[i] = a[i];
      mu[i] = b[i];
      sigma[i] = c[i];
    }
  }
};

}  // namespace scorepath
