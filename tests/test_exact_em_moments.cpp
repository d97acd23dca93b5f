// The library's exact Euler–Maruyama chain moments (exact_em_moments.hpp) against the tests' own
// derivation: the mean and variance carried step by step through the recursion each SDE's EM step
// defines (E[x'] = a E[x] + b, Var[x'] = a² Var[x] + noise; for GBM the first two raw moments),
// written here from the SDEs' definitions and independent of the library's closed forms. The
// simulations are compared with exact moments in test_em_moments.cpp, test_em_convergence.cpp and
// test_em_time_dependent.cpp, each with its own formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scorepath/exact_em_moments.hpp"

namespace scorepath {
namespace {

/// One EM step of a linear SDE dx = (α(t) x + β(t)) dt + γ(t) dW, as the SDE defines it.
struct linear_step {
  std::function<double(double)> alpha, beta, gamma;
};

/// Mean and variance of x_N, carried through N steps of x ← x + (αx + β)h + γ√h z.
em_chain_moments recursion(const linear_step& sde, double x0, std::uint64_t steps, double t0,
                           double h) {
  double m = x0, v = 0.0;
  for (std::uint64_t k = 0; k < steps; ++k) {
    const double t = t0 + static_cast<double>(k) * h;
    const double a = 1.0 + sde.alpha(t) * h;
    m = a * m + sde.beta(t) * h;
    v = a * a * v + sde.gamma(t) * sde.gamma(t) * h;
  }
  return {m, v};
}

/// GBM dx = μx dt + σx dW: E[x'] = (1 + μh) E[x], E[x'²] = ((1 + μh)² + σ²h) E[x²].
em_chain_moments gbm_recursion(double x0, double mu, double sigma, std::uint64_t steps, double h) {
  double first = x0, second = x0 * x0;
  for (std::uint64_t k = 0; k < steps; ++k) {
    first *= 1.0 + mu * h;
    second *= (1.0 + mu * h) * (1.0 + mu * h) + sigma * sigma * h;
  }
  return {first, second - first * first};
}

struct moments_case {
  std::string name;
  std::function<em_chain_moments()> library;
  std::function<em_chain_moments()> reference;
};

std::vector<moments_case> cases() {
  const auto constant = [](double c) { return [c](double) { return c; }; };
  std::vector<moments_case> rows;
  for (std::uint64_t steps : {1u, 7u, 256u}) {
    const std::string n = std::to_string(steps);
    rows.push_back({"bm " + n, [=] { return exact_em_moments_brownian_motion(0.5, 0.3, 0.7, steps, 0.01); },
                    [=] { return recursion({constant(0), constant(0.3), constant(0.7)}, 0.5, steps, 0, 0.01); }});
    rows.push_back({"gbm " + n, [=] { return exact_em_moments_gbm(2.0, 0.1, 0.5, steps, 1.0 / 64); },
                    [=] { return gbm_recursion(2.0, 0.1, 0.5, steps, 1.0 / 64); }});
    rows.push_back({"gbm negative drift " + n,
                    [=] { return exact_em_moments_gbm(100.0, -0.4, 0.2, steps, 0.05); },
                    [=] { return gbm_recursion(100.0, -0.4, 0.2, steps, 0.05); }});
    // θh = 0.1875 (coarse), 1e-9 (a within 1e-9 of 1: no cancellation allowed) and 1.5 (a < 0)
    for (double h : {0.125, 1e-9 / 1.5, 1.0}) {
      rows.push_back({"ou h=" + std::to_string(h) + " " + n,
                      [=] { return exact_em_moments_ornstein_uhlenbeck(-1.0, 1.5, 0.5, 0.8, steps, h); },
                      [=] { return recursion({constant(-1.5), constant(1.5 * 0.5), constant(0.8)}, -1.0, steps, 0, h); }});
    }
    rows.push_back({"vp " + n, [=] { return exact_em_moments_vp(1.0, 0.1, 20.0, steps, 0.2, 0.5 / 256); },
                    [=] {
                      const auto beta = [](double t) { return 0.1 + t * (20.0 - 0.1); };
                      return recursion({[=](double t) { return -0.5 * beta(t); }, constant(0),
                                        [=](double t) { return std::sqrt(beta(t)); }},
                                       1.0, steps, 0.2, 0.5 / 256);
                    }});
    rows.push_back({"ve " + n, [=] { return exact_em_moments_ve(0.0, 0.01, 50.0, steps, 0.1, 0.8 / 256); },
                    [=] {
                      const double r = std::log(50.0 / 0.01);
                      return recursion({constant(0), constant(0),
                                        [=](double t) { return 0.01 * std::exp(t * r) * std::sqrt(2 * r); }},
                                       0.0, steps, 0.1, 0.8 / 256);
                    }});
    // Langevin on the score of N(μ, s²): drift (μ − x)/s², noise √2.
    rows.push_back({"langevin " + n,
                    [=] { return exact_em_moments_langevin_gaussian(3.0, -0.5, 0.7, steps, 0.02); },
                    [=] {
                      const double p = 1.0 / (0.7 * 0.7);
                      return recursion({constant(-p), constant(-0.5 * p), constant(std::sqrt(2.0))},
                                       3.0, steps, 0, 0.02);
                    }});
  }
  return rows;
}

TEST(ExactEmMoments, EveryBuiltInSdeMatchesTheStepByStepRecursion) {
  for (const moments_case& row : cases()) {
    SCOPED_TRACE(row.name);
    const em_chain_moments lib = row.library(), ref = row.reference();
    EXPECT_NEAR(lib.mean, ref.mean, 1e-11 * (1.0 + std::abs(ref.mean)));
    EXPECT_NEAR(lib.variance, ref.variance, 1e-10 * std::abs(ref.variance));
    EXPECT_GE(lib.variance, 0.0);
  }
}

TEST(ExactEmMoments, ConstantAffineChainHandlesItsSpecialCoefficients) {
  // a = 1: a random walk with drift; a = −1: the mean alternates and the variance adds up.
  const em_chain_moments walk = exact_constant_affine_chain(2.0, 1.0, 0.5, 0.25, 10);
  EXPECT_DOUBLE_EQ(walk.mean, 7.0);
  EXPECT_DOUBLE_EQ(walk.variance, 2.5);
  const em_chain_moments flip = exact_constant_affine_chain(2.0, -1.0, 0.0, 0.25, 3);
  EXPECT_DOUBLE_EQ(flip.mean, -2.0);
  EXPECT_DOUBLE_EQ(flip.variance, 0.75);
  // a = 0 forgets x0 after one step.
  const em_chain_moments reset = exact_constant_affine_chain(5.0, 0.0, 1.0, 0.5, 4);
  EXPECT_DOUBLE_EQ(reset.mean, 1.0);
  EXPECT_DOUBLE_EQ(reset.variance, 0.5);
  // No steps: the start, exactly.
  const em_chain_moments none = exact_constant_affine_chain(5.0, 0.3, 1.0, 0.5, 0);
  EXPECT_DOUBLE_EQ(none.mean, 5.0);
  EXPECT_DOUBLE_EQ(none.variance, 0.0);
}

}  // namespace
}  // namespace scorepath
