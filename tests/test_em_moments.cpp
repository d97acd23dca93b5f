// Statistical tests of simulate_em against moments that are exact for the discrete Euler–Maruyama
// recursion (so there is no discretisation bias to allow for), on the CPU backend with fixed seeds.
//
// Tolerances: unless stated otherwise a sample quantity must lie within 5 Monte Carlo standard
// errors of its exact value. The standard errors are estimated from the same sample (the report's
// std_error, or the spread of the per-path values kept with simulate_em_to_host). For a correct
// library a 5-SE miss has probability ~6e-7 per check, and since the seeds are fixed a pass is
// reproducible; every bound is tight enough that a wrong step size, a wrong √h, a wrong time grid,
// a wrong Cholesky factor, a mixed-up component or a wrong discount would fail it (noted per test).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;
using test_support::estimate;
using test_support::mean_of;
using test_support::parameter_of;
using test_support::variance_of;

/// Sample correlation of two equally long slices.
template <class T>
double correlation_of(const std::vector<T>& a, std::size_t ia, const std::vector<T>& b,
                      std::size_t ib, std::size_t n) {
  double ma = 0.0, mb = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += static_cast<double>(a[ia + i]);
    mb += static_cast<double>(b[ib + i]);
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double saa = 0.0, sbb = 0.0, sab = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double da = static_cast<double>(a[ia + i]) - ma;
    const double db = static_cast<double>(b[ib + i]) - mb;
    saa += da * da;
    sbb += db * db;
    sab += da * db;
  }
  return sab / std::sqrt(saa * sbb);
}

/// Standard normal CDF.
double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// -------------------------------------------------------------------------------------------
// Geometric Brownian motion: X_{k+1} = X_k (1 + μh + σ√h Z_k), Z_k iid N(0, 1), so
//   E[X_N]  = x0 (1 + μh)^N,
//   E[X_N²] = x0² ((1 + μh)² + σ²h)^N       (E[(1 + μh + σ√h Z)²] = (1 + μh)² + σ²h).
// σ = 0.5 makes the second moment sensitive to σ²h (a 25% effect over T = 1) while E[X⁴] and
// E[X⁸] stay moderate (~e^1.9, ~e^7.8), so the SE of the sample mean of X² is itself reliable.
// With 2e5 paths 5 SE is ~1.2% of E[X²] and ~0.6% of E[X]: a wrong √h (e.g. h) or drift scaling
// fails by far.
// -------------------------------------------------------------------------------------------
template <class T>
void expect_gbm_moments_exact(std::uint64_t seed) {
  const T mu = T(0.1), sigma = T(0.5);
  const geometric_brownian_motion<T> gbm(mu, sigma);
  const double x0 = 2.0;
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 64;
  opt.t1 = 1.0;  // h = 1/64, exact in float too
  opt.statistics = true;
  rng_stream rng(seed);
  const auto run = simulate_em_to_host(cpu(), rng, gbm, {static_cast<T>(x0)}, opt,
                                       /*keep_final=*/true, /*keep_saved=*/false);
  // The parameters as the run sees them (0.1f is not 0.1).
  const double m = static_cast<double>(mu), s = static_cast<double>(sigma);
  const double h = 1.0 / 64.0;
  const double n = 64.0;
  const double mean_exact = x0 * std::pow(1.0 + m * h, n);
  const double second_exact = x0 * x0 * std::pow((1.0 + m * h) * (1.0 + m * h) + s * s * h, n);

  const moment_summary& stats = run.report.at(0, 0);
  ASSERT_EQ(stats.count, opt.paths);
  EXPECT_NEAR(stats.mean, mean_exact, 5.0 * stats.std_error)
      << "E[X_N] should be x0(1+μh)^N = " << mean_exact;

  const estimate second =
      mean_of(run.final_states, 0, opt.paths, [](double x) { return x * x; });
  EXPECT_NEAR(second.value, second_exact, 5.0 * second.se)
      << "E[X_N^2] should be x0^2((1+μh)^2+σ^2 h)^N = " << second_exact;
  // The variance the report gives is consistent with the same two moments.
  const double var_exact = second_exact - mean_exact * mean_exact;
  const estimate var = variance_of(run.final_states, 0, opt.paths);
  EXPECT_NEAR(stats.variance, var_exact, 5.0 * var.se);
}

TEST(EmMoments, GbmDoubleMeanAndSecondMomentAreTheExactEmValues) {
  expect_gbm_moments_exact<double>(20240611);
}

TEST(EmMoments, GbmFloatMeanAndSecondMomentAreTheExactEmValues) {
  // Float paths accumulate ~64 roundings of relative 6e-8 each: ~1e-5 relative at worst, far
  // below the 5-SE bounds (~1e-2 relative), so the same exact formulas apply.
  expect_gbm_moments_exact<float>(777);
}

// -------------------------------------------------------------------------------------------
// Ornstein–Uhlenbeck: Y_k = X_k − μ obeys Y_{k+1} = a Y_k + σ√h Z_k with a = 1 − θh, so
//   E[X_N]   = μ + a^N (x0 − μ),
//   Var[X_N] = σ²h (1 − a^{2N}) / (1 − a²)     (exact for every N; → σ²/(θ(2 − θh)) as N → ∞).
// θh = 0.1875 is coarse on purpose: the EM stationary variance is then 1/(1 − θh/2) ≈ 10.3%
// above the continuous-time value σ²/(2θ), which is ~30 SE away, so the test tells the discrete
// recursion from the SDE (checked below as a power check).
// -------------------------------------------------------------------------------------------
TEST(EmMoments, OrnsteinUhlenbeckVarianceIsTheExactDiscreteValue) {
  const double theta = 1.5, mu = 0.5, sigma = 0.8;
  const ornstein_uhlenbeck<double, 1> ou(theta, mu, sigma);
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 64;
  opt.t1 = 8.0;  // h = 0.125, θh = 0.1875, a^{2N} ≈ 3e-12: effectively stationary
  opt.statistics = true;
  rng_stream rng(4242);
  const auto run = simulate_em_to_host(cpu(), rng, ou, {mu}, opt, true, false);
  const double h = 0.125, a = 1.0 - theta * h;
  const double var_exact = sigma * sigma * h * (1.0 - std::pow(a, 128.0)) / (1.0 - a * a);
  const double var_stationary = sigma * sigma / (theta * (2.0 - theta * h));
  ASSERT_NEAR(var_exact, var_stationary, 1e-10);  // the two exact forms agree here

  const moment_summary& stats = run.report.at(0, 0);
  EXPECT_NEAR(stats.mean, mu, 5.0 * stats.std_error);  // started at μ: the mean stays μ
  const estimate var = variance_of(run.final_states, 0, opt.paths);
  EXPECT_NEAR(var.value, var_exact, 5.0 * var.se);
  EXPECT_NEAR(stats.variance, var.value, 1e-9 * var.value);  // report and kept states agree
  // Power check: the continuous-time stationary variance σ²/(2θ) is rejected by the same bound.
  EXPECT_GT(std::abs(var.value - sigma * sigma / (2.0 * theta)), 5.0 * var.se);
}

// D = 8 with different parameters per component and x0 ≠ μ, so the mean still decays at the
// exact discrete rate a_i^N and any mix-up of components (parameters or noise) shows. Components
// must also be uncorrelated (diagonal noise draws one independent normal per component): the
// sample correlation of each of the 28 pairs is within 5/√n of 0 (its SE for independent
// components is 1/√n).
TEST(EmMoments, OrnsteinUhlenbeckEightComponentsHaveTheirOwnExactMoments) {
  constexpr int D = 8;
  const std::array<double, D> theta{0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
  const std::array<double, D> mu{-1.0, 0.0, 1.0, 2.0, -2.0, 0.5, 3.0, -0.5};
  const std::array<double, D> sigma{0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6};
  const std::vector<double> x0{1.0, -1.0, 0.0, 4.0, 0.0, 2.5, 0.0, 1.5};
  const ornstein_uhlenbeck<double, D> ou(theta, mu, sigma);
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 40;
  opt.t1 = 2.0;  // h = 0.05, θh ≤ 0.2
  opt.statistics = true;
  rng_stream rng(99);
  const auto run = simulate_em_to_host(cpu(), rng, ou, x0, opt, true, false);
  const double h = 0.05, n = 40.0;
  const std::size_t paths = opt.paths;
  for (int c = 0; c < D; ++c) {
    const double a = 1.0 - theta[c] * h;
    const double mean_exact = mu[c] + std::pow(a, n) * (x0[c] - mu[c]);
    const double var_exact =
        sigma[c] * sigma[c] * h * (1.0 - std::pow(a, 2.0 * n)) / (1.0 - a * a);
    const moment_summary& stats = run.report.at(0, c);
    EXPECT_NEAR(stats.mean, mean_exact, 5.0 * stats.std_error) << "component " << c;
    const estimate var = variance_of(run.final_states, c * paths, paths);
    EXPECT_NEAR(var.value, var_exact, 5.0 * var.se) << "component " << c;
  }
  const double corr_bound = 5.0 / std::sqrt(static_cast<double>(paths));
  for (int i = 0; i < D; ++i) {
    for (int j = i + 1; j < D; ++j) {
      EXPECT_NEAR(correlation_of(run.final_states, i * paths, run.final_states, j * paths, paths),
                  0.0, corr_bound)
          << "components " << i << ", " << j;
    }
  }
}

// -------------------------------------------------------------------------------------------
// Can noise change a long-term trend? GBM with μ = 0.05 < σ²/2 = 0.125: the mean grows like
// e^{μt} while log X_t = log x0 + (μ − σ²/2)t + σW_t drifts to −∞, so almost every path decays
// (P(X_T < x0) = Φ((σ²/2 − μ)√T/σ) → 1). The mean is carried by ever rarer, ever larger paths.
//
// (a) Growth of the mean is checked at t = 8 (save step 256): there log X has variance σ²t = 2,
//     mild enough for 1e5 paths to estimate the mean and its SE reliably (skewness of the sample
//     mean ≈ 0.08). At T = 100 the log-variance is 25 and a sample mean of 1e5 paths is dominated
//     by the few largest paths and typically far below E[X_T] = e^5 ≈ 148, so no SE-based bound is
//     meaningful there — which is the point of the example. At t = 8 the mean already exceeds x0
//     by >30 SE while ~2/3 of the paths are below x0.
// (b) Decay at T = 100 (h = 1/32, N = 3200): the fraction of paths below x0 against
//     (i) the continuous formula Φ(1.5) ≈ 0.933, with a loose tolerance of 0.02 since EM changes
//         the log-drift per unit time by O(h) (≈ −0.0015, ~2% of 0.075);
//     (ii) the EM prediction Φ(−N m_h/√(N v_h)) with m_h, v_h the mean and variance of
//         log(1 + μh + σ√h Z) computed by quadrature; log X_N − log x0 is a sum of N iid such
//         terms, so by the CLT (skewness of the sum ≈ 0.005, Edgeworth correction ~1e-4) this is
//         accurate to ~1e-3; the bound is 5 binomial SEs + 2e-3.
//     The median must be far below x0 (< 1e-2 x0; continuous value e^{−7.5} ≈ 5.5e-4) and its
//     log within 0.5 of (μ − σ²/2)T = −7.5 (EM shift ≈ −0.15, sampling SE of log-median ≈ 0.02).
// -------------------------------------------------------------------------------------------

/// E[g(log(1 + μh + σ√h Z))] for g = identity and square, by composite Simpson on z ∈ [−9, 9]
/// (the normal mass outside is 2e-19; 1 + μh + σ√h z > 0 there for the parameters used).
std::array<double, 2> em_log_increment_moments(double mu, double sigma, double h) {
  const int intervals = 20000;
  const double lo = -9.0, hi = 9.0, dz = (hi - lo) / intervals;
  const double inv_sqrt_2pi = 0.3989422804014327;
  double s1 = 0.0, s2 = 0.0;
  for (int i = 0; i <= intervals; ++i) {
    const double z = lo + i * dz;
    const double w = (i == 0 || i == intervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    const double l = std::log(1.0 + mu * h + sigma * std::sqrt(h) * z);
    const double phi = inv_sqrt_2pi * std::exp(-0.5 * z * z);
    s1 += w * phi * l;
    s2 += w * phi * l * l;
  }
  return {s1 * dz / 3.0, s2 * dz / 3.0};
}

TEST(EmMoments, GbmMeanGrowsWhileAlmostEveryPathDecays) {
  const double mu = 0.05, sigma = 0.5, x0 = 1.0, big_t = 100.0;
  const geometric_brownian_motion<double> gbm(mu, sigma);
  em_options opt;
  opt.paths = 100'000;
  opt.steps = 3200;  // h = 1/32
  opt.t1 = big_t;
  opt.save_steps = {256, 3200};  // t = 8 and t = 100
  opt.statistics = true;
  rng_stream rng(2718);
  const auto run = simulate_em_to_host(cpu(), rng, gbm, {x0}, opt, false, true);
  const double h = 1.0 / 32.0;
  const std::size_t paths = opt.paths;

  // (a) the mean grows: E[X_256] = x0 (1 + μh)^256 ≈ e^{0.4} x0.
  const moment_summary& early = run.report.at(0, 0);
  const double mean_exact = x0 * std::pow(1.0 + mu * h, 256.0);
  EXPECT_NEAR(early.mean, mean_exact, 5.0 * early.std_error);
  EXPECT_GT(early.mean - 5.0 * early.std_error, x0) << "the mean must have grown by t = 8";
  const auto below_x0 = [&](std::size_t save) {
    const auto first = run.saved_states.begin() + static_cast<std::ptrdiff_t>(save * paths);
    return static_cast<double>(std::count_if(first, first + static_cast<std::ptrdiff_t>(paths),
                                             [&](double x) { return x < x0; })) /
           static_cast<double>(paths);
  };
  // ... while most paths are already below x0 (continuous: Φ(0.075·√8/0.5) ≈ 0.66).
  EXPECT_GT(below_x0(0), 0.6);

  // (b) almost every path decays by T = 100.
  const double p_below = below_x0(1);
  const double p_continuous = normal_cdf((0.5 * sigma * sigma - mu) * std::sqrt(big_t) / sigma);
  const auto m = em_log_increment_moments(mu, sigma, h);
  const double n = 3200.0;
  const double v = m[1] - m[0] * m[0];
  const double p_em = normal_cdf(-n * m[0] / std::sqrt(n * v));
  const double p_se = std::sqrt(p_em * (1.0 - p_em) / static_cast<double>(paths));
  EXPECT_GT(p_below, 0.9);
  EXPECT_NEAR(p_below, p_continuous, 0.02) << "continuous-time P(X_T < x0)";
  EXPECT_NEAR(p_below, p_em, 5.0 * p_se + 2e-3) << "EM prediction by the CLT";

  std::vector<double> last(run.saved_states.begin() + static_cast<std::ptrdiff_t>(paths),
                           run.saved_states.end());
  std::nth_element(last.begin(), last.begin() + static_cast<std::ptrdiff_t>(paths / 2),
                   last.end());
  const double median = last[paths / 2];
  EXPECT_LT(median, 1e-2 * x0);
  EXPECT_GT(median, 0.0);
  EXPECT_NEAR(std::log(median / x0), (mu - 0.5 * sigma * sigma) * big_t, 0.5);
}

// -------------------------------------------------------------------------------------------
// Reducer: the discounted call payoff on GBM under the risk-neutral drift μ = r, T = 0.75 (not 1,
// so that a discount ignoring the maturity would show).
//
// (1) The reducer's mean and SE equal those of e^{−rT} max(X_N − K, 0) computed here from the
//     final states of the same run (to rounding: relative 1e-12 for the mean). This pins the
//     payoff, strike and discount exactly.
// (2) The mean matches Black–Scholes within 5 SE + a discretisation allowance of 0.01. No
//     closed form exists for the discrete EM call price, but the EM law is close to the lognormal
//     one: its first two moments differ by relative ~(r²T/2)h ≈ 1e-5 and ≈ 3e-5 at h = 1/128,
//     which moves the price by ~1e-3 ≪ 0.01 ≪ 5 SE (≈ 0.14). A wrong drift or volatility
//     (e.g. σ√h replaced by σh) moves the price by far more.
// -------------------------------------------------------------------------------------------
double black_scholes_call(double s0, double strike, double rate, double vol, double maturity) {
  const double d1 = (std::log(s0 / strike) + (rate + 0.5 * vol * vol) * maturity) /
                    (vol * std::sqrt(maturity));
  const double d2 = d1 - vol * std::sqrt(maturity);
  return s0 * normal_cdf(d1) - strike * std::exp(-rate * maturity) * normal_cdf(d2);
}

TEST(EmMoments, DiscountedCallPayoffMatchesBlackScholes) {
  // The formula against the textbook value (S = K = 100, r = 5%, σ = 20%, T = 1: 10.4506).
  ASSERT_NEAR(black_scholes_call(100.0, 100.0, 0.05, 0.2, 1.0), 10.4506, 1e-4);

  const double s0 = 100.0, strike = 100.0, rate = 0.05, vol = 0.2, maturity = 0.75;
  const geometric_brownian_motion<double> gbm(rate, vol);
  const discounted_call_payoff<double> payoff(strike, rate, maturity);
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 96;  // h = 1/128
  opt.t1 = maturity;
  rng_stream rng(31337);
  const auto run = simulate_em_to_host(cpu(), rng, gbm, {s0}, opt, true, false, payoff);
  ASSERT_TRUE(run.report.reducer.has_value());
  const moment_summary& r = *run.report.reducer;
  ASSERT_EQ(r.count, opt.paths);

  const double discount = std::exp(-rate * maturity);
  const estimate mine = mean_of(run.final_states, 0, opt.paths,
                                [&](double x) { return discount * std::max(x - strike, 0.0); });
  EXPECT_NEAR(r.mean, mine.value, 1e-12 * mine.value);
  EXPECT_NEAR(r.std_error, mine.se, 1e-9 * mine.se);

  EXPECT_NEAR(r.mean, black_scholes_call(s0, strike, rate, vol, maturity),
              5.0 * r.std_error + 0.01);
}

// -------------------------------------------------------------------------------------------
// Correlated GBM, one step: X_i = x0_i (1 + μ_i h + σ_i √h (L Z)_i), so the standardised returns
// e_i = (X_i/x0_i − 1 − μ_i h)/(σ_i √h) = (L Z)_i are exactly N(0, ρ) (an affine map of the step's
// noise; the log-return would only be approximately so). Checked: mean 0 and variance 1 within
// 5 SE, and every sample correlation within 5 SE of ρ_ij, SE = (1 − ρ²)/√n (the asymptotic SE of
// a normal sample correlation). Using Lᵀ instead of L, or a wrong √h, changes a variance by
// ρ² or more; dropping the correlation changes it by ρ.
// -------------------------------------------------------------------------------------------
template <int D>
void expect_one_step_correlation(const std::array<double, D>& mu, const std::array<double, D>& sigma,
                                 const std::array<double, D * D>& rho, const std::vector<double>& x0,
                                 std::uint64_t seed) {
  const correlated_gbm<double, D> gbm(mu, sigma, rho);
  em_options opt;
  opt.paths = 100'000;
  opt.steps = 1;
  opt.t1 = 0.25;
  rng_stream rng(seed);
  const auto run = simulate_em_to_host(cpu(), rng, gbm, x0, opt, true, false);
  const std::size_t paths = opt.paths;
  const double h = 0.25;
  std::vector<double> e(D * paths);
  for (int i = 0; i < D; ++i) {
    for (std::size_t p = 0; p < paths; ++p) {
      e[i * paths + p] =
          (run.final_states[i * paths + p] / x0[i] - 1.0 - mu[i] * h) / (sigma[i] * std::sqrt(h));
    }
  }
  const double n = static_cast<double>(paths);
  for (int i = 0; i < D; ++i) {
    const estimate mean = mean_of(e, i * paths, paths, [](double x) { return x; });
    EXPECT_NEAR(mean.value, 0.0, 5.0 * mean.se) << "component " << i;
    const estimate var = variance_of(e, i * paths, paths);
    EXPECT_NEAR(var.value, 1.0, 5.0 * var.se) << "component " << i;
    for (int j = i + 1; j < D; ++j) {
      const double r = rho[i * D + j];
      EXPECT_NEAR(correlation_of(e, i * paths, e, j * paths, paths), r,
                  5.0 * (1.0 - r * r) / std::sqrt(n))
          << "pair " << i << ", " << j;
    }
  }
}

TEST(EmMoments, CorrelatedGbmOneStepReturnsHaveTheRequestedCorrelation) {
  expect_one_step_correlation<2>({0.1, -0.2}, {0.3, 0.5}, {1.0, 0.6, 0.6, 1.0}, {100.0, 50.0},
                                 123);
  expect_one_step_correlation<2>({0.0, 0.0}, {0.2, 0.2}, {1.0, -0.8, -0.8, 1.0}, {1.0, 1.0}, 124);
  // Four assets (a positive definite matrix with mixed signs): the full lower factor is used.
  expect_one_step_correlation<4>({0.05, 0.0, -0.05, 0.1}, {0.2, 0.3, 0.4, 0.5},
                                 {1.0, 0.5, 0.3, -0.2,  //
                                  0.5, 1.0, 0.4, 0.1,   //
                                  0.3, 0.4, 1.0, 0.25,  //
                                  -0.2, 0.1, 0.25, 1.0},
                                 {1.0, 2.0, 3.0, 4.0}, 125);
}

TEST(EmMoments, CorrelatedGbmRejectsCorrelationThatIsNotPositiveDefinite) {
  const std::array<double, 2> mu2{0.0, 0.0}, sigma2{0.2, 0.3};
  // |ρ| > 1: indefinite.
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu2, sigma2, {1.0, 1.2, 1.2, 1.0}); }),
            "correlation");
  // ρ = 1: only semi-definite.
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu2, sigma2, {1.0, 1.0, 1.0, 1.0}); }),
            "correlation");
  // Every pair valid (|ρ| = 0.5) but the 4×4 matrix has eigenvalue 1 − 3·0.5 < 0.
  const std::array<double, 4> mu4{0, 0, 0, 0}, sigma4{0.2, 0.2, 0.2, 0.2};
  EXPECT_EQ(parameter_of([&] {
              correlated_gbm<double, 4>(mu4, sigma4,
                                        {1.0, -0.5, -0.5, -0.5, -0.5, 1.0, -0.5, -0.5,  //
                                         -0.5, -0.5, 1.0, -0.5, -0.5, -0.5, -0.5, 1.0});
            }),
            "correlation");
  // A valid matrix is accepted (the check is not vacuous).
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu2, sigma2, {1.0, 0.99, 0.99, 1.0}); }),
            "<no error>");
}

// -------------------------------------------------------------------------------------------
// VP SDE: X_{k+1} = (1 − ½β(t_k)h) X_k + √(β(t_k)h) Z_k with t_k = t0 + kh, so
//   E[X_N]   = x0 Π_k (1 − ½β(t_k)h),
//   Var[X_N] = Σ_k β(t_k)h Π_{j>k} (1 − ½β(t_j)h)²,
// computed below by loops. The grid is coarse (N = 10 on [0.25, 0.75], ½βh up to 0.38) and starts
// at t0 ≠ 0, so evaluating β at the right end of a step, or ignoring t0, changes the mean by a
// factor of ~2 or more and fails. Component 0 starts at 0 (mean 0), component 1 at 3.
// -------------------------------------------------------------------------------------------
TEST(EmMoments, VpSdeMeanAndVarianceAreTheExactDiscreteValues) {
  const double beta_min = 0.1, beta_max = 20.0;
  const vp_sde<double, 2> vp(beta_min, beta_max);
  const std::vector<double> x0{0.0, 3.0};
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 10;
  opt.t0 = 0.25;
  opt.t1 = 0.75;
  opt.statistics = true;
  rng_stream rng(5150);
  const auto run = simulate_em_to_host(cpu(), rng, vp, x0, opt, true, false);

  const double h = (opt.t1 - opt.t0) / 10.0;
  double factor = 1.0, var_exact = 0.0;
  for (int k = 0; k < 10; ++k) {
    const double t = opt.t0 + k * h;
    const double beta = beta_min + t * (beta_max - beta_min);
    const double a = 1.0 - 0.5 * beta * h;
    factor *= a;
    var_exact = a * a * var_exact + beta * h;  // Σ_k β_k h Π_{j>k} a_j², accumulated forward
  }
  for (int c = 0; c < 2; ++c) {
    const moment_summary& stats = run.report.at(0, c);
    EXPECT_NEAR(stats.mean, x0[c] * factor, 5.0 * stats.std_error) << "component " << c;
    const estimate var = variance_of(run.final_states, c * opt.paths, opt.paths);
    EXPECT_NEAR(var.value, var_exact, 5.0 * var.se) << "component " << c;
  }
}

// -------------------------------------------------------------------------------------------
// Statistics mode agrees with the saved states: for every save point and component, the report's
// count, mean, min, max (and variance, SE) equal those computed here from saved_states of the same
// run. The path count is not a multiple of the 1024-path reduction block and chunks are forced, so
// block merging and partial blocks are exercised. Mean: relative 1e-12 of the spread (only the
// summation order differs); min/max: exact (they are the same stored values).
// -------------------------------------------------------------------------------------------
template <class T>
void expect_statistics_match_saved_states() {
  constexpr int D = 8;
  const ornstein_uhlenbeck<T, D> ou(T(1.5), T(3.0), T(0.7));
  const std::vector<T> x0(D, T(1.0));
  em_options opt;
  opt.paths = 5'017;
  opt.steps = 20;
  opt.t1 = 1.0;
  opt.save_steps = {1, 7, 20};
  opt.statistics = true;
  opt.chunk_paths = 2048;
  rng_stream rng(64);
  const auto run = simulate_em_to_host(cpu(), rng, ou, x0, opt, false, true);
  const std::size_t paths = opt.paths;
  ASSERT_EQ(run.report.statistics.size(), opt.save_steps.size() * D);
  for (std::size_t s = 0; s < opt.save_steps.size(); ++s) {
    for (int c = 0; c < D; ++c) {
      const std::size_t first = (s * D + static_cast<std::size_t>(c)) * paths;
      const estimate mean =
          mean_of(run.saved_states, first, paths, [](double x) { return x; });
      const estimate var = variance_of(run.saved_states, first, paths);
      const auto begin = run.saved_states.begin() + static_cast<std::ptrdiff_t>(first);
      const auto [lo, hi] = std::minmax_element(begin, begin + static_cast<std::ptrdiff_t>(paths));
      const moment_summary& stats = run.report.at(s, c);
      const double spread = std::sqrt(var.value);
      EXPECT_EQ(stats.count, opt.paths);
      EXPECT_NEAR(stats.mean, mean.value, 1e-12 * (std::abs(mean.value) + spread))
          << "save " << s << " component " << c;
      EXPECT_NEAR(stats.variance, var.value, 1e-10 * var.value);
      EXPECT_NEAR(stats.std_error, mean.se, 1e-10 * mean.se);
      EXPECT_EQ(stats.min, static_cast<double>(*lo)) << "save " << s << " component " << c;
      EXPECT_EQ(stats.max, static_cast<double>(*hi)) << "save " << s << " component " << c;
    }
  }
}

TEST(EmMoments, StatisticsAgreeWithSavedStatesDouble) {
  expect_statistics_match_saved_states<double>();
}

TEST(EmMoments, StatisticsAgreeWithSavedStatesFloat) {
  expect_statistics_match_saved_states<float>();
}

}  // namespace
}  // namespace scorepath
