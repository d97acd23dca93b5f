/**
 * @file scores/gaussian_mixture.hpp
 * @brief Score of a mixture of C Gaussians with diagonal covariances.
 *
 * S(x) = Σ_c r_c(x) (−(x − μ_c)/σ_c²) with responsibilities r_c = softmax_c(a_c),
 * a_c = log π_c − ½ Σ_i (x_i − μ_ci)²/σ_ci² − ½ Σ_i log σ_ci². The softmax subtracts max_c a_c
 * first, so points far from every component give finite responsibilities instead of 0/0.
 *
 * A component whose weight relative to the largest is below e^negligible_log_weight() gets weight 0
 * exactly (float e^−64 ≈ 1.6·10⁻²⁸, double e^−600): it could change no result beyond that relative
 * size, and its exponential would otherwise be a subnormal number, which many x86 cores process
 * through microcode assists about a hundred times slower than normal ones. Well-separated
 * components in 16 or more dimensions make such weights the common case, not the exception.
 */
#pragma once

#include <array>
#include <cmath>
#include <type_traits>

#include "scorepath/dim_loop.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/math.hpp"
#include "scorepath/sdes/parameters.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Mixture of C diagonal Gaussians in D dimensions.
template <class T, int D, int C>
struct gaussian_mixture_score {
  static constexpr int dim = D;
  static constexpr int components = C;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  mat<T, C, D> mean;           ///< μ_c
  mat<T, C, D> precision;      ///< 1/σ_ci²
  vec<T, C> log_weight_norm;   ///< log π_c + ½ Σ_i log(1/σ_ci²)

  /// Log of the smallest weight, relative to the largest, that a component keeps; below it the
  /// weight is 0 (so no subnormal number is formed in float or in double).
  SCOREPATH_HDI static constexpr T negligible_log_weight() {
    return sizeof(T) <= 4 ? T(-64) : T(-600);
  }

  /// e^shift for the shift (≤ 0) of a log-weight below the largest one, or exactly 0 (with zero
  /// tangents) when the shift is below negligible_log_weight(). @p U is a primal or dual lane type.
  template <class U>
  SCOREPATH_HDI static U relative_weight(const U& shift) {
    using P = std::decay_t<decltype(primal(shift))>;
    constexpr T cut = negligible_log_weight();
    const auto kept = P(cut) < primal(shift);
    const U weight = math::exp_nonpositive(math::max(shift, U(cut)));
    return math::select(kept, weight, U(0));
  }

  /**
   * @param weights C positive mixture weights (normalised here)
   * @param means row-major C×D
   * @param variances row-major C×D, each > 0
   * @throw invalid_argument_error naming `weights[c]`, `means[k]` or `variances[k]`
   */
  gaussian_mixture_score(const std::array<T, C>& weights, const std::array<T, C * D>& means,
                         const std::array<T, C * D>& variances) {
    double total = 0.0;
    for (int c = 0; c < C; ++c) {
      detail::require_positive(detail::element_name("weights", c).c_str(), weights[c]);
      total += weights[c];
    }
    for (int c = 0; c < C; ++c) {
      double log_det_precision = 0.0;
      for (int i = 0; i < D; ++i) {
        const int k = c * D + i;
        detail::require_finite(detail::element_name("means", k).c_str(), means[k]);
        detail::require_positive(detail::element_name("variances", k).c_str(), variances[k]);
        mean(c, i) = means[k];
        precision(c, i) = static_cast<T>(1.0 / variances[k]);
        log_det_precision -= std::log(static_cast<double>(variances[k]));
      }
      log_weight_norm[c] = static_cast<T>(std::log(weights[c] / total) + 0.5 * log_det_precision);
    }
  }

  /// The score at @p x, in one pass over the components: the softmax is accumulated online
  /// against a running maximum of the logits' primal values, so only the running sums stay live
  /// (what keeps a GPU thread within its registers). Shifting every logit by the same constant
  /// leaves the responsibilities and their derivatives unchanged, so the shift needs no tangents.
  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
    using P = std::decay_t<decltype(primal(x[0]))>;
    P top = P(0);
    R total = R(0);
    vec<R, D> sum;
    for_dims<D>([&](int i) { sum[i] = R(0); });
    SCOREPATH_NO_UNROLL
    for (int c = 0; c < C; ++c) {
      R quad = R(0);
      for_dims<D>([&](int i) {
        const R d = x[i] - R(mean(c, i));
        quad = quad + d * d * precision(c, i);
      });
      const R logit = R(log_weight_norm[c]) - quad * T(0.5);
      const P new_top = c == 0 ? primal(logit) : math::max(top, primal(logit));
      const P rescale = c == 0 ? P(0) : relative_weight(top - new_top);
      top = new_top;
      const R weight = relative_weight(logit - R(top));
      total = total * rescale + weight;
      for_dims<D>([&](int i) {
        sum[i] = sum[i] * rescale + weight * ((R(mean(c, i)) - x[i]) * precision(c, i));
      });
    }
    const R inv_total = R(1) / total;
    for_dims<D>([&](int i) { sum[i] = sum[i] * inv_total; });
    return sum;
  }
};

}  // namespace scorepath
