// The built-in data distributions (datasets.hpp): each sampler's first two moments against the
// distribution's exact law, within 5 standard errors with fixed seeds; the same samples for the
// same seed; the exact score models agreeing with the laws; and the documented errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "scorepath/datasets.hpp"
#include "scorepath/error.hpp"
#include "scorepath/vec.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using datasets::distribution;
using test_support::estimate;
using test_support::mean_of;

constexpr std::uint64_t n = 200000;

/// Sample mean of column @p i and of the product of columns @p i and @p j, with standard errors.
struct column_moments {
  estimate mean, product;
};
column_moments moments_of(const std::vector<double>& x, int dim, int i, int j) {
  std::vector<double> ci(n), cij(n);
  for (std::uint64_t s = 0; s < n; ++s) {
    ci[s] = x[s * dim + i];
    cij[s] = x[s * dim + i] * x[s * dim + j];
  }
  return {mean_of(ci, 0, n, [](double v) { return v; }),
          mean_of(cij, 0, n, [](double v) { return v; })};
}

TEST(Datasets, GaussianSamplesHaveTheDocumentedMeanAndCovariance) {
  const std::vector<double> x = datasets::draw_samples(distribution::gaussian, 2, n, 11);
  ASSERT_EQ(x.size(), 2 * n);
  const double mean[2] = {1.0, -1.0};
  const double cov[2][2] = {{1.0, 0.5}, {0.5, 0.5}};  // the inverse of the precision
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      SCOPED_TRACE(std::to_string(i) + "," + std::to_string(j));
      const column_moments m = moments_of(x, 2, i, j);
      EXPECT_NEAR(m.mean.value, mean[i], 5 * m.mean.se);
      EXPECT_NEAR(m.product.value, cov[i][j] + mean[i] * mean[j], 5 * m.product.se);
    }
  }
  // the precision the score model uses is the inverse of that covariance
  const auto& p = datasets::gaussian_precision;
  EXPECT_DOUBLE_EQ(p[0] * cov[0][0] + p[1] * cov[1][0], 1.0);
  EXPECT_DOUBLE_EQ(p[0] * cov[0][1] + p[1] * cov[1][1], 0.0);
  EXPECT_DOUBLE_EQ(p[2] * cov[0][1] + p[3] * cov[1][1], 1.0);
  EXPECT_EQ(datasets::expected_ism(distribution::gaussian, 2), -6.0);
}

TEST(Datasets, DiagonalGaussianSamplesHaveIndependentComponentsOfTheDocumentedLaw) {
  constexpr int d = 5;
  const std::vector<double> x = datasets::draw_samples(distribution::diagonal_gaussian, d, n, 12);
  double trace = 0.0;
  for (int i = 0; i < d; ++i) {
    const double mean = 0.5 * (i % 3 - 1), var = 0.5 + 0.25 * (i % 4);
    trace += 1.0 / var;
    for (int j = 0; j < d; ++j) {
      SCOPED_TRACE(std::to_string(i) + "," + std::to_string(j));
      const column_moments m = moments_of(x, d, i, j);
      const double mean_j = 0.5 * (j % 3 - 1);
      EXPECT_NEAR(m.mean.value, mean, 5 * m.mean.se);
      EXPECT_NEAR(m.product.value, (i == j ? var : 0.0) + mean * mean_j, 5 * m.product.se);
    }
  }
  EXPECT_DOUBLE_EQ(*datasets::expected_ism(distribution::diagonal_gaussian, d), -trace);
}

TEST(Datasets, RingMixtureSamplesHaveTheMixturesMeanAndSecondMoments) {
  for (int d : {2, 3}) {
    SCOPED_TRACE("dim " + std::to_string(d));
    const std::vector<double> x = datasets::draw_samples(distribution::ring_mixture, d, n, 13);
    const int c_count = datasets::ring_mixture_components;
    const double var = d == 2 ? 0.25 : 1.0;
    for (int i = 0; i < d; ++i) {
      for (int j = 0; j < d; ++j) {
        double mean_i = 0.0, second = 0.0;
        for (int c = 0; c < c_count; ++c) {
          // the documented means: a circle of radius 4 in 2-D, else 3 sin(1 + 0.9c + 1.7i(c + 1))
          const auto mu = [&](int k) {
            const double angle = 2 * M_PI * c / c_count;
            return d == 2 ? 4.0 * (k == 0 ? std::cos(angle) : std::sin(angle))
                          : 3.0 * std::sin(1.0 + 0.9 * c + 1.7 * k * (c + 1));
          };
          mean_i += mu(i) / c_count;
          second += (mu(i) * mu(j) + (i == j ? var : 0.0)) / c_count;
        }
        const column_moments m = moments_of(x, d, i, j);
        EXPECT_NEAR(m.mean.value, mean_i, 5 * m.mean.se);
        EXPECT_NEAR(m.product.value, second, 5 * m.product.se);
      }
    }
    EXPECT_FALSE(datasets::expected_ism(distribution::ring_mixture, d).has_value());
  }
}

TEST(Datasets, TheSameSeedGivesTheSameSamplesAndAnotherSeedOthers) {
  for (distribution data : {distribution::gaussian, distribution::diagonal_gaussian,
                            distribution::ring_mixture, distribution::two_moons,
                            distribution::checkerboard, distribution::swiss_roll}) {
    const std::vector<double> a = datasets::draw_samples(data, 2, 1000, 5);
    const std::vector<double> b = datasets::draw_samples(data, 2, 1000, 5);
    const std::vector<double> c = datasets::draw_samples(data, 2, 1000, 6);
    EXPECT_TRUE(test_support::same_bits(a, b));
    EXPECT_FALSE(test_support::same_bits(a, c));
    // a prefix of a longer draw: the first rows do not depend on how many are drawn
    const std::vector<double> first = datasets::draw_samples(data, 2, 1, 5);
    EXPECT_TRUE(test_support::same_bits(first, std::vector<double>(a.begin(), a.begin() + 2)));
  }
}

TEST(Datasets, TwoMoonsLieOnTheirArcsWithTheirNoise) {
  // The distance of a point to the nearest arc (radius 1 around (0, 0) for the upper moon, around
  // (1, ½) for the lower) is at most the noise, |N(0, 0.1²I)| ≤ 0.6 (6σ in 2-D: p < 1e-7).
  const std::size_t n = 20000;
  const std::vector<double> x = datasets::draw_samples(distribution::two_moons, 2, n, 3);
  std::size_t upper = 0;
  double sum_sq = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const double a = x[2 * s], b = x[2 * s + 1];
    const double d_up = std::fabs(std::hypot(a, b) - 1.0);
    const double d_low = std::fabs(std::hypot(a - 1.0, b - 0.5) - 1.0);
    const double d = std::min(d_up, d_low);
    EXPECT_LT(d, 0.6) << s;
    sum_sq += d * d;
    upper += d_up < d_low;
  }
  // Each moon is drawn with probability ½ (binomial: 5 standard errors); the radial noise's mean
  // square is below the full 2-D noise's 2·0.1².
  EXPECT_NEAR(double(upper) / n, 0.5, 5 * std::sqrt(0.25 / n));
  EXPECT_LT(sum_sq / n, 0.02);
}

TEST(Datasets, CheckerboardFillsItsDarkSquaresEvenly) {
  const std::size_t n = 40000;
  const std::vector<double> x = datasets::draw_samples(distribution::checkerboard, 2, n, 4);
  double count[4][4] = {};
  for (std::size_t s = 0; s < n; ++s) {
    const double a = x[2 * s], b = x[2 * s + 1];
    ASSERT_GE(a, -2.0);
    ASSERT_LT(a, 2.0);
    ASSERT_GE(b, -2.0);
    ASSERT_LT(b, 2.0);
    count[static_cast<int>(std::floor(a)) + 2][static_cast<int>(std::floor(b)) + 2] += 1;
  }
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      if ((i + j) % 2 != 0) {
        EXPECT_EQ(count[i][j], 0) << i << "," << j;
      } else {
        // Each dark square has probability 1/8: 5 binomial standard errors.
        EXPECT_NEAR(count[i][j] / n, 0.125, 5 * std::sqrt(0.125 * 0.875 / n)) << i << "," << j;
      }
    }
  }
}

TEST(Datasets, SwissRollRadiusFollowsItsAngle) {
  // Without noise the point at angle t has radius t/3 with t in [3π/2, 9π/2]; with noise of 0.1
  // per coordinate, the radius is within 0.6 of that range.
  const std::size_t n = 20000;
  const std::vector<double> x = datasets::draw_samples(distribution::swiss_roll, 2, n, 5);
  const double pi = 3.14159265358979323846;
  double mean_radius = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const double r = std::hypot(x[2 * s], x[2 * s + 1]);
    EXPECT_GT(r, 1.5 * pi / 3 - 0.6) << s;
    EXPECT_LT(r, 4.5 * pi / 3 + 0.6) << s;
    mean_radius += r / n;
  }
  // t is uniform, so E[t/3] = π; the noise moves the mean radius by O(0.1²/r) only. The spread
  // of t/3 is π/√3: 5 standard errors of the mean, plus 0.01 for the noise.
  EXPECT_NEAR(mean_radius, pi, 5 * (pi / std::sqrt(3.0)) / std::sqrt(double(n)) + 0.01);
}

TEST(Datasets, NamesParseAndUnknownOnesAreRefused) {
  EXPECT_EQ(datasets::parse_distribution("moons"), distribution::two_moons);
  EXPECT_EQ(datasets::parse_distribution("swiss-roll"), distribution::swiss_roll);
  EXPECT_EQ(datasets::parse_distribution("ring"), distribution::ring_mixture);
  for (distribution d : {distribution::gaussian, distribution::diagonal_gaussian,
                         distribution::ring_mixture, distribution::two_moons,
                         distribution::checkerboard, distribution::swiss_roll}) {
    EXPECT_EQ(datasets::parse_distribution(datasets::to_string(d)), d);
  }
  EXPECT_THROW(datasets::parse_distribution("spiral"), invalid_argument_error);
  EXPECT_THROW(datasets::draw_samples(distribution::two_moons, 3, 10, 1), invalid_argument_error);
}

TEST(Datasets, TheScoreModelsAreTheScoresOfTheLaws) {
  // S(x) = −P(x − m) for the Gaussians; at the mean the score is zero.
  const auto g = datasets::gaussian_data_score<double>();
  const vec<double, 2> at{1.0 + 0.5, -1.0};
  const vec<double, 2> s = g(at);
  EXPECT_DOUBLE_EQ(s[0], -2.0 * 0.5);
  EXPECT_DOUBLE_EQ(s[1], 2.0 * 0.5);
  const auto diag = datasets::diagonal_gaussian_data_score<double, 4>();
  vec<double, 4> y;
  for (int i = 0; i < 4; ++i) y[i] = datasets::diagonal_gaussian_mean(i) + 1.0;
  const vec<double, 4> sd = diag(y);
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(sd[i], -1.0 / datasets::diagonal_gaussian_variance(i));
  // The mixture is symmetric about the origin in 2-D: its score at 0 vanishes.
  const auto ring = datasets::ring_mixture_score<double, 2>();
  const vec<double, 2> s0 = ring(vec<double, 2>{0.0, 0.0});
  EXPECT_NEAR(s0[0], 0.0, 1e-12);
  EXPECT_NEAR(s0[1], 0.0, 1e-12);
}

TEST(Datasets, BadArgumentsAreRefusedNamingThem) {
  struct row {
    distribution data;
    int dim;
    std::uint64_t n;
    std::string parameter;
  };
  const row rows[] = {{distribution::gaussian, 3, 10, "dim"},
                      {distribution::diagonal_gaussian, 0, 10, "dim"},
                      {distribution::ring_mixture, -1, 10, "dim"},
                      {static_cast<distribution>(7), 2, 10, "data"}};
  for (const row& r : rows) {
    SCOPED_TRACE(r.parameter + " " + std::to_string(r.dim));
    try {
      (void)datasets::draw_samples(r.data, r.dim, r.n, 1);
      ADD_FAILURE() << "no error";
    } catch (const invalid_argument_error& e) {
      EXPECT_EQ(e.parameter(), r.parameter);
    }
  }
  EXPECT_THROW((void)datasets::draw_samples(distribution::ring_mixture, 64, UINT64_MAX / 8, 1),
               out_of_memory_error);
}

}  // namespace
}  // namespace scorepath
