// simulate_em with coefficients that depend on time, against moments that are exact for the
// discrete Euler–Maruyama chain, derived here by recursions over the time grid t_k = t0 + k·h:
// the VE SDE (diffusion depends on t) and an SDE written here whose drift and diffusion both
// depend on t, with multiplicative noise. CPU backend, fixed seeds; a sample quantity must lie
// within 5 Monte Carlo standard errors of its exact value (a false alarm has probability ~6e-7 per
// check). The grids are coarse and start at t0 ≠ 0, so evaluating the coefficients at the end of a
// step, or ignoring t0, moves the moments by many standard errors; each test asserts that too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;
using test_support::estimate;
using test_support::variance_of;

/// Mean and variance of one component of the chain after N steps.
struct chain_moments {
  double mean = 0, variance = 0;
};

/// Which time the coefficients of step k are evaluated at (only `left` is Euler–Maruyama; the
/// others are the mistakes the tests must be able to tell).
enum class step_time { left, right, ignoring_t0 };

double time_of_step(step_time which, double t0, double h, int k) {
  switch (which) {
    case step_time::left: return t0 + k * h;
    case step_time::right: return t0 + (k + 1) * h;
    case step_time::ignoring_t0: return k * h;
  }
  return NAN;
}

/// The run's mean and variance of component c against @p exact, within 5 SE each, and proof that
/// each of @p wrong is rejected by the same bounds.
template <class T>
void expect_moments(const em_host_result<T>& run, int c, std::size_t paths,
                    const chain_moments& exact, const std::vector<chain_moments>& wrong,
                    const std::string& what) {
  const moment_summary& stats = run.report.at(0, c);
  ASSERT_EQ(stats.count, paths);
  const estimate var = variance_of(run.final_states, static_cast<std::size_t>(c) * paths, paths);
  EXPECT_NEAR(stats.mean, exact.mean, 5.0 * stats.std_error) << what << ": mean";
  EXPECT_NEAR(var.value, exact.variance, 5.0 * var.se) << what << ": variance";
  for (const chain_moments& w : wrong) {
    EXPECT_TRUE(std::fabs(var.value - w.variance) > 5.0 * var.se ||
                std::fabs(stats.mean - w.mean) > 5.0 * stats.std_error)
        << what << ": the check cannot tell a wrong time grid (mean " << w.mean << ", variance "
        << w.variance << ")";
  }
}

// -------------------------------------------------------------------------------------------
// VE SDE: dx = g(t) dW with g(t) = σ(t)√(2 ln(σ_max/σ_min)), σ(t) = σ_min (σ_max/σ_min)^t. The
// chain is X_{k+1} = X_k + g(t_k)√h Z_k, so
//   E[X_N] = x0,   Var[X_N] = Σ_k g(t_k)² h.
// On [0.2, 0.9] with N = 7, g² grows by (σ_max/σ_min)^{2h} ≈ 5.5 per step: a right-end grid gives
// 5.5 times the variance, and the continuous value σ(t1)² − σ(t0)² is ~2.6 times the EM value.
// -------------------------------------------------------------------------------------------
chain_moments ve_moments(double sigma_min, double sigma_max, double x0, double t0, double h,
                         int steps, step_time which) {
  const double log_ratio = std::log(sigma_max / sigma_min);
  chain_moments m{x0, 0.0};
  for (int k = 0; k < steps; ++k) {
    const double t = time_of_step(which, t0, h, k);
    const double sigma = sigma_min * std::exp(t * log_ratio);
    m.variance += sigma * sigma * 2.0 * log_ratio * h;
  }
  return m;
}

template <class T>
void expect_ve_moments(std::uint64_t seed) {
  const T sigma_min = T(0.01), sigma_max = T(50);
  const ve_sde<T, 2> ve(sigma_min, sigma_max);
  const std::vector<T> x0{T(0), T(3)};
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 7;
  opt.t0 = 0.2;
  opt.t1 = 0.9;
  opt.statistics = true;
  rng_stream rng(seed);
  const auto run = simulate_em_to_host(cpu(), rng, ve, x0, opt, true, false);
  const double h = (opt.t1 - opt.t0) / 7.0;
  const double smin = static_cast<double>(sigma_min), smax = static_cast<double>(sigma_max);
  for (int c = 0; c < 2; ++c) {
    const double x = static_cast<double>(x0[c]);
    const chain_moments exact = ve_moments(smin, smax, x, opt.t0, h, 7, step_time::left);
    const double continuous = std::exp(2 * opt.t1 * std::log(smax / smin)) * smin * smin -
                              std::exp(2 * opt.t0 * std::log(smax / smin)) * smin * smin;
    expect_moments(run, c, opt.paths, exact,
                   {ve_moments(smin, smax, x, opt.t0, h, 7, step_time::right),
                    ve_moments(smin, smax, x, opt.t0, h, 7, step_time::ignoring_t0),
                    chain_moments{x, continuous}},
                   "VE component " + std::to_string(c));
  }
}

TEST(EmTimeDependent, VeSdeDoubleMomentsAreTheExactDiscreteValues) { expect_ve_moments<double>(606); }

TEST(EmTimeDependent, VeSdeFloatMomentsAreTheExactDiscreteValues) {
  // Float paths carry ~7 roundings of relative 6e-8: far below the 5-SE bounds (~1% relative).
  expect_ve_moments<float>(607);
}

// -------------------------------------------------------------------------------------------
// A user SDE with both coefficients depending on t, and noise that depends on the state:
//   dx_i = a(t) x_i dt + (b_i(t) + c(t) x_i) dW_i,
//   a(t) = −(1 + sin 3t),  b_i(t) = ½ + t + ½i,  c(t) = 0.6 cos 2t   (c changes sign on the grid).
// The chain X_{k+1} = X_k (1 + a_k h) + (b_k + c_k X_k)√h Z_k has, with m = E[X], s = E[X²],
//   m_{k+1} = (1 + a_k h) m_k,
//   s_{k+1} = (1 + a_k h)² s_k + h (b_k² + 2 b_k c_k m_k + c_k² s_k),
// computed below by that recursion; Var = s − m².
// -------------------------------------------------------------------------------------------
template <bool Vectorizable>
struct time_varying_linear_sde {
  static constexpr int dim = 2;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = 2;
  static constexpr bool vectorizable = Vectorizable;
  using scalar_type = double;

  template <class S>
  SCOREPATH_HDI static S a(S t) {
    return -(S(1) + math::sin(S(3) * t));
  }
  template <class S>
  SCOREPATH_HDI static S b(S t, int i) {
    return S(0.5) + t + S(0.5) * S(i);
  }
  template <class S>
  SCOREPATH_HDI static S c(S t) {
    return S(0.6) * math::cos(S(2) * t);
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, 2> drift(const vec<R, 2>& x, S t) const {
    vec<R, 2> f;
    for (int i = 0; i < 2; ++i) f[i] = x[i] * a(t);
    return f;
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, 2> diffusion(const vec<R, 2>& x, S t) const {
    vec<R, 2> g;
    for (int i = 0; i < 2; ++i) g[i] = R(b(t, i)) + x[i] * c(t);
    return g;
  }
};

chain_moments linear_moments(double x0, int i, double t0, double h, int steps, step_time which) {
  using sde = time_varying_linear_sde<false>;
  double m = x0, s = x0 * x0;
  for (int k = 0; k < steps; ++k) {
    const double t = time_of_step(which, t0, h, k);
    const double a = sde::a(t), b = sde::b(t, i), c = sde::c(t);
    const double factor = 1.0 + a * h;
    // The right side uses m_k, so s first.
    s = factor * factor * s + h * (b * b + 2.0 * b * c * m + c * c * s);
    m = factor * m;
  }
  return {m, s - m * m};
}

template <bool Vectorizable>
void expect_linear_moments(std::uint64_t seed) {
  const time_varying_linear_sde<Vectorizable> sde;
  const std::vector<double> x0{2.0, -1.0};
  em_options opt;
  opt.paths = 200'000;
  opt.steps = 12;
  opt.t0 = 0.3;
  opt.t1 = 1.5;  // h = 0.1: a·h down to −0.2, c changes sign at t = π/4
  opt.statistics = true;
  rng_stream rng(seed);
  const auto run = simulate_em_to_host(cpu(), rng, sde, x0, opt, true, false);
  const double h = (opt.t1 - opt.t0) / 12.0;
  for (int i = 0; i < 2; ++i) {
    expect_moments(run, i, opt.paths, linear_moments(x0[i], i, opt.t0, h, 12, step_time::left),
                   {linear_moments(x0[i], i, opt.t0, h, 12, step_time::right),
                    linear_moments(x0[i], i, opt.t0, h, 12, step_time::ignoring_t0)},
                   std::string(Vectorizable ? "packs" : "scalars") + " component " +
                       std::to_string(i));
  }
}

TEST(EmTimeDependent, UserSdeWithTimeInDriftAndDiffusionOnPacks) {
  expect_linear_moments<true>(2024);
}

TEST(EmTimeDependent, UserSdeWithTimeInDriftAndDiffusionOnScalars) {
  expect_linear_moments<false>(2025);
}

}  // namespace
}  // namespace scorepath
