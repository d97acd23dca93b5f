// Helpers shared by the test files: a CPU context, deterministic draws, sample statistics with
// their standard errors, bitwise comparison, the parameter an invalid_argument_error names, and
// test names made of the characters GoogleTest accepts.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/error.hpp"

namespace scorepath::test_support {

/// A CPU context, with @p threads OpenMP threads when positive (else the OpenMP default).
inline context cpu(int threads = 0) {
  context ctx(backend_choice::cpu);
  if (threads > 0) ctx.set_threads(threads);
  return ctx;
}

/// Deterministic uniforms and normals from a fixed seed (own Box–Muller on std::mt19937_64: the
/// same numbers on every standard library).
class test_rng {
 public:
  explicit test_rng(std::uint64_t seed) : gen_(seed) {}
  /// Uniform on (0, 1), never 0 or 1.
  double uniform() { return (static_cast<double>(gen_() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {
    const double u = uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * 3.141592653589793 * v);
  }
  /// An integer in [0, n) (modulo bias is irrelevant for the small n used).
  std::uint64_t below(std::uint64_t n) { return gen_() % n; }

 private:
  std::mt19937_64 gen_;
};

/**
 * A full, exactly symmetric, positive definite D×D matrix (row-major) B Bᵀ + diag(b, b + ½, b + 1,
 * …) with B uniform in ±½ and b = @p diagonal_base: off-diagonal terms everywhere and a spread
 * diagonal.
 */
template <int D>
std::array<double, D * D> random_spd_precision(std::uint64_t seed, double diagonal_base) {
  test_rng g(seed);
  double b[D][D];
  for (auto& row : b)
    for (double& e : row) e = g.uniform(-0.5, 0.5);
  std::array<double, D * D> p{};
  for (int i = 0; i < D; ++i) {
    for (int j = i; j < D; ++j) {
      double s = i == j ? diagonal_base + 0.5 * i : 0.0;
      for (int k = 0; k < D; ++k) s += b[i][k] * b[j][k];
      p[i * D + j] = s;
      p[j * D + i] = s;
    }
  }
  return p;
}

/// Sample mean, its standard error (from the unbiased variance), the variance and the kurtosis.
struct mean_se {
  double mean = 0, se = 0, var = 0, kurtosis = 0;
};

/// mean_se of @p v, by two passes in double.
inline mean_se stats(const std::vector<double>& v) {
  mean_se s;
  const double n = static_cast<double>(v.size());
  for (double x : v) s.mean += x;
  s.mean /= n;
  double m2 = 0, m4 = 0;
  for (double x : v) {
    const double d = x - s.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  s.var = m2 / (n - 1);
  s.se = std::sqrt(s.var / n);
  s.kurtosis = (m4 / n) / ((m2 / n) * (m2 / n));
  return s;
}

/// An estimate and its standard error.
struct estimate {
  double value = 0.0;
  double se = 0.0;
};

/// Mean of f(values[first + i]) for i < n, with its standard error.
template <class T, class F>
estimate mean_of(const std::vector<T>& values, std::size_t first, std::size_t n, F f) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += f(static_cast<double>(values[first + i]));
  const double mean = sum / static_cast<double>(n);
  double m2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = f(static_cast<double>(values[first + i])) - mean;
    m2 += d * d;
  }
  return {mean, std::sqrt(m2 / static_cast<double>(n - 1) / static_cast<double>(n))};
}

/// Sample variance of values[first, first + n) and its standard error. The SE is the standard
/// error of the mean of (x − x̄)², estimated from the data: √((m4 − s²²)/n) with m4 the fourth
/// central sample moment. This makes no normality assumption.
template <class T>
estimate variance_of(const std::vector<T>& values, std::size_t first, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(values[first + i]);
  const double mean = sum / static_cast<double>(n);
  double m2 = 0.0, m4 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(values[first + i]) - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const double nn = static_cast<double>(n);
  const double var = m2 / (nn - 1.0);
  const double biased = m2 / nn;
  return {var, std::sqrt(std::max(m4 / nn - biased * biased, 0.0) / nn)};
}

/// Bitwise equality of two objects of one trivially copyable type (a scalar, a pack, a dual, a
/// plain struct without padding).
template <class R>
bool same_object_bits(const R& a, const R& b) {
  return std::memcmp(&a, &b, sizeof(R)) == 0;
}

/// Bitwise equality of two doubles (tells −0 from +0 and compares NaNs by payload).
inline bool same_bits(double a, double b) { return same_object_bits(a, b); }

/// Bitwise equality of two vectors of doubles.
inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  // memcmp may not be given the null data of an empty vector, even for zero bytes.
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

/// The parameter named by the invalid_argument_error that @p f throws, or "<no error>".
template <class F>
std::string parameter_of(F f) {
  try {
    f();
  } catch (const invalid_argument_error& e) {
    return e.parameter();
  }
  return "<no error>";
}

/// @p text with every character that is not a letter or a digit replaced by '_' (a test name).
inline std::string test_name(std::string text) {
  for (char& ch : text) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return text;
}

}  // namespace scorepath::test_support
