// Sliced score matching (ssm.hpp) on the CPU backend against closed forms: per-probe projections
// and divergences and the exact ISM term for a full Gaussian, a diagonal Gaussian and a diagonal
// Gaussian mixture (whose Jacobian is derived from the raw parameters), also far from every
// component, and the report as the mean and standard error of the per-sample terms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Closed forms
// ---------------------------------------------------------------------------------------------

class SsmClosedForm : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmClosedForm, GaussianProjectionsDivergencesAndIsmPerSample) {
  // S(x) = −P(x − m), J = −P: p = vᵀS, q = −vᵀPv, ISM = ‖S‖² − 2 tr P.
  constexpr int D = 8;
  const auto model = random_gaussian<D>(3);
  const std::size_t n = 37;  // not a multiple of the pack width: exercises the tail lanes
  test_rng g(17);
  std::vector<double> x(n * D);
  for (double& e : x) e = 1.5 * g.normal();
  ssm_options opt;
  opt.probes = 3;  // tangents come 2 at a time: the second evaluation has an unused tangent
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(101);
  const auto r = run_ssm(cpu(), rng, model, x, opt);

  double trace_p = 0;
  for (int i = 0; i < D; ++i) trace_p += model.precision(i, i);
  std::vector<double> ssm_ref(n), vr_ref(n), ism_ref(n);
  for (std::size_t s = 0; s < n; ++s) {
    double score[D], score_abs[D], norm2 = 0, norm2_abs = 0;
    for (int i = 0; i < D; ++i) {
      score[i] = score_abs[i] = 0;
      for (int j = 0; j < D; ++j) {
        score[i] -= model.precision(i, j) * (x[s * D + j] - model.mean[j]);
        score_abs[i] += std::fabs(model.precision(i, j) * (x[s * D + j] - model.mean[j]));
      }
      norm2 += score[i] * score[i];
      norm2_abs += score_abs[i] * score_abs[i];
    }
    double quad_sum = 0, div_sum = 0, quad_abs = 0, div_sum_abs = 0;
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      double proj_abs = 0, div = 0, div_abs = 0;
      for (int i = 0; i < D; ++i) {
        proj_abs += std::fabs(v[i]) * score_abs[i];
        for (int k = 0; k < D; ++k) {
          div -= v[i] * model.precision(i, k) * v[k];
          div_abs += std::fabs(v[i] * model.precision(i, k) * v[k]);
        }
      }
      const double proj = dot<D>(v, score);
      // Sums of ≤ 64 products in double: error ≤ ~64ε·Σ|terms|; 1e-13 relative to Σ|terms|.
      EXPECT_NEAR(r.projections[s * opt.probes + j], proj, 1e-13 * proj_abs) << s << "," << j;
      EXPECT_NEAR(r.divergences[s * opt.probes + j], div, 1e-13 * div_abs) << s << "," << j;
      quad_sum += proj * proj + 2 * div;
      div_sum += div;
      quad_abs += proj_abs * proj_abs + 2 * div_abs;
      div_sum_abs += div_abs;
    }
    ssm_ref[s] = quad_sum / opt.probes;
    vr_ref[s] = norm2 + 2 * div_sum / opt.probes;
    ism_ref[s] = norm2 - 2 * trace_p;
    // Same budget for the per-sample terms, relative to the sums of absolute values entering them.
    EXPECT_NEAR(r.ssm_ps[s], ssm_ref[s], 1e-12 * quad_abs / opt.probes) << s;
    EXPECT_NEAR(r.ssm_vr_ps[s], vr_ref[s], 1e-12 * (norm2_abs + 2 * div_sum_abs / opt.probes)) << s;
    EXPECT_NEAR(r.ism_ps[s], ism_ref[s], 1e-12 * (norm2_abs + 2 * trace_p)) << s;
  }
  // The report is the mean and standard error of the per-sample values.
  const mean_se ssm = stats(r.ssm_ps), vr = stats(r.ssm_vr_ps), ism = stats(r.ism_ps);
  EXPECT_NEAR(r.report.ssm.value, ssm.mean, 1e-12 * (std::fabs(ssm.mean) + ssm.se + 1));
  EXPECT_NEAR(r.report.ssm.std_error, ssm.se, 1e-9 * ssm.se);
  EXPECT_NEAR(r.report.ssm_vr.value, vr.mean, 1e-12 * (std::fabs(vr.mean) + vr.se + 1));
  EXPECT_NEAR(r.report.ssm_vr.std_error, vr.se, 1e-9 * vr.se);
  ASSERT_TRUE(r.report.ism.has_value());
  EXPECT_NEAR(r.report.ism->value, ism.mean, 1e-12 * (std::fabs(ism.mean) + ism.se + 1));
  EXPECT_NEAR(r.report.ism->std_error, ism.se, 1e-9 * ism.se);
  EXPECT_EQ(r.report.ssm.count, n);
  EXPECT_EQ(r.report.used, backend::cpu);
}

TEST_P(SsmClosedForm, DiagonalGaussianDivergencesAndIsm) {
  // S_i = −λ_i(x_i − m_i), J = −diag(λ): q = −Σ λ_i v_i², ISM = ‖S‖² − 2 Σ λ_i. D = 16 with M = 8
  // (one evaluation of 8 tangents; orthogonal blocks of 8 < D).
  constexpr int D = 16;
  std::array<double, D> mean{}, prec{};
  for (int i = 0; i < D; ++i) {
    mean[i] = 0.1 * i - 0.7;
    prec[i] = 0.25 + 0.3 * i;
  }
  const diagonal_gaussian_score<double, D> model(mean, prec);
  const std::size_t n = 45;
  test_rng g(23);
  std::vector<double> x(n * D);
  for (double& e : x) e = g.normal();
  ssm_options opt;
  opt.probes = 8;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(24);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  double sum_prec = 0;
  for (double l : prec) sum_prec += l;
  for (std::size_t s = 0; s < n; ++s) {
    double score[D], norm2 = 0;
    for (int i = 0; i < D; ++i) {
      score[i] = -prec[i] * (x[s * D + i] - mean[i]);
      norm2 += score[i] * score[i];
    }
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      double div = 0, proj_abs = 0;
      for (int i = 0; i < D; ++i) {
        div -= prec[i] * v[i] * v[i];
        proj_abs += std::fabs(v[i] * score[i]);
      }
      // Sums of 16 terms: 1e-13 relative to the sum of absolute values (here |div| itself).
      EXPECT_NEAR(r.divergences[s * opt.probes + j], div, 1e-13 * std::fabs(div)) << s << "," << j;
      EXPECT_NEAR(r.projections[s * opt.probes + j], dot<D>(v, score), 1e-13 * proj_abs);
    }
    EXPECT_NEAR(r.ism_ps[s], norm2 - 2 * sum_prec, 1e-13 * (norm2 + 2 * sum_prec)) << s;
  }
}

template <int D>
void check_mixture_closed_form(probe_law law, std::uint32_t probes, const std::vector<double>& x,
                               std::uint64_t seed) {
  const auto params = random_mixture_params<D>(seed);
  const auto model = make_mixture<double, D>(params);
  const std::size_t n = x.size() / D;
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  opt.exact_ism = true;
  rng_stream rng(seed + 1);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  for (std::size_t s = 0; s < n; ++s) {
    const auto cf = mixture_closed_form<D>(params, &x[s * D]);
    double norm2 = 0, trace = 0;
    for (int i = 0; i < D; ++i) {
      norm2 += cf.score[i] * cf.score[i];
      trace += cf.jac[i][i];
    }
    double div_sum = 0;
    for (std::uint32_t j = 0; j < probes; ++j) {
      const double* v = &r.probes[(s * probes + j) * D];
      const double v2 = dot<D>(v, v);
      const double div = quad_form<D>(v, cf.jac);
      // J's entries come out of sums of O(C·D) terms of size ≤ scale; both sides carry rounding
      // errors ~1e-15·scale·‖v‖². 1e-11 relative leaves a wide margin; a wrong J is off by O(1).
      EXPECT_NEAR(r.projections[s * probes + j], dot<D>(v, cf.score),
                  1e-11 * D * std::sqrt(v2 * cf.scale))
          << "sample " << s << " probe " << j;
      EXPECT_NEAR(r.divergences[s * probes + j], div, 1e-11 * v2 * cf.scale)
          << "sample " << s << " probe " << j;
      ASSERT_TRUE(std::isfinite(r.divergences[s * probes + j]));
      div_sum += div;
    }
    EXPECT_NEAR(r.ism_ps[s], norm2 + 2 * trace, 1e-11 * D * cf.scale) << "sample " << s;
    EXPECT_NEAR(r.ssm_vr_ps[s], norm2 + 2 * div_sum / probes, 1e-11 * D * D * cf.scale)
        << "sample " << s;
    ASSERT_TRUE(std::isfinite(r.ssm_ps[s]) && std::isfinite(r.ism_ps[s]));
  }
}

TEST_P(SsmClosedForm, MixtureDivergencesAndExactTraceMatchDerivedJacobian) {
  // D = 2 (one ISM evaluation with 2 tangents) and D = 16 (two evaluations of 8 tangents);
  // M = 5 probes: one evaluation of 4 tangents, then one of 1 (the other tangents unused).
  const auto x2 = mixture_samples<2>(random_mixture_params<2>(5), 150, 6);
  check_mixture_closed_form<2>(GetParam(), 5, x2, 5);
  const auto x16 = mixture_samples<16>(random_mixture_params<16>(7), 150, 8);
  check_mixture_closed_form<16>(GetParam(), 5, x16, 7);
}

TEST_P(SsmClosedForm, MixtureFarFromEveryComponentIsFiniteAndExact) {
  // At |x| ~ 1e3 every responsibility but one underflows (logits differ by ~1e5); the softmax
  // shift keeps them finite, and J = −Λ_c of the surviving component.
  std::vector<double> x2 = {1e3, 1e3, -1e3, 1e3, 1e3, -1e3, -1e3, -1e3, 1e3, 0.5, 0.0, -1e3};
  check_mixture_closed_form<2>(GetParam(), 3, x2, 5);
  std::vector<double> x16(3 * 16);
  for (std::size_t k = 0; k < x16.size(); ++k) x16[k] = (k % 3 == 0 ? -1e3 : 1e3);
  check_mixture_closed_form<16>(GetParam(), 3, x16, 7);
  // And the reported losses are finite.
  const auto model = make_mixture<double, 16>(random_mixture_params<16>(7));
  ssm_options opt;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(1);
  const auto report = sliced_score_matching(cpu(), rng, model, x16, opt);
  EXPECT_TRUE(std::isfinite(report.ssm.value) && std::isfinite(report.ssm.std_error));
  EXPECT_TRUE(std::isfinite(report.ssm_vr.value) && std::isfinite(report.ism->value));
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmClosedForm, ::testing::ValuesIn(all_laws), law_name);

}  // namespace
}  // namespace scorepath
