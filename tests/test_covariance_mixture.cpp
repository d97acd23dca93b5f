// The exact score of a full-covariance Gaussian mixture after the forward diffusion
// (sampling/covariance_mixture.hpp): the gradient of its log-density by central differences;
// equal to the diagonal mixture's score when the covariances are diagonal; its samples carry the
// mixture's mean and covariance; the reverse VP SDE driven by it reproduces a correlated mixture
// (mean, covariance and component weights within Monte Carlo error plus a stated bias); bad
// input names the parameter.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "scorepath/sampling/covariance_mixture.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

/// K components in D dimensions; covariance k is A Aᵀ + ½I with A of random entries.
covariance_mixture random_covariance_mixture(int d, int k_count, std::uint64_t seed) {
  test_rng g(seed);
  covariance_mixture mix;
  mix.dim = d;
  for (int k = 0; k < k_count; ++k) {
    mix.weights.push_back(g.uniform(0.5, 1.5));
    for (int i = 0; i < d; ++i) mix.means.push_back(g.uniform(-2.0, 2.0));
    std::vector<double> a(d * d);
    for (double& e : a) e = g.uniform(-0.7, 0.7);
    for (int i = 0; i < d; ++i) {
      for (int j = 0; j < d; ++j) {
        double s = i == j ? 0.5 : 0.0;
        for (int m = 0; m < d; ++m) s += a[i * d + m] * a[j * d + m];
        mix.covariances.push_back(s);
      }
    }
  }
  return mix;
}

double log_density(const covariance_mixture_factors& f, const std::vector<double>& x) {
  std::vector<double> score(x.size()), work(f.components * (f.dim + 1));
  return covariance_mixture_score(f, x.data(), score.data(), work.data());
}

TEST(CovarianceMixture, ScoreIsTheGradientOfTheLogDensity) {
  const covariance_mixture mix = random_covariance_mixture(3, 3, 4);
  const covariance_mixture_factors f = factor_covariance_mixture(mix, 0.7, 0.5);
  test_rng g(5);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> x(3), score(3), work(3 * 4);
    for (double& e : x) e = 2 * g.normal();
    covariance_mixture_score(f, x.data(), score.data(), work.data());
    for (int i = 0; i < 3; ++i) {
      const double h = 1e-5;
      std::vector<double> up = x, down = x;
      up[i] += h;
      down[i] -= h;
      const double fd = (log_density(f, up) - log_density(f, down)) / (2 * h);
      EXPECT_NEAR(score[i], fd, 1e-7 * (1 + std::fabs(fd))) << trial << " " << i;
    }
  }
}

TEST(CovarianceMixture, TheLogDensityIsTheMixturesWithItsWeightsNormalised) {
  // Weights 1 and 2 (a third and two thirds), 2-D: log p + log 2π against the closed form
  // log Σ_k (w_k/Σw) |C_k|^(−½) exp(−½ rᵀC_k⁻¹r), C_k = α²Σ_k + σ²I.
  covariance_mixture mix;
  mix.dim = 2;
  mix.weights = {1.0, 2.0};
  mix.means = {-1.0, 0.5, 1.0, -0.5};
  mix.covariances = {0.5, 0.2, 0.2, 0.4, 0.3, -0.1, -0.1, 0.6};
  const double alpha = 0.9, sigma = 0.4;
  const auto f = factor_covariance_mixture(mix, alpha, sigma);
  const std::vector<double> x = {0.3, -0.2};
  double want = 0;
  for (int k = 0; k < 2; ++k) {
    const double* s = &mix.covariances[4 * k];
    const double a = alpha * alpha * s[0] + sigma * sigma, b = alpha * alpha * s[1];
    const double c = alpha * alpha * s[3] + sigma * sigma, det = a * c - b * b;
    const double r0 = x[0] - alpha * mix.means[2 * k], r1 = x[1] - alpha * mix.means[2 * k + 1];
    const double q = (c * r0 * r0 - 2 * b * r0 * r1 + a * r1 * r1) / det;
    want += mix.weights[k] / 3.0 * std::exp(-0.5 * q) / std::sqrt(det);
  }
  EXPECT_NEAR(log_density(f, x), std::log(want), 1e-13);
}

TEST(CovarianceMixture, DiagonalCovariancesGiveTheDiagonalMixturesScore) {
  diagonal_mixture diag;
  diag.dim = 2;
  diag.weights = {0.3, 0.7};
  diag.means = {-1.0, 0.5, 1.5, -0.2};
  diag.variances = {0.4, 0.9, 0.2, 1.3};
  covariance_mixture full;
  full.dim = 2;
  full.weights = diag.weights;
  full.means = diag.means;
  full.covariances = {0.4, 0, 0, 0.9, 0.2, 0, 0, 1.3};
  const auto f = factor_covariance_mixture(full, 0.8, 0.3);
  test_rng g(7);
  for (int trial = 0; trial < 10; ++trial) {
    const double x[2] = {2 * g.normal(), 2 * g.normal()};
    double want[2], got[2], work[6];
    diffused_mixture_score(diag, 0.8, 0.3, x, want);
    covariance_mixture_score(f, x, got, work);
    EXPECT_NEAR(got[0], want[0], 1e-12 * (1 + std::fabs(want[0])));
    EXPECT_NEAR(got[1], want[1], 1e-12 * (1 + std::fabs(want[1])));
  }
}

/// Mean and covariance of the samples (2-D), and those of the mixture.
struct moments2 {
  double m[2] = {0, 0};
  double c[3] = {0, 0, 0};  // xx, xy, yy
};

moments2 sample_moments(const std::vector<double>& x) {
  moments2 r;
  const std::size_t n = x.size() / 2;
  for (std::size_t s = 0; s < n; ++s) {
    r.m[0] += x[2 * s] / n;
    r.m[1] += x[2 * s + 1] / n;
  }
  for (std::size_t s = 0; s < n; ++s) {
    const double a = x[2 * s] - r.m[0], b = x[2 * s + 1] - r.m[1];
    r.c[0] += a * a / (n - 1);
    r.c[1] += a * b / (n - 1);
    r.c[2] += b * b / (n - 1);
  }
  return r;
}

moments2 exact_moments(const covariance_mixture& mix) {
  moments2 r;
  double total = 0;
  for (double w : mix.weights) total += w;
  double second[3] = {0, 0, 0};
  for (int k = 0; k < mix.components(); ++k) {
    const double w = mix.weights[k] / total;
    const double* mu = &mix.means[2 * k];
    const double* s = &mix.covariances[4 * k];
    r.m[0] += w * mu[0];
    r.m[1] += w * mu[1];
    second[0] += w * (s[0] + mu[0] * mu[0]);
    second[1] += w * (s[1] + mu[0] * mu[1]);
    second[2] += w * (s[3] + mu[1] * mu[1]);
  }
  r.c[0] = second[0] - r.m[0] * r.m[0];
  r.c[1] = second[1] - r.m[0] * r.m[1];
  r.c[2] = second[2] - r.m[1] * r.m[1];
  return r;
}

covariance_mixture tilted_pair() {
  covariance_mixture mix;
  mix.dim = 2;
  mix.weights = {0.35, 0.65};
  mix.means = {-1.5, 0.5, 1.2, -0.4};
  mix.covariances = {0.30, 0.22, 0.22, 0.25,    // correlation 0.8
                     0.20, -0.09, -0.09, 0.15};  // correlation −0.52
  return mix;
}

TEST(CovarianceMixture, DrawsCarryTheMixturesMeanAndCovariance) {
  const covariance_mixture mix = tilted_pair();
  const std::size_t n = 100000;
  const moments2 got = sample_moments(draw_covariance_mixture(mix, n, 3));
  const moments2 want = exact_moments(mix);
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(got.m[i], want.m[i], 5 * std::sqrt(want.c[2 * i] / n));
  // The covariance entries' standard errors are below 2·max variance/√n for these laws.
  for (int e = 0; e < 3; ++e) EXPECT_NEAR(got.c[e], want.c[e], 5 * 2 * 1.5 / std::sqrt(n));
}

TEST(CovarianceMixture, TheReverseSdeReproducesACorrelatedMixture) {
  const covariance_mixture mix = tilted_pair();
  sampler_options opt;
  opt.kind = sampler_kind::reverse_sde;
  opt.process.kind = conditioning_kind::vp;
  opt.process.beta_max = 10.0;
  opt.steps = 500;
  const std::size_t n = 20000;
  std::vector<double> x(2 * n);
  rng_stream rng(17);
  const auto report = sample_paths(cpu(), rng, covariance_mixture_batch_score<double>(mix), opt,
                                   host_output(x.data(), x.size()));
  EXPECT_EQ(report.non_finite_paths, 0u);
  const moments2 got = sample_moments(x), want = exact_moments(mix);
  std::printf("reverse SDE, full covariances: mean (%.4f, %.4f) exact (%.4f, %.4f); covariance "
              "(%.4f, %.4f, %.4f) exact (%.4f, %.4f, %.4f)\n",
              got.m[0], got.m[1], want.m[0], want.m[1], got.c[0], got.c[1], got.c[2], want.c[0],
              want.c[1], want.c[2]);
  // Monte Carlo error plus the discretisation bias of 500 steps (0.01 on the mean, 0.02 on the
  // covariance, as for the diagonal mixture).
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(got.m[i], want.m[i], 5 * std::sqrt(want.c[2 * i] / n) + 0.01);
  }
  for (int e = 0; e < 3; ++e) EXPECT_NEAR(got.c[e], want.c[e], 5 * 2 * 1.5 / std::sqrt(n) + 0.02);
  // Component by component: the samples nearer (by the components' densities) to each one, their
  // share and their xy covariance, against the same for fresh data (the classification cuts the
  // tails alike on both sides). A score that ignored the correlations (0.8 and −0.52 within the
  // components) would put the xy covariances near 0.
  const auto f = factor_covariance_mixture(mix, 1.0, 0.0);
  auto by_component = [&](const std::vector<double>& pts) {
    std::vector<std::vector<double>> parts(2);
    for (std::size_t s = 0; s < pts.size() / 2; ++s) {
      double q[2];
      for (int k = 0; k < 2; ++k) {
        const double* l = &f.cholesky[4 * k];
        const double y0 = (pts[2 * s] - f.centre[2 * k]) / l[0];
        const double y1 = (pts[2 * s + 1] - f.centre[2 * k + 1] - l[2] * y0) / l[3];
        q[k] = y0 * y0 + y1 * y1 - 2 * f.offset[k];
      }
      auto& part = parts[q[0] < q[1] ? 0 : 1];
      part.push_back(pts[2 * s]);
      part.push_back(pts[2 * s + 1]);
    }
    return parts;
  };
  const auto ours = by_component(x), data = by_component(draw_covariance_mixture(mix, n, 29));
  const double p = static_cast<double>(data[0].size() / 2) / n;
  EXPECT_NEAR(static_cast<double>(ours[0].size() / 2) / n, p, 5 * std::sqrt(2 * p * (1 - p) / n));
  for (int k = 0; k < 2; ++k) {
    const moments2 a = sample_moments(ours[k]), b = sample_moments(data[k]);
    const double se = std::sqrt((a.c[0] * a.c[2] + a.c[1] * a.c[1]) / (ours[k].size() / 2) +
                                (b.c[0] * b.c[2] + b.c[1] * b.c[1]) / (data[k].size() / 2));
    std::printf("component %d: xy covariance %.4f, data %.4f\n", k, a.c[1], b.c[1]);
    EXPECT_NEAR(a.c[1], b.c[1], 5 * se + 0.01) << k;
  }
}

TEST(CovarianceMixture, BadInputNamesTheParameter) {
  covariance_mixture mix = tilted_pair();
  mix.covariances[1] = 0.3;  // (0, 1) no longer equals (1, 0)
  EXPECT_EQ(parameter_of([&] { check_covariance_mixture(mix); }), "covariances[0]");
  mix = tilted_pair();
  mix.covariances[5] = 0.9;  // symmetric, but the correlation exceeds 1
  mix.covariances[6] = 0.9;
  EXPECT_EQ(parameter_of([&] { check_covariance_mixture(mix); }), "covariances[1]");
  mix = tilted_pair();
  mix.covariances.pop_back();
  EXPECT_EQ(parameter_of([&] { check_covariance_mixture(mix); }), "covariances size");
  mix = tilted_pair();
  mix.weights[1] = 0;
  EXPECT_EQ(parameter_of([&] { covariance_mixture_batch_score<double>(mix); }), "weights[1]");
  EXPECT_EQ(parameter_of([&] { factor_covariance_mixture(tilted_pair(), 0.0, 1.0); }), "alpha");
}

}  // namespace
}  // namespace scorepath
