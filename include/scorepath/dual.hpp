/**
 * @file dual.hpp
 * @brief Forward-mode dual numbers with K tangents: one evaluation of f at x with tangents
 *        v₁…v_K gives f(x) and the directional derivatives J_f(x)v₁ … J_f(x)v_K.
 *
 * The value type T may be float, double or a SIMD pack, so K Jacobian-vector products of a whole
 * pack of samples share one primal evaluation. Every function of math.hpp and activations.hpp
 * has its derivative rule here; math.hpp declares these overloads, so code written before this
 * header is included still finds them.
 */
#pragma once

#include <type_traits>

#include "scorepath/activations.hpp"
#include "scorepath/config.hpp"
#include "scorepath/math.hpp"

namespace scorepath {

/// A value and K tangents (directional derivatives).
template <class T, int K>
struct dual {
  static_assert(K >= 1, "a dual number needs at least one tangent");
  T val;     ///< primal value
  T tan[K];  ///< tangents

  dual() = default;
  /// A constant: value @p v, zero tangents.
  SCOREPATH_HDI dual(const T& v) : val(v) {  // NOLINT: implicit, constants mix with duals
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) tan[k] = T(0);
  }
  /// A constant from a plain number (when T is a pack or a wider type).
  template <class S, class = std::enable_if_t<std::is_arithmetic_v<S> && !std::is_same_v<S, T>>>
  SCOREPATH_HDI dual(S v) : dual(T(v)) {}  // NOLINT

  /// Applies a unary rule: value @p f and derivative @p df at val.
  SCOREPATH_HDI dual chain(const T& f, const T& df) const {
    dual r;
    r.val = f;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = df * tan[k];
    return r;
  }

  SCOREPATH_HDI friend dual operator+(const dual& a, const dual& b) {
    dual r;
    r.val = a.val + b.val;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = a.tan[k] + b.tan[k];
    return r;
  }
  SCOREPATH_HDI friend dual operator-(const dual& a, const dual& b) {
    dual r;
    r.val = a.val - b.val;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = a.tan[k] - b.tan[k];
    return r;
  }
  SCOREPATH_HDI friend dual operator*(const dual& a, const dual& b) {
    dual r;
    r.val = a.val * b.val;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = a.tan[k] * b.val + a.val * b.tan[k];
    return r;
  }
  SCOREPATH_HDI friend dual operator/(const dual& a, const dual& b) {
    const T inv = T(1) / b.val;
    dual r;
    r.val = a.val * inv;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = (a.tan[k] - r.val * b.tan[k]) * inv;
    return r;
  }
  SCOREPATH_HDI friend dual operator-(const dual& a) {
    dual r;
    r.val = -a.val;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = -a.tan[k];
    return r;
  }
  /// Scaling by a constant is cheaper than a dual product.
  SCOREPATH_HDI friend dual operator*(const dual& a, const T& c) {
    dual r;
    r.val = a.val * c;
    SCOREPATH_UNROLL
    for (int k = 0; k < K; ++k) r.tan[k] = a.tan[k] * c;
    return r;
  }
  SCOREPATH_HDI friend dual operator*(const T& c, const dual& a) { return a * c; }
  /// Scaling by a plain number.
  template <class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>
  SCOREPATH_HDI friend dual operator*(const dual& a, S c) {
    return a * T(c);
  }
  template <class S, class = std::enable_if_t<std::is_arithmetic_v<S>>>
  SCOREPATH_HDI friend dual operator*(S c, const dual& a) {
    return a * T(c);
  }
  SCOREPATH_HDI dual& operator+=(const dual& b) { return *this = *this + b; }
  SCOREPATH_HDI dual& operator-=(const dual& b) { return *this = *this - b; }
  SCOREPATH_HDI dual& operator*=(const dual& b) { return *this = *this * b; }
  SCOREPATH_HDI dual& operator/=(const dual& b) { return *this = *this / b; }

  // Comparisons look at values only (they choose a branch, which is differentiated as is).
  SCOREPATH_HDI friend auto operator<(const dual& a, const dual& b) { return a.val < b.val; }
  SCOREPATH_HDI friend auto operator>(const dual& a, const dual& b) { return a.val > b.val; }
};

/// True for dual types.
template <class T>
struct is_dual : std::false_type {};
template <class T, int K>
struct is_dual<dual<T, K>> : std::true_type {};

/// The primal value of a dual number; a plain value is its own primal.
template <class T, int K>
SCOREPATH_HDI const T& primal(const dual<T, K>& a) {
  return a.val;
}
template <class T, class = std::enable_if_t<!is_dual<T>::value>>
SCOREPATH_HDI const T& primal(const T& a) {
  return a;
}

/// A variable: value @p v with tangent k set to @p seeds[k].
template <class T, int K>
SCOREPATH_HDI dual<T, K> make_dual(const T& v, const T (&seeds)[K]) {
  dual<T, K> r;
  r.val = v;
  SCOREPATH_UNROLL
  for (int k = 0; k < K; ++k) r.tan[k] = seeds[k];
  return r;
}

namespace math {

template <class T, int K>
SCOREPATH_HDI dual<T, K> exp(const dual<T, K>& a) {
  const T e = math::exp(a.val);
  return a.chain(e, e);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> exp_nonpositive(const dual<T, K>& a) {
  const T e = math::exp_nonpositive(a.val);
  return a.chain(e, e);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> expm1(const dual<T, K>& a) {
  return a.chain(math::expm1(a.val), math::exp(a.val));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> log(const dual<T, K>& a) {
  return a.chain(math::log(a.val), T(1) / a.val);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> log1p(const dual<T, K>& a) {
  return a.chain(math::log1p(a.val), T(1) / (T(1) + a.val));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> sqrt(const dual<T, K>& a) {
  const T s = math::sqrt(a.val);
  return a.chain(s, T(0.5) / s);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> tanh(const dual<T, K>& a) {
  const T t = math::tanh(a.val);
  return a.chain(t, T(1) - t * t);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> sin(const dual<T, K>& a) {
  return a.chain(math::sin(a.val), math::cos(a.val));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> cos(const dual<T, K>& a) {
  return a.chain(math::cos(a.val), -math::sin(a.val));
}
/// x^p for a constant exponent p.
template <class T, int K>
SCOREPATH_HDI dual<T, K> pow(const dual<T, K>& a, const T& p) {
  return a.chain(math::pow(a.val, p), p * math::pow(a.val, p - T(1)));
}
/// x^y with both differentiated: d(x^y) = x^y (y' log x + y x'/x).
template <class T, int K>
SCOREPATH_HDI dual<T, K> pow(const dual<T, K>& x, const dual<T, K>& y) {
  const T r = math::pow(x.val, y.val);
  const T log_x = math::log(x.val);
  const T y_over_x = y.val / x.val;
  dual<T, K> out;
  out.val = r;
  SCOREPATH_UNROLL
  for (int k = 0; k < K; ++k) out.tan[k] = r * (y.tan[k] * log_x + y_over_x * x.tan[k]);
  return out;
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> sigmoid(const dual<T, K>& a) {
  const T s = math::sigmoid(a.val);
  return a.chain(s, s * (T(1) - s));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> softplus(const dual<T, K>& a) {
  return a.chain(math::softplus(a.val), math::sigmoid(a.val));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> silu(const dual<T, K>& a) {
  const T s = math::sigmoid(a.val);
  return a.chain(a.val * s, s + a.val * s * (T(1) - s));
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> elu(const dual<T, K>& a) {
  const T e = math::expm1(a.val);
  const auto positive = a.val > T(0);
  return a.chain(math::select(positive, a.val, e), math::select(positive, T(1), e + T(1)));
}
/// Lane-wise choice between duals (value and every tangent).
template <class T, int K, class Mask>
SCOREPATH_HDI dual<T, K> select(const Mask& mask, const dual<T, K>& a, const dual<T, K>& b) {
  dual<T, K> r;
  r.val = math::select(mask, a.val, b.val);
  SCOREPATH_UNROLL
  for (int k = 0; k < K; ++k) r.tan[k] = math::select(mask, a.tan[k], b.tan[k]);
  return r;
}
/// Choice by one condition for the whole dual (scalar lanes).
template <class T, int K>
SCOREPATH_HDI dual<T, K> select(bool condition, const dual<T, K>& a, const dual<T, K>& b) {
  return condition ? a : b;
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> max(const dual<T, K>& a, const dual<T, K>& b) {
  return math::select(a.val < b.val, b, a);
}
template <class T, int K>
SCOREPATH_HDI dual<T, K> abs(const dual<T, K>& a) {
  return math::select(a.val < T(0), -a, a);
}

}  // namespace math
}  // namespace scorepath
