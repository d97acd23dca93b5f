// Sliced score matching of the isotropic Gaussian score (scores/isotropic_gaussian.hpp) on samples
// of its own law N(m, s² I): per sample the exact ISM term is ‖x − m‖²/s⁴ − 2D/s² and every
// divergence is −‖v‖²/s²; over the law, SSM, SSM-VR and ISM all have expectation
// E‖S‖² + 2 tr J = D/s² − 2D/s² = −D/s².
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/scores/isotropic_gaussian.hpp"
#include "scorepath/sdes/langevin.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

constexpr int D = 3;
constexpr double stddev = 0.5;
constexpr std::array<double, D> mean = {1.0, -2.0, 0.5};

/// N samples of N(mean, stddev² I), row-major, from a fixed seed.
template <class T>
std::vector<T> own_law_samples(std::size_t n, std::uint64_t seed) {
  test_rng g(seed);
  std::vector<T> x(n * D);
  for (std::size_t s = 0; s < n; ++s)
    for (int i = 0; i < D; ++i) x[s * D + i] = static_cast<T>(mean[i] + stddev * g.normal());
  return x;
}

class SsmIsotropicGaussian : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmIsotropicGaussian, PerSampleTermsAndLossesMatchTheClosedForm) {
  const isotropic_gaussian_score<double, D> model(mean, stddev);
  const std::size_t n = 4001;  // not a multiple of the pack width
  const std::vector<double> x = own_law_samples<double>(n, 7);
  ssm_options opt;
  opt.probes = 2;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(2024);
  const auto r = run_ssm(cpu(), rng, model, x, opt);

  const double inv_var = 1.0 / (stddev * stddev);
  for (std::size_t s = 0; s < n; ++s) {
    double r2 = 0;
    for (int i = 0; i < D; ++i) r2 += (x[s * D + i] - mean[i]) * (x[s * D + i] - mean[i]);
    const double ism = r2 * inv_var * inv_var - 2.0 * D * inv_var;
    ASSERT_NEAR(r.ism_ps[s], ism, 1e-12 * (r2 * inv_var * inv_var + 2.0 * D * inv_var)) << s;
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      const double q = -dot<D>(v, v) * inv_var;
      ASSERT_NEAR(r.divergences[s * opt.probes + j], q, 1e-13 * std::fabs(q) + 1e-300) << s;
    }
  }
  // Each loss within 4 standard errors of −D/s² (fixed seeds).
  const double expected = -D * inv_var;
  ASSERT_TRUE(r.report.ism.has_value());
  for (const loss_estimate& loss : {r.report.ssm, r.report.ssm_vr, *r.report.ism}) {
    EXPECT_EQ(loss.count, n);
    EXPECT_GT(loss.std_error, 0.0);
    EXPECT_NEAR(loss.value, expected, 4.0 * loss.std_error);
  }
}

INSTANTIATE_TEST_SUITE_P(Laws, SsmIsotropicGaussian, ::testing::ValuesIn(all_laws), law_name);

TEST(SsmIsotropicGaussianFloat, IsmLossIsMinusDOverVariance) {
  const isotropic_gaussian_score<float, D> model(
      {static_cast<float>(mean[0]), static_cast<float>(mean[1]), static_cast<float>(mean[2])},
      static_cast<float>(stddev));
  const std::vector<float> x = own_law_samples<float>(3000, 11);
  ssm_options opt;
  opt.exact_ism = true;
  rng_stream rng(5);
  const ssm_report report = sliced_score_matching(cpu(), rng, model, x, opt);
  ASSERT_TRUE(report.ism.has_value());
  EXPECT_NEAR(report.ism->value, -D / (stddev * stddev), 4.0 * report.ism->std_error);
  EXPECT_NEAR(report.ssm.value, -D / (stddev * stddev), 4.0 * report.ssm.std_error);
}

TEST(SsmIsotropicGaussianFloat, OldLangevinHeaderStillDeclaresTheScore) {
  // sdes/langevin.hpp keeps giving the score, and Langevin dynamics runs on it as before.
  const isotropic_gaussian_score<float, 2> score({1.0f, -1.0f}, 2.0f);
  const langevin<isotropic_gaussian_score<float, 2>, 2> sde(score);
  const vec<float, 2> drift = sde.drift(vec<float, 2>{{3.0f, -1.0f}}, 0.0f);
  EXPECT_EQ(drift[0], -0.5f);
  EXPECT_EQ(drift[1], 0.0f);
}

}  // namespace
}  // namespace scorepath
