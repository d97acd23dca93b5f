// Sliced score matching (ssm.hpp) on the CPU backend: half scaling is exact, results are bitwise
// equal for every thread count and chunking, float agrees with double, consecutive calls draw new
// probes and a saved stream state replays a call.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Half scaling and reproducibility
// ---------------------------------------------------------------------------------------------

using test_support::same_bits;  // the vector form, beside the loss_estimate form below
bool same_bits(const loss_estimate& a, const loss_estimate& b) {
  return std::memcmp(&a.value, &b.value, sizeof(double)) == 0 &&
         std::memcmp(&a.std_error, &b.std_error, sizeof(double)) == 0 && a.count == b.count;
}
void expect_identical(const ssm_run<double>& a, const ssm_run<double>& b, const char* what) {
  EXPECT_TRUE(same_bits(a.report.ssm, b.report.ssm)) << what;
  EXPECT_TRUE(same_bits(a.report.ssm_vr, b.report.ssm_vr)) << what;
  ASSERT_EQ(a.report.ism.has_value(), b.report.ism.has_value()) << what;
  if (a.report.ism) {
    EXPECT_TRUE(same_bits(*a.report.ism, *b.report.ism)) << what;
  }
  EXPECT_TRUE(same_bits(a.projections, b.projections)) << what;
  EXPECT_TRUE(same_bits(a.divergences, b.divergences)) << what;
  EXPECT_TRUE(same_bits(a.probes, b.probes)) << what;
  EXPECT_TRUE(same_bits(a.ssm_ps, b.ssm_ps)) << what;
  EXPECT_TRUE(same_bits(a.ssm_vr_ps, b.ssm_vr_ps)) << what;
  EXPECT_TRUE(same_bits(a.ism_ps, b.ism_ps)) << what;
}

TEST(SsmHalfScaling, LossesAreExactlyHalfWithTheSameSeed) {
  const auto params = random_mixture_params<2>(70);
  const auto model = make_mixture<double, 2>(params);
  const auto x = mixture_samples<2>(params, 2500, 71);
  for (probe_law law : all_laws) {
    ssm_options opt;
    opt.probes = 3;
    opt.law = law;
    opt.exact_ism = true;
    rng_stream r1(72), r2(72);
    const auto full = run_ssm(cpu(), r1, model, x, opt);
    opt.half_scaling = true;
    const auto half = run_ssm(cpu(), r2, model, x, opt);
    // Halving is exact in binary floating point, so equality is exact.
    EXPECT_EQ(half.report.ssm.value, 0.5 * full.report.ssm.value);
    EXPECT_EQ(half.report.ssm.std_error, 0.5 * full.report.ssm.std_error);
    EXPECT_EQ(half.report.ssm_vr.value, 0.5 * full.report.ssm_vr.value);
    EXPECT_EQ(half.report.ssm_vr.std_error, 0.5 * full.report.ssm_vr.std_error);
    EXPECT_EQ(half.report.ism->value, 0.5 * full.report.ism->value);
    EXPECT_EQ(half.report.ism->std_error, 0.5 * full.report.ism->std_error);
    for (std::size_t s = 0; s < x.size() / 2; ++s) {
      ASSERT_EQ(half.ssm_ps[s], 0.5 * full.ssm_ps[s]) << s;
      ASSERT_EQ(half.ssm_vr_ps[s], 0.5 * full.ssm_vr_ps[s]) << s;
      ASSERT_EQ(half.ism_ps[s], 0.5 * full.ism_ps[s]) << s;
    }
    // Per-probe quantities are not losses: unchanged.
    EXPECT_TRUE(same_bits(half.projections, full.projections));
    EXPECT_TRUE(same_bits(half.divergences, full.divergences));
    EXPECT_TRUE(same_bits(half.probes, full.probes));
  }
}

TEST(SsmReproducibility, BitwiseEqualForThreadCountsAndChunking) {
  const auto params = random_mixture_params<16>(80);
  const auto model = make_mixture<double, 16>(params);
  const auto x = mixture_samples<16>(params, 5000, 81);  // 5 reduction blocks, a partial one
  for (probe_law law : {probe_law::gaussian, probe_law::orthogonal}) {
    ssm_options opt;
    opt.probes = 4;
    opt.law = law;
    opt.exact_ism = true;
    rng_stream r1(82), r2(82), r3(82), r4(82);
    const auto one = run_ssm(cpu(1), r1, model, x, opt);
    const auto two = run_ssm(cpu(2), r2, model, x, opt);
    opt.chunk_samples = 1024;
    const auto chunked = run_ssm(cpu(2), r3, model, x, opt);
    opt.chunk_samples = 1;  // rounded up to one reduction block
    const auto tiny = run_ssm(cpu(1), r4, model, x, opt);
    expect_identical(one, two, "1 vs 2 threads");
    expect_identical(one, chunked, "chunk 1024 vs default");
    expect_identical(one, tiny, "chunk 1 vs default");
  }
}

TEST(SsmReproducibility, FloatAgreesWithDouble) {
  const auto params = random_mixture_params<2>(90);
  const auto md = make_mixture<double, 2>(params);
  const auto mf = make_mixture<float, 2>(params);
  const auto xd = mixture_samples<2>(params, 3000, 91);
  const std::vector<float> xf(xd.begin(), xd.end());
  std::vector<double> xd_rounded(xf.begin(), xf.end());  // the same points in both precisions
  {
    // Rademacher probes are ±1 in both precisions (same Philox words), so every per-sample term
    // agrees to float rounding. Terms are O(10–100) with mild cancellation; the float model's
    // relative error is ~1e-6, and 1e-4·(1 + |x|) is a wide bound that an error in either
    // precision's path would still break.
    ssm_options opt;
    opt.probes = 2;
    opt.law = probe_law::rademacher;
    opt.exact_ism = true;
    rng_stream rd(92), rf(92);
    const auto d = run_ssm(cpu(), rd, md, xd_rounded, opt);
    const auto f = run_ssm(cpu(), rf, mf, xf, opt);
    for (std::size_t k = 0; k < d.probes.size(); ++k) ASSERT_EQ(f.probes[k], d.probes[k]) << k;
    for (std::size_t s = 0; s < xf.size() / 2; ++s) {
      ASSERT_NEAR(f.ssm_ps[s], d.ssm_ps[s], 1e-4 * (1 + std::fabs(d.ssm_ps[s]))) << s;
      ASSERT_NEAR(f.ssm_vr_ps[s], d.ssm_vr_ps[s], 1e-4 * (1 + std::fabs(d.ssm_vr_ps[s]))) << s;
      ASSERT_NEAR(f.ism_ps[s], d.ism_ps[s], 1e-4 * (1 + std::fabs(d.ism_ps[s]))) << s;
    }
    EXPECT_NEAR(f.report.ssm.value, d.report.ssm.value, 1e-4 * (1 + std::fabs(d.report.ssm.value)));
    EXPECT_NEAR(f.report.ism->value, d.report.ism->value, 1e-4 * (1 + std::fabs(d.report.ism->value)));
    EXPECT_NEAR(f.report.ssm.std_error, d.report.ssm.std_error, 1e-3 * d.report.ssm.std_error);
  }
  {
    // Gaussian probes are drawn differently in float and double (4 vs 2 normals per Philox
    // block), so only the statistics agree: within 5 combined SEs.
    ssm_options opt;
    opt.probes = 1;
    opt.law = probe_law::gaussian;
    rng_stream rd(93), rf(93);
    const auto d = sliced_score_matching(cpu(), rd, md, xd_rounded, opt);
    const auto f = sliced_score_matching(cpu(), rf, mf, xf, opt);
    EXPECT_NEAR(f.ssm.value, d.ssm.value, 5 * std::hypot(f.ssm.std_error, d.ssm.std_error));
    EXPECT_NEAR(f.ssm_vr.value, d.ssm_vr.value,
                5 * std::hypot(f.ssm_vr.std_error, d.ssm_vr.std_error));
  }
}

TEST(SsmReproducibility, ConsecutiveCallsDrawNewProbesAndSavedStatesReplay) {
  const auto params = random_mixture_params<2>(95);
  const auto model = make_mixture<double, 2>(params);
  const auto x = mixture_samples<2>(params, 1000, 96);
  ssm_options opt;
  opt.probes = 2;
  rng_stream rng(97);
  const auto first = run_ssm(cpu(), rng, model, x, opt);
  EXPECT_EQ(rng.state().next_subsequence, 1000u);
  const auto second = run_ssm(cpu(), rng, model, x, opt);
  EXPECT_EQ(rng.state().next_subsequence, 2000u);
  EXPECT_EQ(first.report.rng.next_subsequence, 0u);
  EXPECT_EQ(second.report.rng.next_subsequence, 1000u);
  std::size_t equal = 0;
  for (std::size_t k = 0; k < first.probes.size(); ++k) equal += first.probes[k] == second.probes[k];
  EXPECT_EQ(equal, 0u) << "continuous Gaussian probes should never repeat";
  EXPECT_NE(first.report.ssm.value, second.report.ssm.value);
  rng_stream replay(first.report.rng);
  const auto again = run_ssm(cpu(2), replay, model, x, opt);
  expect_identical(first, again, "replay of the saved state");
}

}  // namespace
}  // namespace scorepath
