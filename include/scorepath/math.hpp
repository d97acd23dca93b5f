/**
 * @file math.hpp
 * @brief Scalar math that compiles for host and device, with one spelling for kernel code.
 *
 * Kernel math calls `scorepath::math::log(x)` and friends; SIMD packs (simd_pack.hpp) and dual
 * numbers supply overloads of the same names, so one kernel body serves every lane type. This
 * header brings all of them: the pack overloads, the activations (activations.hpp) and the
 * declarations of the dual-number overloads (defined in dual.hpp), so a model may be written after
 * including only this header or vec.hpp, and dual.hpp may come later.
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
SCOREPATH_HDI float rsqrt(float x) { return ::rsqrtf(x); }
SCOREPATH_HDI double rsqrt(double x) { return ::rsqrt(x); }
SCOREPATH_HDI float log1p(float x) { return ::log1pf(x); }
SCOREPATH_HDI double log1p(double x) { return ::log1p(x); }
SCOREPATH_HDI float expm1(float x) { return ::expm1f(x); }
SCOREPATH_HDI double expm1(double x) { return ::expm1(x); }
SCOREPATH_HDI float tanh(float x) { return ::tanhf(x); }
SCOREPATH_HDI double tanh(double x) { return ::tanh(x); }
SCOREPATH_HDI float sin(float x) { return ::sinf(x); }
SCOREPATH_HDI double sin(double x) { return ::sin(x); }
SCOREPATH_HDI float cos(float x) { return ::cosf(x); }
SCOREPATH_HDI double cos(double x) { return ::cos(x); }
SCOREPATH_HDI float pow(float x, float y) { return ::powf(x, y); }
SCOREPATH_HDI double pow(double x, double y) { return ::pow(x, y); }
SCOREPATH_HDI float abs(float x) { return ::fabsf(x); }
SCOREPATH_HDI double abs(double x) { return ::fabs(x); }
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
inline float rsqrt(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float log1p(float x) { return std::log1p(x); }
inline double log1p(double x) { return std::log1p(x); }
inline float expm1(float x) { return std::expm1(x); }
inline double expm1(double x) { return std::expm1(x); }
inline float tanh(float x) { return std::tanh(x); }
inline double tanh(double x) { return std::tanh(x); }
inline float sin(float x) { return std::sin(x); }
inline double sin(double x) { return std::sin(x); }
inline float cos(float x) { return std::cos(x); }
inline double cos(double x) { return std::cos(x); }
inline float pow(float x, float y) { return std::pow(x, y); }
inline double pow(double x, double y) { return std::pow(x, y); }
inline float abs(float x) { return std::fabs(x); }
inline double abs(double x) { return std::fabs(x); }
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

/// @p a where @p condition holds, else @p b (scalar lanes; packs and duals overload it).
template <class T>
SCOREPATH_HDI T select(bool condition, const T& a, const T& b) {
  return condition ? a : b;
}

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

// The dual-number overloads of the functions above (and of those in activations.hpp) are declared
// here and defined in dual.hpp. Kernel code calls them qualified, `math::tanh(x)`, and a qualified
// call in a template finds only the overloads declared before the template's definition: declaring
// them with the scalar ones lets a model written after this header (or vec.hpp, which includes it)
// take dual numbers whatever the order in which dual.hpp is included.
namespace scorepath {
template <class T, int K>
struct dual;
namespace math {
template <class T, int K>
SCOREPATH_HDI dual<T, K> exp(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> expm1(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> exp_nonpositive(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> log(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> log1p(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> sqrt(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> tanh(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> sin(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> cos(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> pow(const dual<T, K>& a, const T& p);
template <class T, int K>
SCOREPATH_HDI dual<T, K> pow(const dual<T, K>& x, const dual<T, K>& y);
template <class T, int K>
SCOREPATH_HDI dual<T, K> sigmoid(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> softplus(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> silu(const dual<T, K>& a);
template <class T, int K>
SCOREPATH_HDI dual<T, K> elu(const dual<T, K>& a);
template <class T, int K, class Mask>
SCOREPATH_HDI dual<T, K> select(const Mask& mask, const dual<T, K>& a, const dual<T, K>& b);
template <class T, int K>
SCOREPATH_HDI dual<T, K> select(bool condition, const dual<T, K>& a, const dual<T, K>& b);
template <class T, int K>
SCOREPATH_HDI dual<T, K> max(const dual<T, K>& a, const dual<T, K>& b);
template <class T, int K>
SCOREPATH_HDI dual<T, K> abs(const dual<T, K>& a);
}  // namespace math
}  // namespace scorepath

#if !defined(__CUDACC__)
#include "scorepath/simd_pack.hpp"
#endif
// The activations (sigmoid, softplus, silu, elu) are math functions too; after the pack overloads,
// which their bodies call.
#include "scorepath/activations.hpp"

namespace scorepath::math {
/// e^x for x ≤ 0, where a result below the smallest normal number may be 0: the exponential a
/// softmax takes of logits shifted by their maximum. Float CPU packs inline a polynomial
/// (simd_float_math.hpp) instead of calling the vector library; every other lane type is exp.
template <class R>
SCOREPATH_HDI R exp_nonpositive(const R& x) {
  return math::exp(x);
}
}  // namespace scorepath::math
