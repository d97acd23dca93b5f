/**
 * @file training/activation_rules.hpp
 * @brief The hidden activations with their first and second derivatives, σ(z), σ'(z), σ''(z),
 *        written once for the host and the device: the forward pass of a tile carries tangents
 *        through σ', and the reverse sweep over those tangents needs σ''.
 */
#pragma once

#include "scorepath/activations.hpp"
#include "scorepath/config.hpp"
#include "scorepath/math.hpp"
#include "scorepath/scores/mlp_forward.hpp"

namespace scorepath {

/// σ(z) and its first two derivatives at one point.
template <class T>
struct activation_rule {
  T value;   ///< σ(z)
  T first;   ///< σ'(z)
  T second;  ///< σ''(z)
};

/**
 * @brief σ, σ' and σ'' of the activation @p A at @p z.
 *
 * - softplus: σ' = s = sigmoid(z), σ'' = s(1 − s)
 * - tanh: σ' = 1 − t², σ'' = −2t(1 − t²)
 * - SiLU z·s: σ' = s(1 + z(1 − s)), σ'' = s(1 − s)(2 + z(1 − 2s))
 * - ELU (α = 1): z, 1, 0 for z > 0; e^z − 1, e^z, e^z otherwise
 *
 * T is a scalar or, on the CPU, a SIMD pack (every choice is made per lane).
 */
template <mlp_activation A, class T>
SCOREPATH_HDI activation_rule<T> activation_rules_of(T z) {
  if constexpr (A == mlp_activation::softplus) {
    const T s = math::sigmoid(z);
    return {math::softplus(z), s, s * (T(1) - s)};
  } else if constexpr (A == mlp_activation::tanh) {
    const T t = math::tanh(z);
    const T d = T(1) - t * t;
    return {t, d, T(-2) * t * d};
  } else if constexpr (A == mlp_activation::silu) {
    const T s = math::sigmoid(z);
    return {z * s, s * (T(1) + z * (T(1) - s)), s * (T(1) - s) * (T(2) + z * (T(1) - T(2) * s))};
  } else {
    // A choice per lane, so T may be a SIMD pack.
    const auto positive = z > T(0);
    const T e = math::exp(math::select(positive, T(0), z));
    return {math::select(positive, z, math::expm1(z)), math::select(positive, T(1), e),
            math::select(positive, T(0), e)};
  }
}

/// activation_rules_of for the activation @p act.
template <class T>
SCOREPATH_HDI activation_rule<T> activation_rules(mlp_activation act, T z) {
  switch (act) {
    case mlp_activation::softplus: return activation_rules_of<mlp_activation::softplus>(z);
    case mlp_activation::tanh: return activation_rules_of<mlp_activation::tanh>(z);
    case mlp_activation::silu: return activation_rules_of<mlp_activation::silu>(z);
    case mlp_activation::elu:
    default: return activation_rules_of<mlp_activation::elu>(z);
  }
}

/// σ(z) alone of the activation @p A (a forward pass that no reverse sweep follows).
template <mlp_activation A, class T>
SCOREPATH_HDI T activation_value_of(T z) {
  if constexpr (A == mlp_activation::softplus) {
    return math::softplus(z);
  } else if constexpr (A == mlp_activation::tanh) {
    return math::tanh(z);
  } else if constexpr (A == mlp_activation::silu) {
    return z * math::sigmoid(z);
  } else {
    return math::elu(z);
  }
}

/// σ(z) alone of the activation @p act.
template <class T>
SCOREPATH_HDI T activation_value(mlp_activation act, T z) {
  switch (act) {
    case mlp_activation::softplus: return activation_value_of<mlp_activation::softplus>(z);
    case mlp_activation::tanh: return activation_value_of<mlp_activation::tanh>(z);
    case mlp_activation::silu: return activation_value_of<mlp_activation::silu>(z);
    case mlp_activation::elu:
    default: return activation_value_of<mlp_activation::elu>(z);
  }
}

}  // namespace scorepath
