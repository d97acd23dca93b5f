/**
 * @file exact_em_moments.hpp
 * @brief Exact mean and variance of the Euler–Maruyama chains of the built-in SDEs.
 *
 * These are the laws of the discrete recursions x_{k+1} = x_k + f(x_k, t_k) h + g(x_k, t_k) √h z_k
 * that simulate_em runs, not of the continuous SDEs, so a simulation matches them within Monte
 * Carlo error at any step size h. Each function gives one component: the built-in SDEs act on
 * each component alike (correlated_gbm's components are each a geometric Brownian motion).
 *
 * @code
 * scorepath::em_report r = scorepath::simulate_em(ctx, rng, gbm, {s0}, opt);
 * const scorepath::em_chain_moments m =
 *     scorepath::exact_em_moments_gbm(s0, mu, sigma, opt.steps, r.step_size);
 * double z = (r.at(0, 0).mean - m.mean) / r.at(0, 0).std_error;
 * @endcode
 */
#pragma once

#include <cstdint>

namespace scorepath {

/// Mean and variance of one component of an Euler–Maruyama chain after some steps.
struct em_chain_moments {
  double mean = 0.0;      ///< E[X_N]
  double variance = 0.0;  ///< Var[X_N]
};

/**
 * @brief The chain x ← a x + b + c √h z with constant coefficients, after @p steps steps from
 *        @p x0: mean a^N x0 + b (1 − a^N)/(1 − a) and variance c²h (1 − a^{2N})/(1 − a²)
 *        (N b and N c²h when a = 1), evaluated without cancellation for a near 1.
 * @param noise_variance c²h, the variance one step adds
 */
em_chain_moments exact_constant_affine_chain(double x0, double a, double b, double noise_variance,
                                             std::uint64_t steps);

/// brownian_motion: x ← x + μh + σ√h z, so mean x0 + Nμh and variance Nσ²h.
em_chain_moments exact_em_moments_brownian_motion(double x0, double mu, double sigma,
                                                  std::uint64_t steps, double h);

/**
 * @brief geometric_brownian_motion (and each component of correlated_gbm):
 *        x ← x (1 + μh + σ√h z), so E[X_N] = x0 (1 + μh)^N and E[X_N²] = x0² ((1 + μh)² + σ²h)^N.
 */
em_chain_moments exact_em_moments_gbm(double x0, double mu, double sigma, std::uint64_t steps,
                                      double h);

/// ornstein_uhlenbeck: x ← x + θ(μ − x)h + σ√h z, an affine chain with a = 1 − θh.
em_chain_moments exact_em_moments_ornstein_uhlenbeck(double x0, double theta, double mu,
                                                     double sigma, std::uint64_t steps, double h);

/**
 * @brief vp_sde: x ← x − ½β(t)x h + √(β(t)h) z with β(t) = β_min + t(β_max − β_min) at
 *        t = t0 + k h; the coefficients change with the step, so this takes O(steps) time.
 */
em_chain_moments exact_em_moments_vp(double x0, double beta_min, double beta_max,
                                     std::uint64_t steps, double t0, double h);

/**
 * @brief ve_sde: x ← x + σ(t)√(2 log(σ_max/σ_min) h) z with σ(t) = σ_min (σ_max/σ_min)^t at
 *        t = t0 + k h; O(steps) time.
 */
em_chain_moments exact_em_moments_ve(double x0, double sigma_min, double sigma_max,
                                     std::uint64_t steps, double t0, double h);

/**
 * @brief langevin driven by isotropic_gaussian_score (the score of N(μ, σ²) per component):
 *        x ← x + h(μ − x)/σ² + √(2h) z, an affine chain with a = 1 − h/σ².
 */
em_chain_moments exact_em_moments_langevin_gaussian(double x0, double mean, double stddev,
                                                    std::uint64_t steps, double h);

}  // namespace scorepath
