/**
 * @file activations.hpp
 * @brief Activation functions of score networks, for any lane type (dual numbers overload them
 *        with their derivative rules in dual.hpp).
 */
#pragma once

#include "scorepath/math.hpp"

namespace scorepath::math {

/// Logistic sigmoid 1/(1 + e^(−x)).
template <class R>
SCOREPATH_HDI R sigmoid(const R& x) {
  return R(1) / (R(1) + math::exp(-x));
}

/// softplus log(1 + e^x), written max(x, 0) + log1p(e^(−|x|)) so it never overflows.
template <class R>
SCOREPATH_HDI R softplus(const R& x) {
  return math::max(x, R(0)) + math::log1p(math::exp(-math::abs(x)));
}

/// SiLU (swish) x·sigmoid(x).
template <class R>
SCOREPATH_HDI R silu(const R& x) {
  return x * sigmoid(x);
}

/// ELU with α = 1: x for x > 0, e^x − 1 otherwise.
template <class R>
SCOREPATH_HDI R elu(const R& x) {
  return math::select(x > R(0), x, math::expm1(x));
}

}  // namespace scorepath::math
