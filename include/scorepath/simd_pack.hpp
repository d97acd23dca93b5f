/**
 * @file simd_pack.hpp
 * @brief SIMD packs for the CPU backend: W lanes that run the same kernel code as one GPU thread.
 *
 * A `simd::pack<T, W>` behaves like a T in arithmetic, so a kernel body written for `float` runs
 * unchanged on 16 paths at once. The math the kernels use (log, exp, sqrt, sincospi) maps onto
 * SLEEF's vector functions for the instruction set the file is compiled for (AVX-512, AVX2 or
 * SSE2), or onto the scalar functions lane by lane elsewhere. Host compilers only.
 */
#pragma once

#if !defined(__CUDACC__)

#include <sleef.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__AVX2__) || defined(__AVX512F__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include "scorepath/philox.hpp"

namespace scorepath::simd {

/// Bytes of the widest SIMD register this file is compiled for.
#if defined(__AVX512F__)
inline constexpr int register_bytes = 64;
#elif defined(__AVX__)
inline constexpr int register_bytes = 32;
#else
inline constexpr int register_bytes = 16;
#endif
/// Lanes of a float pack in the CPU backend: one register (a pack wider than a register is slower,
/// as the compiler then moves it through memory).
inline constexpr int float_lanes = register_bytes / 4;
/// Lanes of a double pack: one register.
inline constexpr int double_lanes = register_bytes / 8;

/// W lanes of T in one GCC/Clang vector.
template <class T, int W>
struct pack {
  typedef T native __attribute__((vector_size(sizeof(T) * W)));
  native v;

  /// Element type.
  using scalar = T;
  /// Number of lanes.
  static constexpr int lanes = W;

  pack() = default;
  /// Broadcast.
  pack(T s) : v(native{} + s) {}  // NOLINT: implicit, so `pack * 2.0f` reads like scalar code
  /// From the raw vector.
  static pack from(native n) {
    pack p;
    p.v = n;
    return p;
  }
  /// Loads W elements (no alignment needed).
  static pack load(const T* src) {
    pack p;
    std::memcpy(&p.v, src, sizeof(native));
    return p;
  }
  /// Stores W elements (no alignment needed).
  void store(T* dst) const { std::memcpy(dst, &v, sizeof(native)); }
  /// Stores the first @p count lanes.
  void store_first(T* dst, int count) const { std::memcpy(dst, &v, sizeof(T) * count); }
  /// Lane @p i.
  T operator[](int i) const { return v[i]; }

  friend pack operator+(const pack& a, const pack& b) { return from(a.v + b.v); }
  friend pack operator-(const pack& a, const pack& b) { return from(a.v - b.v); }
  friend pack operator*(const pack& a, const pack& b) { return from(a.v * b.v); }
  friend pack operator/(const pack& a, const pack& b) { return from(a.v / b.v); }
  friend pack operator-(const pack& a) { return from(-a.v); }
  friend pack operator^(const pack& a, const pack& b) { return from(a.v ^ b.v); }
  friend pack operator&(const pack& a, const pack& b) { return from(a.v & b.v); }
  friend pack operator|(const pack& a, const pack& b) { return from(a.v | b.v); }
  pack& operator+=(const pack& b) { v += b.v; return *this; }
  pack& operator-=(const pack& b) { v -= b.v; return *this; }
  pack& operator*=(const pack& b) { v *= b.v; return *this; }
  pack& operator/=(const pack& b) { v /= b.v; return *this; }
  friend auto operator<(const pack& a, const pack& b) { return a.v < b.v; }
  friend auto operator>(const pack& a, const pack& b) { return a.v > b.v; }
  friend auto operator<=(const pack& a, const pack& b) { return a.v <= b.v; }
  friend auto operator>=(const pack& a, const pack& b) { return a.v >= b.v; }
};

/// Lane-wise choice: where @p mask is set take @p a, else @p b.
template <class T, int W, class Mask>
inline pack<T, W> select(const Mask& mask, const pack<T, W>& a, const pack<T, W>& b) {
  return pack<T, W>::from(mask ? a.v : b.v);
}

/// Lanes 0…W-1 added to @p start (path ids of a pack).
template <int W>
inline pack<std::uint32_t, W> iota(std::uint32_t start) {
  pack<std::uint32_t, W> p;
  for (int i = 0; i < W; ++i) p.v[i] = start + static_cast<std::uint32_t>(i);
  return p;
}

namespace detail {
/// Applies a 32×32→64 multiply intrinsic to each register-sized slice of @p a.
template <class Reg, class Wide, class Mul, class Set1>
inline Wide mul_even_slices(const Wide& a, std::uint64_t b, Mul mul, Set1 set1) {
  Wide out;
  const Reg factor = set1(static_cast<long long>(b));
  for (std::size_t off = 0; off < sizeof(Wide); off += sizeof(Reg)) {
    Reg x;
    std::memcpy(&x, reinterpret_cast<const char*>(&a) + off, sizeof(Reg));
    x = mul(x, factor);
    std::memcpy(reinterpret_cast<char*>(&out) + off, &x, sizeof(Reg));
  }
  return out;
}

/// 32×32→64-bit products of the even 32-bit lanes of @p a (viewed as 64-bit lanes) with @p b:
/// one vpmuludq per register, where a plain 64-bit vector multiply would be emulated.
template <class Wide>
inline Wide mul_even_lanes(const Wide& a, std::uint64_t b) {
#if defined(__AVX512F__)
  if constexpr (sizeof(Wide) % sizeof(__m512i) == 0) {
    return mul_even_slices<__m512i>(
        a, b, [](__m512i x, __m512i y) { return _mm512_mul_epu32(x, y); },
        [](long long v) { return _mm512_set1_epi64(v); });
  }
#endif
#if defined(__AVX2__)
  if constexpr (sizeof(Wide) % sizeof(__m256i) == 0) {
    return mul_even_slices<__m256i>(
        a, b, [](__m256i x, __m256i y) { return _mm256_mul_epu32(x, y); },
        [](long long v) { return _mm256_set1_epi64x(v); });
  }
#endif
#if defined(__SSE2__)
  if constexpr (sizeof(Wide) % sizeof(__m128i) == 0) {
    return mul_even_slices<__m128i>(
        a, b, [](__m128i x, __m128i y) { return _mm_mul_epu32(x, y); },
        [](long long v) { return _mm_set1_epi64x(v); });
  }
#endif
  return (a & 0xFFFFFFFFull) * b;
}
}  // namespace detail

/// High and low halves of lane-wise 32×32-bit products (Philox on packs).
///
/// Works on 64-bit views of the pack, even and odd lanes separately, so that each product is one
/// unsigned 32×32→64 multiply (vpmuludq) and no lanes need narrowing shuffles.
template <int W>
inline void mul_hi_lo(const pack<std::uint32_t, W>& a, std::uint32_t b, pack<std::uint32_t, W>& hi,
                      pack<std::uint32_t, W>& lo) {
  static_assert(W % 2 == 0, "mul_hi_lo needs an even lane count");
  using wide = typename pack<std::uint64_t, W / 2>::native;
  using narrow = typename pack<std::uint32_t, W>::native;
  constexpr std::uint64_t low_mask = 0xFFFFFFFFull;
  wide a64;
  std::memcpy(&a64, &a.v, sizeof(a64));
  const wide even = detail::mul_even_lanes(a64, b);
  const wide odd = detail::mul_even_lanes(wide(a64 >> 32), b);
  const wide hi64 = (even >> 32) | (odd & ~low_mask);
  const wide lo64 = (even & low_mask) | (odd << 32);
  std::memcpy(&hi.v, &hi64, sizeof(narrow));
  std::memcpy(&lo.v, &lo64, sizeof(narrow));
}

/// Lane-wise conversion of 32-bit words to float (round to nearest).
template <int W>
inline pack<float, W> to_float(const pack<std::uint32_t, W>& x) {
  return pack<float, W>::from(__builtin_convertvector(x.v, typename pack<float, W>::native));
}

/// Lane-wise `(lo ^ (hi << 21))` as a double: a 53-bit integer (cuRAND's double uniform).
template <int W>
inline pack<double, W> to_double53(const pack<std::uint32_t, W>& lo,
                                   const pack<std::uint32_t, W>& hi) {
  using wide = typename pack<std::uint64_t, W>::native;
  const wide z = __builtin_convertvector(lo.v, wide) ^ (__builtin_convertvector(hi.v, wide) << 21);
  return pack<double, W>::from(__builtin_convertvector(z, typename pack<double, W>::native));
}

namespace detail {
// One native register's worth of lanes for each ISA, and SLEEF's functions for it.
#if defined(__AVX512F__)
using native_f = __m512;
using native_d = __m512d;
inline native_f native_log(native_f x) { return Sleef_logf16_u10avx512f(x); }
inline native_d native_log(native_d x) { return Sleef_logd8_u10avx512f(x); }
inline native_f native_exp(native_f x) { return Sleef_expf16_u10avx512f(x); }
inline native_d native_exp(native_d x) { return Sleef_expd8_u10avx512f(x); }
inline native_f native_sqrt(native_f x) { return _mm512_sqrt_ps(x); }
inline native_d native_sqrt(native_d x) { return _mm512_sqrt_pd(x); }
inline void native_sincospi(native_f x, native_f& s, native_f& c) {
  const Sleef___m512_2 r = Sleef_sincospif16_u05avx512f(x);
  s = r.x;
  c = r.y;
}
inline void native_sincospi(native_d x, native_d& s, native_d& c) {
  const Sleef___m512d_2 r = Sleef_sincospid8_u05avx512f(x);
  s = r.x;
  c = r.y;
}
#elif defined(__AVX2__) && defined(__FMA__)
using native_f = __m256;
using native_d = __m256d;
inline native_f native_log(native_f x) { return Sleef_logf8_u10avx2(x); }
inline native_d native_log(native_d x) { return Sleef_logd4_u10avx2(x); }
inline native_f native_exp(native_f x) { return Sleef_expf8_u10avx2(x); }
inline native_d native_exp(native_d x) { return Sleef_expd4_u10avx2(x); }
inline native_f native_sqrt(native_f x) { return _mm256_sqrt_ps(x); }
inline native_d native_sqrt(native_d x) { return _mm256_sqrt_pd(x); }
inline void native_sincospi(native_f x, native_f& s, native_f& c) {
  const Sleef___m256_2 r = Sleef_sincospif8_u05avx2(x);
  s = r.x;
  c = r.y;
}
inline void native_sincospi(native_d x, native_d& s, native_d& c) {
  const Sleef___m256d_2 r = Sleef_sincospid4_u05avx2(x);
  s = r.x;
  c = r.y;
}
#elif defined(__SSE2__)
using native_f = __m128;
using native_d = __m128d;
inline native_f native_log(native_f x) { return Sleef_logf4_u10sse2(x); }
inline native_d native_log(native_d x) { return Sleef_logd2_u10sse2(x); }
inline native_f native_exp(native_f x) { return Sleef_expf4_u10sse2(x); }
inline native_d native_exp(native_d x) { return Sleef_expd2_u10sse2(x); }
inline native_f native_sqrt(native_f x) { return _mm_sqrt_ps(x); }
inline native_d native_sqrt(native_d x) { return _mm_sqrt_pd(x); }
inline void native_sincospi(native_f x, native_f& s, native_f& c) {
  const Sleef___m128_2 r = Sleef_sincospif4_u05sse2(x);
  s = r.x;
  c = r.y;
}
inline void native_sincospi(native_d x, native_d& s, native_d& c) {
  const Sleef___m128d_2 r = Sleef_sincospid2_u05sse2(x);
  s = r.x;
  c = r.y;
}
#else
#define SCOREPATH_SIMD_GENERIC 1
#endif

#if !defined(SCOREPATH_SIMD_GENERIC)
template <class T>
struct native_register;
template <>
struct native_register<float> {
  using type = native_f;
};
template <>
struct native_register<double> {
  using type = native_d;
};
template <class T>
using native_of = typename native_register<T>::type;

/// Applies @p op to each native-register slice of @p a.
template <class T, int W, class Op>
inline pack<T, W> per_native(const pack<T, W>& a, Op op) {
  using N = native_of<T>;
  static_assert(sizeof(typename pack<T, W>::native) % sizeof(N) == 0, "pack must fill registers");
  pack<T, W> r;
  for (std::size_t off = 0; off < sizeof(r.v); off += sizeof(N)) {
    N x;
    std::memcpy(&x, reinterpret_cast<const char*>(&a.v) + off, sizeof(N));
    x = op(x);
    std::memcpy(reinterpret_cast<char*>(&r.v) + off, &x, sizeof(N));
  }
  return r;
}
#endif
}  // namespace detail

}  // namespace scorepath::simd

namespace scorepath::math {

/// Lane-wise natural logarithm (SLEEF, 1 ULP).
template <class T, int W>
inline simd::pack<T, W> log(const simd::pack<T, W>& a) {
#if defined(SCOREPATH_SIMD_GENERIC)
  simd::pack<T, W> r;
  for (int i = 0; i < W; ++i) r.v[i] = math::log(a.v[i]);
  return r;
#else
  return simd::detail::per_native(a, [](auto x) { return simd::detail::native_log(x); });
#endif
}

/// Lane-wise exponential (SLEEF, 1 ULP).
template <class T, int W>
inline simd::pack<T, W> exp(const simd::pack<T, W>& a) {
#if defined(SCOREPATH_SIMD_GENERIC)
  simd::pack<T, W> r;
  for (int i = 0; i < W; ++i) r.v[i] = math::exp(a.v[i]);
  return r;
#else
  return simd::detail::per_native(a, [](auto x) { return simd::detail::native_exp(x); });
#endif
}

/// Lane-wise square root (correctly rounded).
template <class T, int W>
inline simd::pack<T, W> sqrt(const simd::pack<T, W>& a) {
#if defined(SCOREPATH_SIMD_GENERIC)
  simd::pack<T, W> r;
  for (int i = 0; i < W; ++i) r.v[i] = math::sqrt(a.v[i]);
  return r;
#else
  return simd::detail::per_native(a, [](auto x) { return simd::detail::native_sqrt(x); });
#endif
}

/// Lane-wise sin(πx) and cos(πx) (SLEEF, 0.5 ULP).
template <class T, int W>
inline void sincospi(const simd::pack<T, W>& a, simd::pack<T, W>& s, simd::pack<T, W>& c) {
#if defined(SCOREPATH_SIMD_GENERIC)
  for (int i = 0; i < W; ++i) math::sincospi(a.v[i], s.v[i], c.v[i]);
#else
  using N = simd::detail::native_of<T>;
  for (std::size_t off = 0; off < sizeof(a.v); off += sizeof(N)) {
    N x, sx, cx;
    std::memcpy(&x, reinterpret_cast<const char*>(&a.v) + off, sizeof(N));
    simd::detail::native_sincospi(x, sx, cx);
    std::memcpy(reinterpret_cast<char*>(&s.v) + off, &sx, sizeof(N));
    std::memcpy(reinterpret_cast<char*>(&c.v) + off, &cx, sizeof(N));
  }
#endif
}

/// Lane-wise maximum.
template <class T, int W>
inline simd::pack<T, W> max(const simd::pack<T, W>& a, const simd::pack<T, W>& b) {
  return simd::select(a < b, b, a);
}
/// Lane-wise minimum.
template <class T, int W>
inline simd::pack<T, W> min(const simd::pack<T, W>& a, const simd::pack<T, W>& b) {
  return simd::select(b < a, b, a);
}

}  // namespace scorepath::math

#include "scorepath/simd_float_math.hpp"

#endif  // !__CUDACC__
