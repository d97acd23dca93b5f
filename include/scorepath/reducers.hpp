/**
 * @file reducers.hpp
 * @brief Built-in per-path reducers for simulate_em (functions of the final state).
 */
#pragma once

#include <cmath>

#include "scorepath/math.hpp"
#include "scorepath/sdes/parameters.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Discounted European call payoff e^(−rT) max(x_c − K, 0) on component c of the final state.
template <class T, int Component = 0>
struct discounted_call_payoff {
  static constexpr bool vectorizable = true;
  T strike;    ///< K
  T discount;  ///< e^(−rT)

  /// @throw invalid_argument_error for K < 0 or non-finite r, T
  discounted_call_payoff(T strike_, T rate, T maturity) : strike(strike_) {
    detail::require_non_negative("strike", strike_);
    detail::require_finite("rate", rate);
    detail::require_non_negative("maturity", maturity);
    discount = static_cast<T>(std::exp(-static_cast<double>(rate) * maturity));
  }

  template <class R, int D>
  SCOREPATH_HDI R operator()(const vec<R, D>& x) const {
    return math::max(x[Component] - R(strike), R(T(0))) * discount;
  }
};

/// Component c of the final state itself (its mean and standard error).
template <int Component = 0>
struct component_value {
  static constexpr bool vectorizable = true;
  template <class R, int D>
  SCOREPATH_HDI R operator()(const vec<R, D>& x) const {
    return x[Component];
  }
};

}  // namespace scorepath
