/**
 * @file simd_float_math.hpp
 * @brief Inlined float log and sincospi for SIMD packs (the CPU side of Box–Muller), and the
 *        softplus and sigmoid of score networks.
 *
 * Calls into a vector math library cost more than the polynomials themselves at 8–16 lanes, so
 * the functions Box–Muller and the networks' activations need are written here with pack
 * arithmetic, in the classic Cephes form: log by mantissa/exponent split and a degree-9
 * polynomial on [√½, √2), sincospi by exact reduction to |r| ≤ ¼ and Taylor polynomials of
 * sin(πr), cos(πr), e^x (x ≤ 0; math::exp_nonpositive) by reduction to |r| ≤ ½ln2 and a degree-7
 * polynomial. softplus is max(x, 0) + log1p(e^−|x|), log1p(e) taken as log(u)·e/(u − 1) with
 * u = 1 + e (exact where u rounds to 1), and sigmoid 1/(1 + e^−|x|) mirrored for x < 0, so
 * neither overflows. Each is within a few ULP of the correctly rounded result for finite arguments
 * (tests/test_simd_math.cpp measures it); lanes outside the fast domain (log: x not
 * normal-positive-finite; sincospi: |x| ≥ 2²²) fall back to the scalar library functions, so
 * every input gets the right answer. softplus and sigmoid need no fallback: above 87 they are x
 * and 1 to the last bit, and below −87 they flush to 0 where the true value is under 1.7·10⁻³⁸.
 * All are forced inline: a call per pack serialises the polynomials' dependency chains, which an
 * inlined loop overlaps.
 */
#pragma once

#if !defined(__CUDACC__)

#include <cmath>
#include <cstdint>
#include <cstring>

#include "scorepath/math.hpp"  // the scalar fallbacks, and pack<T, W> (simd_pack.hpp ends by
                                // including this header)

namespace scorepath::simd::detail {

template <int W>
using float_lanes_t = typename pack<float, W>::native;
template <int W>
using int_lanes_t = typename pack<std::int32_t, W>::native;

template <int W>
inline int_lanes_t<W> float_bits(float_lanes_t<W> x) {
  int_lanes_t<W> i;
  std::memcpy(&i, &x, sizeof(i));
  return i;
}
template <int W>
inline float_lanes_t<W> bits_float(int_lanes_t<W> i) {
  float_lanes_t<W> x;
  std::memcpy(&x, &i, sizeof(x));
  return x;
}
/// True when any lane of a comparison mask is set (OR of its 64-bit words: no lane extraction).
template <class Mask>
inline bool any_lane(const Mask& m) {
  static_assert(sizeof(Mask) % sizeof(std::uint64_t) == 0, "mask of whole 64-bit words");
  std::uint64_t words[sizeof(Mask) / sizeof(std::uint64_t)];
  std::memcpy(words, &m, sizeof(Mask));
  std::uint64_t any = 0;
  for (std::uint64_t w : words) any |= w;
  return any != 0;
}

/// e^x lane-wise for x ≤ 0 (Cephes expf): x = n·ln2 + r, |r| ≤ ½ln2, 2ⁿ from the exponent
/// bits; lanes below −87 (where e^x leaves the normal range) give 0. NaN lanes give garbage: the
/// callers replace them.
template <int W>
SCOREPATH_HDI float_lanes_t<W> exp_nonpositive(float_lanes_t<W> x) {
  using F = float_lanes_t<W>;
  using I = int_lanes_t<W>;
  const auto underflow = x < -87.0f;
  const F clamped = underflow ? F{} - 87.0f : x;
  // n = nearest integer to x/ln2 (adding 1.5·2²³ rounds to an integer in the default mode).
  const F n = (clamped * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const F r = (clamped - n * 0.693359375f) - n * -2.12194440e-4f;
  F p = F{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const F y = p * (r * r) + r + 1.0f;
  const I exponent = (__builtin_convertvector(n, I) + 127) << 23;  // n ≥ −126: a normal 2ⁿ
  return underflow ? F{} : y * bits_float<W>(exponent);
}

/// log x lane-wise for normal, positive, finite x (the polynomial of math::log, no fallback).
template <int W>
SCOREPATH_HDI float_lanes_t<W> log_normal_lanes(float_lanes_t<W> x) {
  using F = float_lanes_t<W>;
  using I = int_lanes_t<W>;
  const I bits = float_bits<W>(x);
  // x = m · 2^e with m in [0.5, 1).
  I e = ((bits >> 23) & 0xff) - 126;
  F m = bits_float<W>((bits & 0x007fffff) | 0x3f000000);
  const auto small = m < 0.70710678118654752f;  // move m into [√½, √2)
  e = e + (small ? I{} - 1 : I{});
  m = (small ? m + m : m) - 1.0f;
  const F z = m * m;
  F p = F{} + 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const F ef = __builtin_convertvector(e, F);
  F y = p * m * z;
  y = y + ef * -2.12194440e-4f;
  y = y - 0.5f * z;
  F r = m + y;
  r = r + ef * 0.693359375f;
  return r;
}

/// |x| lane-wise.
template <int W>
SCOREPATH_HDI float_lanes_t<W> abs_lanes(float_lanes_t<W> x) {
  return bits_float<W>(float_bits<W>(x) & 0x7fffffff);
}

}  // namespace scorepath::simd::detail

namespace scorepath::math {

/// Lane-wise natural logarithm of floats (inlined polynomial, scalar fallback off its domain).
template <int W>
SCOREPATH_HDI simd::pack<float, W> log(const simd::pack<float, W>& a) {
  using namespace simd::detail;
  const float_lanes_t<W> x = a.v;
  simd::pack<float, W> out = simd::pack<float, W>::from(log_normal_lanes<W>(x));
  const auto off_domain = ~((x >= 1.17549435e-38f) & (x <= 3.40282347e38f));
  if (any_lane(off_domain)) {
    for (int i = 0; i < W; ++i) {
      if (off_domain[i]) out.v[i] = std::log(x[i]);
    }
  }
  return out;
}

/// Lane-wise sin(πx) and cos(πx) of floats (inlined polynomials, scalar fallback for |x| ≥ 2²²).
template <int W>
inline void sincospi(const simd::pack<float, W>& a, simd::pack<float, W>& s,
                     simd::pack<float, W>& c) {
  using namespace simd::detail;
  using F = float_lanes_t<W>;
  using I = int_lanes_t<W>;
  const F x = a.v;
  // n = nearest integer to 2x; r = (2x − n)/2 is exact and |r| ≤ ¼; πx = πr + nπ/2.
  const F two_x = x + x;
  const F shifted = two_x + 0.5f;
  I n = __builtin_convertvector(shifted, I);
  n = n - (__builtin_convertvector(n, F) > shifted ? I{} + 1 : I{});  // floor for negatives
  const F r = (two_x - __builtin_convertvector(n, F)) * 0.5f;
  const F r2 = r * r;
  // sin(πr) and cos(πr), Taylor to r⁹ and r¹⁰ (truncation < 2·10⁻⁹ for |r| ≤ ¼).
  F sp = F{} + 8.1605249276075052e-2f;  // π⁹/9!
  sp = sp * r2 - 5.9926452932079209e-1f;  // −π⁷/7!
  sp = sp * r2 + 2.5501640398773455f;     // π⁵/5!
  sp = sp * r2 - 5.1677127800499703f;     // −π³/3!
  sp = sp * r2 + 3.1415926535897932f;     // π
  const F sin_r = sp * r;
  F cp = F{} - 2.5806891390014061e-2f;  // −π¹⁰/10!
  cp = cp * r2 + 2.3533063035889320e-1f;  // π⁸/8!
  cp = cp * r2 - 1.3352627688545894f;     // −π⁶/6!
  cp = cp * r2 + 4.0587121264167682f;     // π⁴/4!
  cp = cp * r2 - 4.9348022005446793f;     // −π²/2!
  const F cos_r = cp * r2 + 1.0f;
  // Quadrant n mod 4: swap on odd n, then sign flips.
  const auto odd = (n & 1) != 0;
  const F sin_base = odd ? cos_r : sin_r;
  const F cos_base = odd ? sin_r : cos_r;
  const I sin_sign = (n & 2) << 30;
  const I cos_sign = ((n + 1) & 2) << 30;
  s.v = bits_float<W>(float_bits<W>(sin_base) ^ sin_sign);
  c.v = bits_float<W>(float_bits<W>(cos_base) ^ cos_sign);

  const auto off_domain = ~((x > -4194304.0f) & (x < 4194304.0f));
  if (any_lane(off_domain)) {
    for (int i = 0; i < W; ++i) {
      if (off_domain[i]) {
        float sin_i, cos_i;  // vector elements cannot bind to references
        math::sincospi(x[i], sin_i, cos_i);
        s.v[i] = sin_i;
        c.v[i] = cos_i;
      }
    }
  }
}

/// Lane-wise e^x of floats for x ≤ 0, inlined (below −87, where e^x is under 1.7·10⁻³⁸, it
/// flushes to 0; NaN stays NaN; positive lanes are outside its domain).
template <int W>
SCOREPATH_HDI simd::pack<float, W> exp_nonpositive(const simd::pack<float, W>& a) {
  using namespace simd::detail;
  const float_lanes_t<W> x = a.v;
  const float_lanes_t<W> e = simd::detail::exp_nonpositive<W>(x);
  return simd::pack<float, W>::from(x == x ? e : x);
}

/// Lane-wise softplus log(1 + e^x) of floats, inlined (below −87, where the result is under
/// 1.7·10⁻³⁸, it flushes to 0; NaN stays NaN).
template <int W>
SCOREPATH_HDI simd::pack<float, W> softplus(const simd::pack<float, W>& a) {
  using namespace simd::detail;
  using F = float_lanes_t<W>;
  const F x = a.v;
  const F e = simd::detail::exp_nonpositive<W>(F{} - abs_lanes<W>(x));
  const F u = 1.0f + e;
  const F log_u = log_normal_lanes<W>(u);  // u in [1, 2]
  // log1p(e) = log(u)·e/(u − 1): the rounding of u cancels; e itself where u rounds to 1.
  const F log1p_e = u == 1.0f ? e : log_u * (e / (u - 1.0f));
  const F value = (x > 0.0f ? x : F{}) + log1p_e;
  return simd::pack<float, W>::from(x == x ? value : x);
}

/// Lane-wise logistic sigmoid 1/(1 + e^−x) of floats, inlined (below −87 it flushes to 0; NaN
/// stays NaN).
template <int W>
SCOREPATH_HDI simd::pack<float, W> sigmoid(const simd::pack<float, W>& a) {
  using namespace simd::detail;
  using F = float_lanes_t<W>;
  const F x = a.v;
  const F e = simd::detail::exp_nonpositive<W>(F{} - abs_lanes<W>(x));
  const F positive = 1.0f / (1.0f + e);  // sigmoid(|x|)
  const F value = x >= 0.0f ? positive : e * positive;
  return simd::pack<float, W>::from(x == x ? value : x);
}

}  // namespace scorepath::math

#endif  // !__CUDACC__
