// Convergence orders of Euler–Maruyama, measured path by path on one Brownian path per sample.
//
// em_options::refinement makes a run with `steps` coarse steps and refinement r use, for each
// step, the sum of 2^r fine normal increments, so with the same rng_state every run below sees the
// same Brownian path on a common fine grid of F = base·2^K steps:
//   level k = 0..K: steps = base·2^k, refinement = K − k  (h_k = T/(base·2^k)).
// Errors are then differences of the EM solution and a reference on the same path, whose
// Monte Carlo noise is far smaller than that of independent runs. Orders are the least-squares
// slopes of log(error) against log(h_k). Parameters are chosen so the errors are in their
// asymptotic regime from the coarsest level on (see each test); seeds are fixed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;

/// Least-squares slope of y against x.
double fitted_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0.0, my = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxy / sxx;
}

/// Final states of @p sde from @p x0 on [0, T] with @p steps steps and refinement @p r, using the
/// stream state @p seed (a fresh rng_stream each time, so every call sees the same paths).
template <class Sde>
std::vector<double> final_states(const Sde& sde, double x0, double big_t, std::uint64_t paths,
                                 std::uint64_t steps, unsigned r, std::uint64_t seed) {
  em_options opt;
  opt.paths = paths;
  opt.steps = steps;
  opt.t1 = big_t;
  opt.refinement = r;
  rng_stream rng(seed);
  return simulate_em_to_host(cpu(), rng, sde, {x0}, opt, true, false).final_states;
}

/// W_T per path on the fine grid: EM on standard Brownian motion is exact (x ← x + √h Z), so its
/// final state with F steps and refinement 0 is the sum of the F fine increments every coarser
/// level sums too.
std::vector<double> brownian_endpoints(double big_t, std::uint64_t paths, std::uint64_t fine_steps,
                                       std::uint64_t seed) {
  return final_states(brownian_motion<double, 1>(0.0, 1.0), 0.0, big_t, paths, fine_steps, 0,
                      seed);
}

struct level_errors {
  std::vector<double> log_h;
  std::vector<double> strong;      // mean |X_EM − X_ref|
  std::vector<double> bias;        // mean (X_EM − X_ref)
  std::vector<double> bias_se;     // its standard error
};

/// Runs levels k = 0..K of @p sde on the common fine grid and measures them against @p reference.
template <class Sde>
level_errors measure_levels(const Sde& sde, double x0, double big_t, std::uint64_t paths,
                            std::uint64_t base, unsigned levels_k, unsigned extra_refinement,
                            const std::vector<double>& reference, std::uint64_t seed) {
  level_errors e;
  const double n = static_cast<double>(paths);
  for (unsigned k = 0; k <= levels_k; ++k) {
    const std::uint64_t steps = base << k;
    const auto x = final_states(sde, x0, big_t, paths, steps, levels_k - k + extra_refinement, seed);
    double abs_sum = 0.0, sum = 0.0;
    for (std::size_t p = 0; p < paths; ++p) {
      const double d = x[p] - reference[p];
      abs_sum += std::abs(d);
      sum += d;
    }
    const double mean = sum / n;
    double m2 = 0.0;
    for (std::size_t p = 0; p < paths; ++p) {
      const double d = x[p] - reference[p] - mean;
      m2 += d * d;
    }
    e.log_h.push_back(std::log(big_t / static_cast<double>(steps)));
    e.strong.push_back(abs_sum / n);
    e.bias.push_back(mean);
    e.bias_se.push_back(std::sqrt(m2 / (n - 1.0) / n));
  }
  return e;
}

std::vector<double> logs(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v) out.push_back(std::log(std::abs(x)));
  return out;
}

// -------------------------------------------------------------------------------------------
// GBM strong order 1/2 against the exact solution X_T = x0 exp((μ − σ²/2)T + σW_T) on the same
// Brownian path. log X_EM − log X_exact ≈ −(σ²/2) Σ_k (ΔW_k² − h) + O(h): the leading term has
// standard deviation σ²√(T h/2), so E|X_EM − X_exact| ∝ h^{1/2}. μ is small so that the O(h)
// terms (relative size ~σ√h and μ²√h/σ²) stay below ~10% of the leading one even at h = 1/8.
// Levels h = 1/8 … 1/512 (fine grid 512 steps), 2e4 paths: the strong error at each level has a
// relative SE of ~1% and the levels share their noise, so the fitted slope is accurate to ~0.02.
// Tolerance ±0.1 as asked; an order-1 (e.g. Milstein-like) or order-0 (broken refinement: the
// coarse runs would see different paths, and the error would not decrease) scheme fails by far.
// -------------------------------------------------------------------------------------------
TEST(EmConvergence, GbmStrongOrderIsOneHalf) {
  const double mu = 0.05, sigma = 0.5, x0 = 1.0, big_t = 1.0;
  const std::uint64_t paths = 20'000, base = 8, seed = 1001;
  const unsigned levels_k = 6;
  const std::uint64_t fine = base << levels_k;
  const auto w = brownian_endpoints(big_t, paths, fine, seed);
  std::vector<double> exact(paths);
  for (std::size_t p = 0; p < paths; ++p) {
    exact[p] = x0 * std::exp((mu - 0.5 * sigma * sigma) * big_t + sigma * w[p]);
  }
  const auto e = measure_levels(geometric_brownian_motion<double>(mu, sigma), x0, big_t, paths,
                                base, levels_k, 0, exact, seed);
  for (std::size_t k = 0; k < e.strong.size(); ++k) {
    std::printf("  GBM strong: h = 1/%-4.0f  E|X_EM - X_exact| = %.6g\n", std::exp(-e.log_h[k]),
                e.strong[k]);
  }
  const double slope = fitted_slope(e.log_h, logs(e.strong));
  std::printf("  fitted strong order %.3f\n", slope);
  EXPECT_NEAR(slope, 0.5, 0.1);
  // Sanity: the finest level is already accurate (the exact solution is not a wrong reference):
  // σ²√(T h/2)·E|X|·√(2/π) ≈ 0.007 at h = 1/512.
  EXPECT_LT(e.strong.back(), 0.02);
}

// -------------------------------------------------------------------------------------------
// GBM weak order 1. The weak error E[X_EM] − E[X_exact] is estimated as the mean of
// X_EM − X_exact over paths that share the Brownian path: its variance is O(h) instead of O(1),
// which makes an O(h) bias measurable with 2e4 paths. E[X_exact] = x0 e^{μT} exactly and
// E[X_EM] = x0 (1 + μh)^N exactly, so each level's measured bias must also equal
// x0((1 + μh)^N − e^{μT}) within 5 SE (a check that the measurement is unbiased). μ = 1.5 makes
// the bias (≈ x0 e^{μT} μ²T h/2 ≈ 5h) large against the noise of the difference (SD ≈ x0 e^{μT}
// σ²√(h/2) ≈ 0.29√h): at h = 1/512 the bias is ~100 SE. σ is moderate (0.3) for the same reason.
// Slope tolerance ±0.15 as asked; the exact discrete formula has slope ≈ 0.96 over these levels
// (its next-order term is ≈ −(2/3)μh relative), well inside.
// -------------------------------------------------------------------------------------------
TEST(EmConvergence, GbmWeakOrderIsOne) {
  const double mu = 1.5, sigma = 0.3, x0 = 1.0, big_t = 1.0;
  const std::uint64_t paths = 20'000, base = 8, seed = 2002;
  const unsigned levels_k = 6;
  const std::uint64_t fine = base << levels_k;
  const auto w = brownian_endpoints(big_t, paths, fine, seed);
  std::vector<double> exact(paths);
  for (std::size_t p = 0; p < paths; ++p) {
    exact[p] = x0 * std::exp((mu - 0.5 * sigma * sigma) * big_t + sigma * w[p]);
  }
  const auto e = measure_levels(geometric_brownian_motion<double>(mu, sigma), x0, big_t, paths,
                                base, levels_k, 0, exact, seed);
  for (std::size_t k = 0; k < e.bias.size(); ++k) {
    const double h = std::exp(e.log_h[k]);
    const double n = big_t / h;
    const double formula = x0 * (std::pow(1.0 + mu * h, n) - std::exp(mu * big_t));
    std::printf("  GBM weak: h = 1/%-4.0f  E[X_EM - X_exact] = %.6g +- %.2g (exact %.6g)\n",
                1.0 / h, e.bias[k], e.bias_se[k], formula);
    EXPECT_NEAR(e.bias[k], formula, 5.0 * e.bias_se[k]) << "level h = 1/" << 1.0 / h;
    EXPECT_LT(e.bias[k], 0.0);  // (1 + μh)^N < e^{μT}: EM underestimates the mean
    // The premise of the method: sharing the Brownian path makes the difference's noise small
    // (≈ 0.29√h/√n, under 2% of the bias here; independent paths would give SE ≈ 0.014).
    EXPECT_LT(e.bias_se[k], 0.1 * std::abs(e.bias[k])) << "level h = 1/" << 1.0 / h;
  }
  const double slope = fitted_slope(e.log_h, logs(e.bias));
  std::printf("  fitted weak order %.3f\n", slope);
  EXPECT_NEAR(slope, 1.0, 0.15);
}

// -------------------------------------------------------------------------------------------
// Additive noise (Ornstein–Uhlenbeck): g is constant, the Milstein correction vanishes and EM has
// strong order 1. Reference: EM with 8 times the finest step (refinement 3 below the finest
// level) on the same Brownian path; its own error (~1/8 of the finest level's, and largely the same
// sign) lowers the finest measured errors by at most ~15%, i.e. the slope by < 0.05. θh ≤ 0.25 at
// the coarsest level keeps the deterministic part of the error in its linear regime. Levels
// h = 1/8 … 1/256 on [0, 1], 1e4 paths (relative SE per level ~1%, shared noise across levels).
// Tolerance ±0.15; an order-1/2 scheme (e.g. noise not matching the path) fails by far.
// -------------------------------------------------------------------------------------------
TEST(EmConvergence, OrnsteinUhlenbeckStrongOrderIsOne) {
  const double theta = 2.0, mu = 0.5, sigma = 0.8, x0 = 1.5, big_t = 1.0;
  const std::uint64_t paths = 10'000, base = 8, seed = 3003;
  const unsigned levels_k = 5, extra = 3;
  const ornstein_uhlenbeck<double, 1> ou(theta, mu, sigma);
  const std::uint64_t reference_steps = base << (levels_k + extra);
  const auto reference = final_states(ou, x0, big_t, paths, reference_steps, 0, seed);
  const auto e = measure_levels(ou, x0, big_t, paths, base, levels_k, extra, reference, seed);
  for (std::size_t k = 0; k < e.strong.size(); ++k) {
    std::printf("  OU strong: h = 1/%-4.0f  E|X_EM - X_ref| = %.6g\n", std::exp(-e.log_h[k]),
                e.strong[k]);
  }
  const double slope = fitted_slope(e.log_h, logs(e.strong));
  std::printf("  fitted strong order %.3f\n", slope);
  EXPECT_NEAR(slope, 1.0, 0.15);
}

}  // namespace
}  // namespace scorepath
