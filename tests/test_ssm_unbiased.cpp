// Sliced score matching (ssm.hpp) on the CPU backend: SSM and SSM-VR are unbiased for the exact
// ISM term under every probe law, and the probes have E[v vᵀ] = I and their laws' invariants.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Unbiasedness
// ---------------------------------------------------------------------------------------------

class SsmUnbiased : public ::testing::TestWithParam<probe_law> {};

template <int D>
void check_unbiased(probe_law law, std::uint32_t probes, std::uint64_t seed) {
  const auto params = random_mixture_params<D>(seed);
  const auto model = make_mixture<double, D>(params);
  const std::size_t n = 3000;
  const auto x = mixture_samples<D>(params, n, seed + 1);
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  opt.exact_ism = true;
  rng_stream rng(seed + 2);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  const double ism = r.report.ism->value;
  const double ism_se = r.report.ism->std_error;
  // Given x, SSM and SSM-VR have expectation ISM(x) over the probes. Paired test: the per-sample
  // differences have mean 0, judged against their own standard error (5 SE: false alarm ~6e-7).
  // A floor of 1e-10·|ISM| absorbs rounding where the difference vanishes identically (the
  // orthogonal law with k = D makes SSM-VR exact).
  std::vector<double> d_ssm(n), d_vr(n);
  for (std::size_t s = 0; s < n; ++s) {
    d_ssm[s] = r.ssm_ps[s] - r.ism_ps[s];
    d_vr[s] = r.ssm_vr_ps[s] - r.ism_ps[s];
  }
  const mean_se ds = stats(d_ssm), dv = stats(d_vr);
  const double floor = 1e-10 * (std::fabs(ism) + 1);
  EXPECT_LE(std::fabs(ds.mean), 5 * ds.se + floor) << "SSM D=" << D << " M=" << probes;
  EXPECT_LE(std::fabs(dv.mean), 5 * dv.se + floor) << "SSM-VR D=" << D << " M=" << probes;
  // Unpaired, from the report alone: SSM and ISM are positively correlated (Cov = Var ISM), so
  // √(SE² + SE²) over-covers the difference of the means.
  EXPECT_LE(std::fabs(r.report.ssm.value - ism),
            5 * std::hypot(r.report.ssm.std_error, ism_se) + floor);
  EXPECT_LE(std::fabs(r.report.ssm_vr.value - ism),
            5 * std::hypot(r.report.ssm_vr.std_error, ism_se) + floor);
  if (law == probe_law::orthogonal && probes % D == 0) {
    // k = D orthogonal probes give the trace exactly: SSM-VR equals ISM per sample.
    for (std::size_t s = 0; s < n; ++s) {
      ASSERT_NEAR(r.ssm_vr_ps[s], r.ism_ps[s], 1e-10 * (std::fabs(r.ism_ps[s]) + 1)) << s;
    }
  }
}

TEST_P(SsmUnbiased, SsmAndSsmVrMatchExactIsmForD2AndD16) {
  for (std::uint32_t m : {1u, 4u}) {
    check_unbiased<2>(GetParam(), m, 40 + m);
    check_unbiased<16>(GetParam(), m, 50 + m);
  }
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmUnbiased, ::testing::ValuesIn(all_laws), law_name);

// ---------------------------------------------------------------------------------------------
// Probe second moments
// ---------------------------------------------------------------------------------------------

class SsmProbes : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmProbes, SecondMomentIsIdentityAndLawInvariantsHold) {
  constexpr int D = 8;
  const std::uint32_t m = 2;  // orthogonal: blocks of k = 2
  const std::size_t n = 15000;
  const auto model = random_gaussian<D>(60);
  std::vector<double> x(n * D, 0.1);
  ssm_options opt;
  opt.probes = m;
  opt.law = GetParam();
  rng_stream rng(61);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  // Per-sample averages (1/M)Σ_j v_j v_jᵀ are independent across samples (own subsequences),
  // even when the probes within a sample are not, so their SE is the right yardstick.
  for (int i = 0; i < D; ++i) {
    for (int k = i; k < D; ++k) {
      std::vector<double> e(n);
      for (std::size_t s = 0; s < n; ++s) {
        double sum = 0;
        for (std::uint32_t j = 0; j < m; ++j) {
          const double* v = &r.probes[(s * m + j) * D];
          sum += v[i] * v[k];
        }
        e[s] = sum / m;
      }
      const mean_se st = stats(e);
      // 5 SE; the 1e-12 floor covers entries that are exactly 1 (Rademacher diagonal).
      EXPECT_NEAR(st.mean, i == k ? 1.0 : 0.0, 5 * st.se + 1e-12) << "entry " << i << "," << k;
    }
  }
  for (std::size_t s = 0; s < n; ++s) {
    for (std::uint32_t j = 0; j < m; ++j) {
      const double* v = &r.probes[(s * m + j) * D];
      switch (GetParam()) {
        case probe_law::rademacher:
          for (int i = 0; i < D; ++i) ASSERT_EQ(std::fabs(v[i]), 1.0);
          break;
        case probe_law::sphere:
        case probe_law::orthogonal:
          ASSERT_NEAR(dot<D>(v, v), D, 1e-13 * D);
          break;
        case probe_law::gaussian: break;
      }
    }
    if (GetParam() == probe_law::orthogonal) {
      ASSERT_NEAR(dot<D>(&r.probes[s * m * D], &r.probes[(s * m + 1) * D]), 0.0, 1e-13 * D);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmProbes, ::testing::ValuesIn(all_laws), law_name);

}  // namespace
}  // namespace scorepath
