// Sliced score matching (ssm.hpp) on the CPU backend: the variance of the divergence estimator at
// one fixed x per probe law against closed forms, and the orthogonal block's (d − k)/(d − 1)
// shrinkage, checked against an independent Monte Carlo too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Variance of the divergence estimator at one fixed x
// ---------------------------------------------------------------------------------------------

constexpr int var_dim = 8;

struct symmetric_part_norms {
  double frob2 = 0;   // ‖A‖²_F
  double diag2 = 0;   // Σ A_ii²
  double trace = 0;   // τ = tr A
};

symmetric_part_norms norms_of_minus_p(const gaussian_score<double, var_dim>& model) {
  symmetric_part_norms out;
  for (int i = 0; i < var_dim; ++i) {
    for (int j = 0; j < var_dim; ++j) {
      const double a = -0.5 * (model.precision(i, j) + model.precision(j, i));
      out.frob2 += a * a;
      if (i == j) {
        out.diag2 += a * a;
        out.trace += a;
      }
    }
  }
  return out;
}

/// Variance of vᵀAv for one probe of the law (A symmetric, d = var_dim).
double single_probe_variance(probe_law law, const symmetric_part_norms& a) {
  const double d = var_dim;
  switch (law) {
    case probe_law::gaussian: return 2 * a.frob2;
    case probe_law::rademacher: return 2 * (a.frob2 - a.diag2);
    case probe_law::sphere:
    case probe_law::orthogonal: return 2 * d / (d + 2) * (a.frob2 - a.trace * a.trace / d);
  }
  return 0;
}

/**
 * Variance of the average of vᵀAv over one orthogonal block of k probes.
 *
 * The k directions are the first k columns of a Haar-random orthogonal matrix, so every pair
 * (v_i, v_j) has the same joint law: Var(avg) = (σ² + (k−1)c)/k with σ² the sphere variance and c
 * the covariance of two distinct probes. For k = d the average is exactly tr A (the columns span
 * everything), so 0 = σ² + (d−1)c, c = −σ²/(d−1), and Var(avg) = σ²/k · (d−k)/(d−1).
 * (SsmVarianceFormula checks this with an independent Monte Carlo.)
 */
double orthogonal_block_variance(const symmetric_part_norms& a, int k) {
  const double d = var_dim;
  return single_probe_variance(probe_law::sphere, a) / k * (d - k) / (d - 1);
}

/// Per-sample averages of the divergences over the M probes, for N copies of one x.
std::vector<double> divergence_averages(probe_law law, std::uint32_t probes, std::size_t n,
                                        const gaussian_score<double, var_dim>& model,
                                        std::uint64_t seed) {
  std::vector<double> x(n * var_dim);
  for (std::size_t s = 0; s < n; ++s)
    for (int i = 0; i < var_dim; ++i) x[s * var_dim + i] = 0.25 * i - 0.8;
  std::vector<double> div(n * probes);
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  ssm_outputs<double> out;
  out.divergences = host_output(div.data(), div.size());
  rng_stream rng(seed);
  sliced_score_matching(cpu(), rng, model, x, opt, out);
  std::vector<double> avg(n);
  for (std::size_t s = 0; s < n; ++s) {
    double sum = 0;
    for (std::uint32_t j = 0; j < probes; ++j) sum += div[s * probes + j];
    avg[s] = sum / probes;
  }
  return avg;
}

/// Sample variance against @p expected: relative error within 5·√((κ−1)/N), κ the kurtosis
/// estimated from the same data (the standard error of a sample variance), and the mean within
/// 5 SE of tr A (unbiasedness at fixed x).
void expect_variance(const std::vector<double>& values, double expected, double trace,
                     const std::string& what) {
  const mean_se s = stats(values);
  const double n = static_cast<double>(values.size());
  const double rel_se = std::sqrt((s.kurtosis - 1) / n);
  EXPECT_NEAR(s.var / expected, 1.0, 5 * rel_se)
      << what << ": sample variance " << s.var << " expected " << expected << " (kurtosis "
      << s.kurtosis << ")";
  EXPECT_NEAR(s.mean, trace, 5 * s.se) << what << ": mean";
}

class SsmVariance : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmVariance, SingleProbeDivergenceVarianceMatchesClosedForm) {
  const auto model = random_gaussian<var_dim>(21);
  const auto a = norms_of_minus_p(model);
  const probe_law law = GetParam();
  const double expected = single_probe_variance(law, a);
  // The laws differ enough to tell apart at this N (relative SE of the variance ≈ 1%, so the
  // 5-SE band is ≈ ±5%).
  ASSERT_GT(std::fabs(single_probe_variance(probe_law::gaussian, a) /
                          single_probe_variance(probe_law::sphere, a) - 1), 0.2);
  ASSERT_GT(std::fabs(single_probe_variance(probe_law::rademacher, a) /
                          single_probe_variance(probe_law::sphere, a) - 1), 0.2);
  const auto avg = divergence_averages(law, 1, 100000, model, 300 + static_cast<int>(law));
  expect_variance(avg, expected, a.trace, to_string(law));
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmVariance, ::testing::ValuesIn(all_laws), law_name);

TEST(SsmVarianceOrthogonal, BlockAverageVarianceShrinksAsDMinusKOverDMinusOne) {
  const auto model = random_gaussian<var_dim>(21);
  const auto a = norms_of_minus_p(model);
  for (int k : {2, 4}) {
    const auto avg = divergence_averages(probe_law::orthogonal, k, 50000, model, 400 + k);
    expect_variance(avg, orthogonal_block_variance(a, k), a.trace,
                    "orthogonal k=" + std::to_string(k));
  }
  // k = d: the block average is tr A exactly (up to rounding of sums of ~d² terms).
  const auto exact = divergence_averages(probe_law::orthogonal, var_dim, 1000, model, 408);
  for (double v : exact) ASSERT_NEAR(v, a.trace, 1e-12 * var_dim * std::sqrt(a.frob2) * var_dim);
}

TEST(SsmVarianceFormula, OrthogonalBlockVarianceAgreesWithIndependentMonteCarlo) {
  // The (d−k)/(d−1)·σ²/k formula, checked without the library: Haar frames from our own
  // Gram–Schmidt on std::mt19937_64 normals, A = −P of the model above.
  const auto model = random_gaussian<var_dim>(21);
  const auto norms = norms_of_minus_p(model);
  constexpr int d = var_dim;
  test_rng g(99);
  for (int k : {1, 4}) {
    const std::size_t n = 20000;
    std::vector<double> avg(n);
    for (std::size_t s = 0; s < n; ++s) {
      double basis[d][d];
      double sum = 0;
      for (int b = 0; b < k; ++b) {
        double v[d];
        for (double& e : v) e = g.normal();
        for (int p = 0; p < b; ++p) {
          const double proj = dot<d>(v, basis[p]);
          for (int i = 0; i < d; ++i) v[i] -= proj * basis[p][i];
        }
        const double len = std::sqrt(dot<d>(v, v));
        for (int i = 0; i < d; ++i) basis[b][i] = v[i] / len;
        double q = 0;
        for (int i = 0; i < d; ++i)
          for (int j = 0; j < d; ++j) q -= basis[b][i] * model.precision(i, j) * basis[b][j];
        sum += d * q;  // v = √d·u, so vᵀAv = d·uᵀAu
      }
      avg[s] = sum / k;
    }
    expect_variance(avg, orthogonal_block_variance(norms, k), norms.trace,
                    "independent MC k=" + std::to_string(k));
  }
}

}  // namespace
}  // namespace scorepath
