/**
 * @file math.hpp
 * @brief Scalar math that compiles for host and device, with one spelling for kernel code.
 *
 * Kernel math calls `scorepath::math::log(x)` and friends; SIMD packs (simd_pack.hpp) and dual
 * numbers supply overloads of the same names, so one kernel body serves every lane type.
 */
#pragma once

#include <cmath>

#include "scorepath/config.hpp"

namespace scorepath::math {

#if defined(__CUDA_ARCH__)
SCOREPATH_HDI float log(float x) { return ::logf(x); }
SCOREPATH_HDI double log(double x) { return ::log(x); }
SCOREPATH_HDI float exp(float x) { return ::expf(x); }
SCOREPATH_HDI double exp(double x) { return ::exp(x); }
SCOREPATH_HDI float sqrt(float x) { return ::sqrtf(x); }
SCOREPATH_HDI double sqrt(double x) { return ::sqrt(x); }
/// sin(πx) and cos(πx).
SCOREPATH_HDI void sincospi(float x, float& s, float& c) { ::sincospif(x, &s, &c); }
SCOREPATH_HDI void sincospi(double x, double& s, double& c) { ::sincospi(x, &s, &c); }
#else
inline float log(float x) { return std::log(x); }
inline double log(double x) { return std::log(x); }
inline float exp(float x) { return std::exp(x); }
inline double exp(double x) { return std::exp(x); }
inline float sqrt(float x) { return std::sqrt(x); }
inline double sqrt(double x) { return std::sqrt(x); }
/// sin(πx) and cos(πx); the float version rounds the double result once.
inline void sincospi(float x, float& s, float& c) {
  const double a = 3.141592653589793 * static_cast<double>(x);
  s = static_cast<float>(std::sin(a));
  c = static_cast<float>(std::cos(a));
}
inline void sincospi(double x, double& s, double& c) {
  s = std::sin(3.141592653589793 * x);
  c = std::cos(3.141592653589793 * x);
}
#endif

/// Larger of two values.
template <class T>
SCOREPATH_HDI T max(T a, T b) {
  return a < b ? b : a;
}
/// Smaller of two values.
template <class T>
SCOREPATH_HDI T min(T a, T b) {
  return b < a ? b : a;
}

}  // namespace scorepath::math

#if !defined(__CUDACC__)
#include "scorepath/simd_pack.hpp"
#endif
