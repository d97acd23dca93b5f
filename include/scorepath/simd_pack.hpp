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
  friend pack operator>>(const pack& a, int bits) { return from(a.v >> bits); }
  friend pack operator<<(const pack& a, int bits) { return from(a.v << bits); }
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
        a, b, [](__m512i x, __m512i y) { return _mm512_maskz_mul_epu32(0xFF, x, y); },
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
// One native register's worth of lanes for each ISA, and SLEEF's 1-ULP functions for it.
#if defined(__AVX512F__)
using native_f = __m512;
using native_d = __m512d;
#define SCOREPATH_SLEEF_F(fn) Sleef_##fn##f16_u10avx512f
#define SCOREPATH_SLEEF_D(fn) Sleef_##fn##d8_u10avx512f
#define SCOREPATH_SLEEF_SINCOSPI_F Sleef_sincospif16_u05avx512f
#define SCOREPATH_SLEEF_SINCOSPI_D Sleef_sincospid8_u05avx512f
// The zero-masked forms with every lane selected: GCC 12's unmasked AVX-512 intrinsics pass an
// "undefined" register that trips -Wmaybe-uninitialized wherever they are inlined.
inline native_f native_sqrt(native_f x) { return _mm512_maskz_sqrt_ps(0xFFFF, x); }
inline native_d native_sqrt(native_d x) { return _mm512_maskz_sqrt_pd(0xFF, x); }
#elif defined(__AVX2__) && defined(__FMA__)
using native_f = __m256;
using native_d = __m256d;
#define SCOREPATH_SLEEF_F(fn) Sleef_##fn##f8_u10avx2
#define SCOREPATH_SLEEF_D(fn) Sleef_##fn##d4_u10avx2
#define SCOREPATH_SLEEF_SINCOSPI_F Sleef_sincospif8_u05avx2
#define SCOREPATH_SLEEF_SINCOSPI_D Sleef_sincospid4_u05avx2
inline native_f native_sqrt(native_f x) { return _mm256_sqrt_ps(x); }
inline native_d native_sqrt(native_d x) { return _mm256_sqrt_pd(x); }
#elif defined(__SSE2__)
using native_f = __m128;
using native_d = __m128d;
#define SCOREPATH_SLEEF_F(fn) Sleef_##fn##f4_u10sse2
#define SCOREPATH_SLEEF_D(fn) Sleef_##fn##d2_u10sse2
#define SCOREPATH_SLEEF_SINCOSPI_F Sleef_sincospif4_u05sse2
#define SCOREPATH_SLEEF_SINCOSPI_D Sleef_sincospid2_u05sse2
inline native_f native_sqrt(native_f x) { return _mm_sqrt_ps(x); }
inline native_d native_sqrt(native_d x) { return _mm_sqrt_pd(x); }
#else
#define SCOREPATH_SIMD_GENERIC 1
#endif

#if !defined(SCOREPATH_SIMD_GENERIC)
#define SCOREPATH_NATIVE_UNARY(fn)                                                  \
  inline native_f native_##fn(native_f x) { return SCOREPATH_SLEEF_F(fn)(x); } \
  inline native_d native_##fn(native_d x) { return SCOREPATH_SLEEF_D(fn)(x); }
SCOREPATH_NATIVE_UNARY(log)
SCOREPATH_NATIVE_UNARY(exp)
SCOREPATH_NATIVE_UNARY(log1p)
SCOREPATH_NATIVE_UNARY(expm1)
SCOREPATH_NATIVE_UNARY(tanh)
SCOREPATH_NATIVE_UNARY(sin)
SCOREPATH_NATIVE_UNARY(cos)
#undef SCOREPATH_NATIVE_UNARY
inline native_f native_pow(native_f x, native_f y) { return SCOREPATH_SLEEF_F(pow)(x, y); }
inline native_d native_pow(native_d x, native_d y) { return SCOREPATH_SLEEF_D(pow)(x, y); }
inline void native_sincospi(native_f x, native_f& s, native_f& c) {
  const auto r = SCOREPATH_SLEEF_SINCOSPI_F(x);
  s = r.x;
  c = r.y;
}
inline void native_sincospi(native_d x, native_d& s, native_d& c) {
  const auto r = SCOREPATH_SLEEF_SINCOSPI_D(x);
  s = r.x;
  c = r.y;
}
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

#if defined(SCOREPATH_SIMD_GENERIC)
#define SCOREPATH_PACK_UNARY(fn)                                 \
  template <class T, int W>                                      \
  inline simd::pack<T, W> fn(const simd::pack<T, W>& a) {        \
    simd::pack<T, W> r;                                          \
    for (int i = 0; i < W; ++i) r.v[i] = math::fn(a.v[i]);       \
    return r;                                                    \
  }
#else
#define SCOREPATH_PACK_UNARY(fn)                                                             \
  template <class T, int W>                                                                 \
  inline simd::pack<T, W> fn(const simd::pack<T, W>& a) {                                   \
    return simd::detail::per_native(a, [](auto x) { return simd::detail::native_##fn(x); }); \
  }
#endif
/// Lane-wise log, exp, log1p, expm1, tanh, sin, cos (SLEEF, 1 ULP) and sqrt (correctly rounded).
SCOREPATH_PACK_UNARY(log)
SCOREPATH_PACK_UNARY(exp)
SCOREPATH_PACK_UNARY(sqrt)
SCOREPATH_PACK_UNARY(log1p)
SCOREPATH_PACK_UNARY(expm1)
SCOREPATH_PACK_UNARY(tanh)
SCOREPATH_PACK_UNARY(sin)
SCOREPATH_PACK_UNARY(cos)
#undef SCOREPATH_PACK_UNARY

/// Lane-wise 1/√x (a correctly rounded square root and a division).
template <class T, int W>
inline simd::pack<T, W> rsqrt(const simd::pack<T, W>& a) {
  return simd::pack<T, W>(T(1)) / sqrt(a);
}

/// Lane-wise x^y (SLEEF, 1 ULP).
template <class T, int W>
inline simd::pack<T, W> pow(const simd::pack<T, W>& x, const simd::pack<T, W>& y) {
  simd::pack<T, W> r;
#if defined(SCOREPATH_SIMD_GENERIC)
  for (int i = 0; i < W; ++i) r.v[i] = math::pow(x.v[i], y.v[i]);
#else
  using N = simd::detail::native_of<T>;
  for (std::size_t off = 0; off < sizeof(r.v); off += sizeof(N)) {
    N a, b;
    std::memcpy(&a, reinterpret_cast<const char*>(&x.v) + off, sizeof(N));
    std::memcpy(&b, reinterpret_cast<const char*>(&y.v) + off, sizeof(N));
    a = simd::detail::native_pow(a, b);
    std::memcpy(reinterpret_cast<char*>(&r.v) + off, &a, sizeof(N));
  }
#endif
  return r;
}

/// Lane-wise choice (the math spelling of simd::select).
template <class T, int W, class Mask>
inline simd::pack<T, W> select(const Mask& mask, const simd::pack<T, W>& a,
                               const simd::pack<T, W>& b) {
  return simd::select(mask, a, b);
}

/// Lane-wise absolute value.
template <class T, int W>
inline simd::pack<T, W> abs(const simd::pack<T, W>& a) {
  return simd::select(a < simd::pack<T, W>(T(0)), -a, a);
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
