/**
 * @file sdes/brownian_motion.hpp
 * @brief Brownian motion with drift: dx_i = μ_i dt + σ_i dW_i.
 */
#pragma once

#include <array>

#include "scorepath/sde.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/// D independent Brownian motions with constant drift μ_i and scale σ_i (diagonal noise).
template <class T, int D = 1>
struct brownian_motion {
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  vec<T, D> mu;     ///< drift per component
  vec<T, D> sigma;  ///< scale per component

  /// Same μ and σ for every component. @throw invalid_argument_error for non-finite μ or σ < 0
  brownian_motion(T mu_all = T(0), T sigma_all = T(1)) {
    std::array<T, D> m, s;
    m.fill(mu_all);
    s.fill(sigma_all);
    init(m, s);
  }
  /// Per-component μ and σ.
  brownian_motion(const std::array<T, D>& mu_each, const std::array<T, D>& sigma_each) {
    init(mu_each, sigma_each);
  }

  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>&, S) const {
    vec<R, D> f;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) f[i] = R(mu[i]);
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
  void init(const std::array<T, D>& m, const std::array<T, D>& s) {
    for (int i = 0; i < D; ++i) {
      detail::require_finite(detail::element_name("mu", i).c_str(), m[i]);
      detail::require_non_negative(detail::element_name("sigma", i).c_str(), s[i]);
      mu[i] = m[i];
      sigma[i] = s[i];
    }
  }
};

}  // namespace scorepath
