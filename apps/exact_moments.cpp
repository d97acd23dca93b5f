// Closed-form moments of the Euler–Maruyama recursions of the built-in SDEs. These are the exact
// laws of the discrete chains, so a simulation matches them within Monte Carlo error at any h.
#include <cmath>

#include "sde_spec.hpp"

namespace scorepath::cli {

double default_x0(const sde_spec& spec) {
  if (spec.name == "gbm" || spec.name == "cgbm") return 1.0;
  return 0.0;
}

namespace {
/// Moments of the affine chain x ← a_k x + b_k + g_k √h z, with a_k, b_k, g_k given per step.
template <class Coefficients>
moments affine_chain(double x0, std::uint64_t steps, Coefficients coeff) {
  double mean = x0, var = 0.0;
  for (std::uint64_t k = 0; k < steps; ++k) {
    double a, b, g2h;
    coeff(k, a, b, g2h);
    mean = a * mean + b;
    var = a * a * var + g2h;
  }
  return {mean, var};
}
}  // namespace

std::optional<moments> exact_em_moments(const sde_spec& spec, int c, std::uint64_t steps, double t0,
                                        double h) {
  // --x0 gives one value for every component or one per component.
  const double x0 = spec.x0.empty()       ? default_x0(spec)
                    : spec.x0.size() == 1 ? spec.x0[0]
                                          : spec.x0[static_cast<std::size_t>(c)];
  const auto n = static_cast<double>(steps);
  if (spec.name == "bm") {
    return moments{x0 + spec.mu * n * h, spec.sigma * spec.sigma * n * h};
  }
  if (spec.name == "gbm" || spec.name == "cgbm") {
    // E[X_N] = x0 (1+μh)^N, E[X_N²] = x0² ((1+μh)² + σ²h)^N.
    const double a = 1.0 + spec.mu * h;
    const double b = a * a + spec.sigma * spec.sigma * h;
    const double mean = x0 * std::pow(a, n);
    return moments{mean, x0 * x0 * std::pow(b, n) - mean * mean};
  }
  if (spec.name == "ou") {
    const double a = 1.0 - spec.theta * h;
    return affine_chain(x0, steps, [&](std::uint64_t, double& ak, double& bk, double& g2h) {
      ak = a;
      bk = spec.theta * spec.mu * h;
      g2h = spec.sigma * spec.sigma * h;
    });
  }
  if (spec.name == "vp") {
    return affine_chain(x0, steps, [&](std::uint64_t k, double& ak, double& bk, double& g2h) {
      const double t = t0 + static_cast<double>(k) * h;
      const double beta = spec.beta_min + t * (spec.beta_max - spec.beta_min);
      ak = 1.0 - 0.5 * beta * h;
      bk = 0.0;
      g2h = beta * h;
    });
  }
  if (spec.name == "ve") {
    const double log_ratio = std::log(spec.sigma_max / spec.sigma_min);
    return affine_chain(x0, steps, [&](std::uint64_t k, double& ak, double& bk, double& g2h) {
      const double t = t0 + static_cast<double>(k) * h;
      const double s = spec.sigma_min * std::exp(t * log_ratio);
      ak = 1.0;
      bk = 0.0;
      g2h = s * s * 2.0 * log_ratio * h;
    });
  }
  if (spec.name == "langevin") {
    // Score of N(μ, σ²): x ← x + h(μ − x)/σ² + √(2h) z.
    const double inv_var = 1.0 / (spec.sigma * spec.sigma);
    return affine_chain(x0, steps, [&](std::uint64_t, double& ak, double& bk, double& g2h) {
      ak = 1.0 - h * inv_var;
      bk = h * spec.mu * inv_var;
      g2h = 2.0 * h;
    });
  }
  return std::nullopt;
}

}  // namespace scorepath::cli
