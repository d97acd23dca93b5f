// Closed forms of the Euler–Maruyama chains of the built-in SDEs (exact_em_moments.hpp).
#include "scorepath/exact_em_moments.hpp"

#include <cmath>

namespace scorepath {

namespace {

/// Mean and variance of the chain x ← a_k x + b_k + √(v_k) z, with (a_k, b_k, v_k) = coeff(k).
template <class Coefficients>
em_chain_moments step_by_step(double x0, std::uint64_t steps, Coefficients coeff) {
  double mean = x0, var = 0.0;
  for (std::uint64_t k = 0; k < steps; ++k) {
    double a = 1.0, b = 0.0, v = 0.0;
    coeff(k, a, b, v);
    mean = a * mean + b;
    var = a * a * var + v;
  }
  return {mean, var};
}

/// (1 − a^n) / (1 − a), also for a at or near 1 and for a ≤ 0.
double geometric_sum(double a, double n) {
  if (a == 1.0) return n;
  if (a > 0.0) {
    const double log_a = std::log1p(a - 1.0);  // a − 1 is exact for a in [½, 2]
    return std::expm1(n * log_a) / std::expm1(log_a);
  }
  return (1.0 - std::pow(a, n)) / (1.0 - a);
}

}  // namespace

em_chain_moments exact_constant_affine_chain(double x0, double a, double b, double noise_variance,
                                             std::uint64_t steps) {
  const double n = static_cast<double>(steps);
  const double a_n = std::pow(a, n);
  return {a_n * x0 + b * geometric_sum(a, n), noise_variance * geometric_sum(a * a, n)};
}

em_chain_moments exact_em_moments_brownian_motion(double x0, double mu, double sigma,
                                                  std::uint64_t steps, double h) {
  const double n = static_cast<double>(steps);
  return {x0 + mu * n * h, sigma * sigma * n * h};
}

em_chain_moments exact_em_moments_gbm(double x0, double mu, double sigma, std::uint64_t steps,
                                      double h) {
  const double n = static_cast<double>(steps);
  const double a = 1.0 + mu * h;
  const double second = a * a + sigma * sigma * h;
  const double mean = x0 * std::pow(a, n);
  return {mean, x0 * x0 * std::pow(second, n) - mean * mean};
}

em_chain_moments exact_em_moments_ornstein_uhlenbeck(double x0, double theta, double mu,
                                                     double sigma, std::uint64_t steps, double h) {
  return exact_constant_affine_chain(x0, 1.0 - theta * h, theta * mu * h, sigma * sigma * h,
                                     steps);
}

em_chain_moments exact_em_moments_vp(double x0, double beta_min, double beta_max,
                                     std::uint64_t steps, double t0, double h) {
  return step_by_step(x0, steps, [&](std::uint64_t k, double& a, double& b, double& v) {
    const double t = t0 + static_cast<double>(k) * h;
    const double beta = beta_min + t * (beta_max - beta_min);
    a = 1.0 - 0.5 * beta * h;
    b = 0.0;
    v = beta * h;
  });
}

em_chain_moments exact_em_moments_ve(double x0, double sigma_min, double sigma_max,
                                     std::uint64_t steps, double t0, double h) {
  const double log_ratio = std::log(sigma_max / sigma_min);
  return step_by_step(x0, steps, [&](std::uint64_t k, double& a, double& b, double& v) {
    const double t = t0 + static_cast<double>(k) * h;
    const double s = sigma_min * std::exp(t * log_ratio);
    a = 1.0;
    b = 0.0;
    v = s * s * 2.0 * log_ratio * h;
  });
}

em_chain_moments exact_em_moments_langevin_gaussian(double x0, double mean, double stddev,
                                                    std::uint64_t steps, double h) {
  const double inv_var = 1.0 / (stddev * stddev);
  return exact_constant_affine_chain(x0, 1.0 - h * inv_var, h * mean * inv_var, 2.0 * h, steps);
}

}  // namespace scorepath
