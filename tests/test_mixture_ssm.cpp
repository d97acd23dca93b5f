// Sliced score matching of a run-time-D diagonal mixture (mixture_ssm.hpp): against the compiled
// gaussian_mixture_score with the same parameters, probe for probe; the closed-form J v against
// central finite differences of the exact score at a D no model is compiled for; the ISM term
// against the finite-difference trace; the caller's probes fed back; bad input refused.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "scorepath/mixture_ssm.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

/// K components in D dimensions with weights, means and variances from @p seed.
diagonal_mixture random_mixture(int d, int k, std::uint64_t seed) {
  test_rng g(seed);
  diagonal_mixture mix;
  mix.dim = d;
  for (int c = 0; c < k; ++c) {
    mix.weights.push_back(g.uniform(0.5, 1.5));
    for (int i = 0; i < d; ++i) {
      mix.means.push_back(g.uniform(-2.0, 2.0));
      mix.variances.push_back(g.uniform(0.3, 1.5));
    }
  }
  return mix;
}

std::vector<double> random_points(std::size_t n, int d, std::uint64_t seed) {
  test_rng g(seed);
  std::vector<double> x(n * d);
  for (double& e : x) e = 1.5 * g.normal();
  return x;
}

class MixtureSsmLaws : public ::testing::TestWithParam<probe_law> {};

TEST_P(MixtureSsmLaws, AgreesWithTheCompiledMixtureProbeForProbe) {
  constexpr int D = 3, K = 4;
  const diagonal_mixture mix = random_mixture(D, K, 5);
  std::array<double, K> w{};
  std::array<double, K * D> mu{}, var{};
  for (int c = 0; c < K; ++c) w[c] = mix.weights[c];
  for (int j = 0; j < K * D; ++j) {
    mu[j] = mix.means[j];
    var[j] = mix.variances[j];
  }
  const gaussian_mixture_score<double, D, K> compiled(w, mu, var);
  const auto x = random_points(1200, D, 6);
  ssm_options opt;
  opt.probes = 3;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream ref_rng(21), rng(21);
  const auto ref = run_ssm(cpu(), ref_rng, compiled, x, opt);
  const auto got = run_ssm_keeping_all<gaussian_mixture_score<double, D, K>>(
      x, opt, [&](const ssm_outputs<double>& out) {
        return sliced_score_matching(cpu(), rng, mix, x, opt, out);
      });
  auto close = [](const std::vector<double>& a, const std::vector<double>& b, const char* what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t k = 0; k < a.size(); ++k) {
      ASSERT_NEAR(a[k], b[k], 1e-10 * (1 + std::fabs(b[k]))) << what << "[" << k << "]";
    }
  };
  close(got.probes, ref.probes, "probes");
  close(got.projections, ref.projections, "projections");
  close(got.divergences, ref.divergences, "divergences");
  close(got.ssm_ps, ref.ssm_ps, "ssm_per_sample");
  close(got.ism_ps, ref.ism_ps, "ism_per_sample");
  EXPECT_NEAR(got.report.ssm.value, ref.report.ssm.value, 1e-10);
  EXPECT_NEAR(got.report.ssm_vr.std_error, ref.report.ssm_vr.std_error, 1e-10);
  EXPECT_NEAR(got.report.ism->value, ref.report.ism->value, 1e-10);
}

INSTANTIATE_TEST_SUITE_P(Laws, MixtureSsmLaws, ::testing::ValuesIn(all_laws), law_name);

TEST(MixtureSsm, DivergencesAndTraceMatchFiniteDifferencesOfTheExactScore) {
  constexpr int D = 7;  // no mixture is compiled for D = 7
  const diagonal_mixture mix = random_mixture(D, 5, 9);
  const std::size_t n = 30;
  const auto x = random_points(n, D, 10);
  ssm_options opt;
  opt.probes = 2;
  opt.exact_ism = true;
  std::vector<double> probes(n * 2 * D), div(n * 2), ism(n);
  ssm_outputs<double> out;
  out.probes = host_output(probes.data(), probes.size());
  out.divergences = host_output(div.data(), div.size());
  out.ism_per_sample = host_output(ism.data(), ism.size());
  rng_stream rng(3);
  sliced_score_matching(cpu(), rng, mix, x, opt, out);
  const double h = 1e-5;
  auto score = [&](std::vector<double> at) {
    std::vector<double> s(D);
    diffused_mixture_score(mix, 1.0, 0.0, at.data(), s.data());
    return s;
  };
  for (std::size_t s = 0; s < n; ++s) {
    const std::vector<double> xs(x.begin() + s * D, x.begin() + (s + 1) * D);
    for (int j = 0; j < 2; ++j) {
      const double* v = &probes[(s * 2 + j) * D];
      std::vector<double> up = xs, down = xs;
      for (int i = 0; i < D; ++i) {
        up[i] += h * v[i];
        down[i] -= h * v[i];
      }
      const auto su = score(up), sd = score(down);
      double q = 0;
      for (int i = 0; i < D; ++i) q += v[i] * (su[i] - sd[i]) / (2 * h);
      EXPECT_NEAR(div[s * 2 + j], q, 1e-6 * (1 + std::fabs(q))) << s << " " << j;
    }
    const auto s0 = score(xs);
    double norm2 = 0, trace = 0;
    for (int i = 0; i < D; ++i) {
      norm2 += s0[i] * s0[i];
      std::vector<double> up = xs, down = xs;
      up[i] += h;
      down[i] -= h;
      trace += (score(up)[i] - score(down)[i]) / (2 * h);
    }
    EXPECT_NEAR(ism[s], norm2 + 2 * trace, 1e-6 * (1 + std::fabs(norm2 + 2 * trace))) << s;
  }
}

TEST(MixtureSsm, TheCallersProbesFedBackGiveTheDrawnCallsNumbers) {
  const diagonal_mixture mix = random_mixture(5, 3, 12);
  const auto x = random_points(700, 5, 13);
  const std::vector<float> xf(x.begin(), x.end());
  ssm_options opt;
  opt.probes = 2;
  std::vector<float> probes(700 * 2 * 5), ssm_drawn(700), ssm_given(700);
  ssm_outputs<float> drawn_out, given_out;
  drawn_out.probes = host_output(probes.data(), probes.size());
  drawn_out.ssm_per_sample = host_output(ssm_drawn.data(), ssm_drawn.size());
  given_out.ssm_per_sample = host_output(ssm_given.data(), ssm_given.size());
  rng_stream rng(8);
  const auto drawn = sliced_score_matching(cpu(2), rng, mix, xf, opt, drawn_out);
  const auto given = sliced_score_matching_with_probes(
      cpu(1), mix, host_input(xf.data(), xf.size()), host_input(probes.data(), probes.size()), opt,
      given_out);
  EXPECT_EQ(ssm_given, ssm_drawn);
  EXPECT_EQ(given.ssm.value, drawn.ssm.value);
  EXPECT_EQ(given.ssm_vr.std_error, drawn.ssm_vr.std_error);
}

TEST(MixtureSsm, BadInputIsRefused) {
  diagonal_mixture mix = random_mixture(2, 2, 1);
  const std::vector<double> x(8, 0.0);
  ssm_options opt;
  rng_stream rng(1);
  mix.variances[3] = -1.0;
  EXPECT_EQ(parameter_of([&] { sliced_score_matching(cpu(), rng, mix, x, opt); }), "variances[3]");
  mix = random_mixture(2, 2, 1);
  EXPECT_EQ(parameter_of([&] {
              sliced_score_matching(cpu(), rng, mix, std::vector<double>(7, 0.0), opt);
            }),
            "samples size");
  const std::vector<double> probes(3, 1.0);
  EXPECT_EQ(parameter_of([&] {
              sliced_score_matching_with_probes(cpu(), mix, host_input(x.data(), x.size()),
                                                host_input(probes.data(), probes.size()), opt);
            }),
            "probes size");
  EXPECT_EQ(rng.state().next_subsequence, 0u);
}

}  // namespace
}  // namespace scorepath
