// Sliced score matching (ssm.hpp) on the CPU backend over many reduction blocks: the reported SSM,
// SSM-VR and ISM values and standard errors against the same quantities recomputed here from the
// per-probe outputs (projections, divergences) and the score and Jacobian trace at each sample
// (closed forms, or the model evaluated on scalars), summed by a plain loop in long double. The
// sample counts are far above the reduction block, and not multiples of it, so the merge of the
// block partial sums (its weights and its cross term) decides the report.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scorepath/moments.hpp"
#include "scorepath/scores/mlp.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

/// ‖S(x)‖² and tr J(x) at one sample, computed without the library's SSM code. A NaN trace means
/// none is known in closed form: the library's own per-sample ISM term is used then.
struct score_terms {
  double norm2 = 0;
  double trace = NAN;
};
template <int D>
using reference_terms = std::function<score_terms(const double* x)>;

/// Mean and standard error (unbiased variance) of @p v by a plain two-pass loop in long double.
struct long_double_stats {
  long double mean = 0, se = 0, mean_abs = 0, rms = 0;
};
long_double_stats long_double_mean_se(const std::vector<long double>& v) {
  long_double_stats s;
  const long double n = static_cast<long double>(v.size());
  long double sum = 0, sum_abs = 0, sum_sq = 0;
  for (long double x : v) {
    sum += x;
    sum_abs += std::fabs(x);
    sum_sq += x * x;
  }
  s.mean = sum / n;
  s.mean_abs = sum_abs / n;
  s.rms = std::sqrt(sum_sq / n);
  long double m2 = 0;
  for (long double x : v) m2 += (x - s.mean) * (x - s.mean);
  s.se = std::sqrt(m2 / (n - 1) / n);
  return s;
}

/**
 * The report's value and standard error against the long double recomputation.
 *
 * Value: the library sums ~N doubles in blocks; its rounding error is ≲ (log N + blocks)·ε·Σ|x|,
 * so 1e-12·mean|x| is a wide bound. Standard error: relative rounding of the same order, plus the
 * effect of per-sample differences of ~1e-14·|x| between the two sides, ≤ 1e-13·rms|x|/√N; a bound
 * of 1e-9·SE + 1e-13·rms/√N holds both. Power: a merge that drops the between-block term of the
 * variance (or weighs blocks wrongly) moves the SE by ~(blocks − 1)/(2N) ≈ 5e-4 relative here, and
 * the mean by a sizeable fraction of the spread; the check below asserts that dropping the term
 * would be seen.
 */
void expect_estimate(const loss_estimate& got, const std::vector<long double>& per_sample,
                     const std::string& what) {
  const long_double_stats s = long_double_mean_se(per_sample);
  const double n = static_cast<double>(per_sample.size());
  EXPECT_EQ(got.count, per_sample.size()) << what;
  EXPECT_NEAR(got.value, static_cast<double>(s.mean), 1e-12 * static_cast<double>(s.mean_abs))
      << what << ": value";
  const double se_tol = 1e-9 * static_cast<double>(s.se) + 1e-13 * static_cast<double>(s.rms) /
                                                                std::sqrt(n);
  EXPECT_NEAR(got.std_error, static_cast<double>(s.se), se_tol) << what << ": standard error";

  // Teeth: the standard error that a merge without the between-block term would give (pooled
  // within-block sums of squares only) must lie far outside the bound.
  long double within = 0;
  const std::size_t block = statistics_block;
  for (std::size_t first = 0; first < per_sample.size(); first += block) {
    const std::size_t last = std::min(per_sample.size(), first + block);
    long double mean = 0;
    for (std::size_t k = first; k < last; ++k) mean += per_sample[k];
    mean /= static_cast<long double>(last - first);
    for (std::size_t k = first; k < last; ++k) within += (per_sample[k] - mean) * (per_sample[k] - mean);
  }
  const double se_without_cross_term = static_cast<double>(std::sqrt(within / (n - 1) / n));
  EXPECT_GT(std::fabs(se_without_cross_term - static_cast<double>(s.se)), 100 * se_tol)
      << what << ": the case cannot tell a merge without its cross term";
}

/// One run over x, every loss recomputed from the per-probe outputs and @p ref.
template <class Model>
void expect_report_matches_independent_sums(const Model& model, const std::vector<double>& x,
                                            probe_law law, std::uint32_t probes, int threads,
                                            std::uint64_t chunk, const reference_terms<Model::dim>& ref,
                                            std::uint64_t seed) {
  constexpr int D = Model::dim;
  const std::size_t n = x.size() / D;
  ASSERT_GT(n, 8 * statistics_block);
  ASSERT_NE(n % statistics_block, 0u) << "a partial last block is part of the case";
  const std::string what = "D=" + std::to_string(D) + " M=" + std::to_string(probes) + " " +
                           to_string(law) + " N=" + std::to_string(n);
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  opt.exact_ism = true;
  opt.chunk_samples = chunk;
  rng_stream rng(seed);
  const auto r = run_ssm(cpu(threads), rng, model, x, opt);

  std::vector<long double> ssm(n), vr(n), ism(n);
  for (std::size_t s = 0; s < n; ++s) {
    long double quad = 0, div = 0, quad_abs = 0;
    for (std::uint32_t j = 0; j < probes; ++j) {
      const long double p = r.projections[s * probes + j];
      const long double q = r.divergences[s * probes + j];
      quad += p * p + 2 * q;
      quad_abs += p * p + 2 * std::fabs(q);
      div += q;
    }
    const score_terms t = ref(&x[s * D]);
    ssm[s] = quad / probes;
    vr[s] = t.norm2 + 2 * div / probes;
    ism[s] = std::isnan(t.trace) ? static_cast<long double>(r.ism_ps[s])
                                 : t.norm2 + 2 * static_cast<long double>(t.trace);
    // The per-sample outputs agree with the recomputation (a bad per-sample term would otherwise
    // hide behind a matching sum).
    ASSERT_NEAR(r.ssm_ps[s], static_cast<double>(ssm[s]),
                1e-12 * static_cast<double>(quad_abs / probes + 1))
        << what << " sample " << s;
    ASSERT_NEAR(r.ssm_vr_ps[s], static_cast<double>(vr[s]),
                1e-10 * (std::fabs(static_cast<double>(vr[s])) + t.norm2 + 1))
        << what << " sample " << s;
    ASSERT_NEAR(r.ism_ps[s], static_cast<double>(ism[s]),
                1e-10 * (std::fabs(static_cast<double>(ism[s])) + t.norm2 + 1))
        << what << " sample " << s;
  }
  expect_estimate(r.report.ssm, ssm, what + " SSM");
  expect_estimate(r.report.ssm_vr, vr, what + " SSM-VR");
  ASSERT_TRUE(r.report.ism.has_value());
  expect_estimate(*r.report.ism, ism, what + " ISM");
}

TEST(SsmBlocks, FullGaussianReportIsTheSumOfItsPerSampleTerms) {
  // S(x) = −P(x − m), tr J = −tr P, written here from the stored parameters' definition.
  constexpr int D = 8;
  const auto model = random_gaussian<D>(3);
  double trace_p = 0;
  for (int i = 0; i < D; ++i) trace_p += model.precision(i, i);
  const reference_terms<D> ref = [&](const double* x) {
    score_terms t;
    for (int i = 0; i < D; ++i) {
      double s = 0;
      for (int j = 0; j < D; ++j) s -= model.precision(i, j) * (x[j] - model.mean[j]);
      t.norm2 += s * s;
    }
    t.trace = -trace_p;
    return t;
  };
  test_rng g(11);
  std::vector<double> x(10007 * D);
  for (double& e : x) e = 1.5 * g.normal();
  expect_report_matches_independent_sums(model, x, probe_law::gaussian, 1, 2, 0, ref, 12);
  expect_report_matches_independent_sums(model, x, probe_law::orthogonal, 3, 1, 3000, ref, 13);
}

TEST(SsmBlocks, MixtureReportIsTheSumOfItsPerSampleTerms) {
  // Score and trace from the closed form on the raw parameters.
  const auto p2 = random_mixture_params<2>(21);
  const reference_terms<2> ref2 = [&](const double* x) {
    const auto cf = mixture_closed_form<2>(p2, x);
    return score_terms{cf.score[0] * cf.score[0] + cf.score[1] * cf.score[1],
                       cf.jac[0][0] + cf.jac[1][1]};
  };
  const auto x2 = mixture_samples<2>(p2, 12289, 22);  // 12 full blocks and one of 1 sample
  expect_report_matches_independent_sums(make_mixture<double, 2>(p2), x2, probe_law::rademacher, 1,
                                         2, 0, ref2, 23);
  expect_report_matches_independent_sums(make_mixture<double, 2>(p2), x2, probe_law::sphere, 4, 2,
                                         2048, ref2, 24);

  const auto p16 = random_mixture_params<16>(25);
  const reference_terms<16> ref16 = [&](const double* x) {
    const auto cf = mixture_closed_form<16>(p16, x);
    score_terms t;
    t.trace = 0;
    for (int i = 0; i < 16; ++i) {
      t.norm2 += cf.score[i] * cf.score[i];
      t.trace += cf.jac[i][i];
    }
    return t;
  };
  const auto x16 = mixture_samples<16>(p16, 10500, 26);
  expect_report_matches_independent_sums(make_mixture<double, 16>(p16), x16, probe_law::gaussian, 3,
                                         2, 0, ref16, 27);
}

TEST(SsmBlocks, MlpReportIsTheSumOfItsPerSampleTerms) {
  // No closed form: the score from the model evaluated on scalars, the trace from the library's
  // per-sample ISM term (checked against finite differences in test_mlp.cpp).
  const auto model = mlp_score<double, 2>::random({16, 16}, mlp_activation::softplus, 31);
  const reference_terms<2> ref = [&](const double* x) {
    const vec<double, 2> s = model(vec<double, 2>{{x[0], x[1]}});
    return score_terms{s[0] * s[0] + s[1] * s[1], NAN};
  };
  test_rng g(32);
  std::vector<double> x(11000 * 2);
  for (double& e : x) e = g.normal();
  expect_report_matches_independent_sums(model, x, probe_law::rademacher, 2, 2, 0, ref, 33);
  expect_report_matches_independent_sums(model, x, probe_law::gaussian, 5, 1, 4096, ref, 34);
}

}  // namespace
}  // namespace scorepath
