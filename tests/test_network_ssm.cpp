// Sliced score matching at run-time D (training/network_ssm.hpp) and with the caller's own probes
// (ssm_given_probes.hpp): the network engine against the compiled mlp_score engine probe for
// probe; at a D no model is compiled for, projections and divergences against central finite
// differences of the network's scores and ISM against the finite-difference trace; the caller's
// probes fed back give the drawn call's numbers; the same numbers for 1 and 2 threads; bad input
// refused before anything is written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "scorepath/jacobian.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/ssm_given_probes.hpp"
#include "scorepath/training/network_scores.hpp"
#include "scorepath/training/network_ssm.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

std::vector<double> random_samples(std::size_t n, int d, std::uint64_t seed) {
  test_rng g(seed);
  std::vector<double> x(n * d);
  for (double& e : x) e = g.normal();
  return x;
}

/// Every output of one call, NaN-filled first so that a gap shows.
struct network_run {
  ssm_report report;
  std::vector<double> projections, divergences, probes, ssm_ps, ssm_vr_ps, ism_ps;
  ssm_outputs<double> outputs() {
    ssm_outputs<double> out;
    out.projections = host_output(projections.data(), projections.size());
    out.divergences = host_output(divergences.data(), divergences.size());
    out.probes = host_output(probes.data(), probes.size());
    out.ssm_per_sample = host_output(ssm_ps.data(), ssm_ps.size());
    out.ssm_vr_per_sample = host_output(ssm_vr_ps.data(), ssm_vr_ps.size());
    if (!ism_ps.empty()) out.ism_per_sample = host_output(ism_ps.data(), ism_ps.size());
    return out;
  }
  network_run(std::size_t n, std::size_t m, int d, bool ism) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    projections.assign(n * m, nan);
    divergences.assign(n * m, nan);
    probes.assign(n * m * d, nan);
    ssm_ps.assign(n, nan);
    ssm_vr_ps.assign(n, nan);
    if (ism) ism_ps.assign(n, nan);
  }
};

network_run run_network(const context& ctx, std::uint64_t seed, const mlp_network<double>& net,
                        const std::vector<double>& x, const ssm_options& opt) {
  network_run r(x.size() / net.dim(), opt.probes, net.dim(), opt.exact_ism);
  rng_stream rng(seed);
  r.report = sliced_score_matching(ctx, rng, net, host_input(x.data(), x.size()), opt, r.outputs());
  return r;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tol,
                  const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t k = 0; k < got.size(); ++k) {
    ASSERT_NEAR(got[k], want[k], tol * (1 + std::fabs(want[k]))) << what << "[" << k << "]";
  }
}

class NetworkSsmLaws : public ::testing::TestWithParam<probe_law> {};

TEST_P(NetworkSsmLaws, AgreesWithTheCompiledMlpProbeForProbe) {
  constexpr int D = 2;
  const auto net = mlp_network<double>::random(D, {24, 24}, mlp_activation::softplus, 3);
  const mlp_score<double, D> compiled(net.hidden_widths(), net.activation(), net.parameters());
  const auto x = random_samples(1500, D, 8);  // two statistics blocks
  ssm_options opt;
  opt.probes = 3;
  opt.law = GetParam();
  opt.exact_ism = true;
  opt.half_scaling = GetParam() == probe_law::sphere;
  rng_stream ref_rng(77);
  const auto ref = run_ssm(cpu(), ref_rng, compiled, x, opt);
  const network_run got = run_network(cpu(), 77, net, x, opt);
  // Both evaluate the same network in double; only the order of the sums differs.
  expect_close(got.probes, ref.probes, 1e-13, "probes");
  expect_close(got.projections, ref.projections, 1e-11, "projections");
  expect_close(got.divergences, ref.divergences, 1e-11, "divergences");
  expect_close(got.ssm_ps, ref.ssm_ps, 1e-11, "ssm_per_sample");
  expect_close(got.ssm_vr_ps, ref.ssm_vr_ps, 1e-11, "ssm_vr_per_sample");
  expect_close(got.ism_ps, ref.ism_ps, 1e-11, "ism_per_sample");
  EXPECT_NEAR(got.report.ssm.value, ref.report.ssm.value, 1e-11);
  EXPECT_NEAR(got.report.ssm.std_error, ref.report.ssm.std_error, 1e-11);
  EXPECT_NEAR(got.report.ssm_vr.value, ref.report.ssm_vr.value, 1e-11);
  ASSERT_TRUE(got.report.ism.has_value());
  EXPECT_NEAR(got.report.ism->value, ref.report.ism->value, 1e-11);
  EXPECT_EQ(got.report.ssm.count, 1500u);
  EXPECT_EQ(got.report.rng.next_subsequence, ref.report.rng.next_subsequence);
}

INSTANTIATE_TEST_SUITE_P(Laws, NetworkSsmLaws, ::testing::ValuesIn(all_laws), law_name);

/// S(x) of @p net at one point.
std::vector<double> score_at(const mlp_network<double>& net, const std::vector<double>& x) {
  std::vector<double> s(x.size());
  network_scores(cpu(1), net, host_input(x.data(), x.size()), host_output(s.data(), s.size()));
  return s;
}

TEST(NetworkSsm, AtAnUncompiledDimensionMatchesFiniteDifferences) {
  constexpr int D = 5;  // no model is compiled for D = 5
  const auto net = mlp_network<double>::random(D, {32, 16}, mlp_activation::tanh, 11);
  const std::size_t n = 40;
  const auto x = random_samples(n, D, 12);
  ssm_options opt;
  opt.probes = 2;
  opt.exact_ism = true;
  const network_run r = run_network(cpu(), 5, net, x, opt);
  const double h = 1e-5;
  for (std::size_t s = 0; s < n; ++s) {
    const std::vector<double> xs(x.begin() + s * D, x.begin() + (s + 1) * D);
    const std::vector<double> score = score_at(net, xs);
    double norm2 = 0;
    for (double e : score) norm2 += e * e;
    double quad = 0, div_sum = 0;
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      std::vector<double> up = xs, down = xs;
      for (int i = 0; i < D; ++i) {
        up[i] += h * v[i];
        down[i] -= h * v[i];
      }
      const std::vector<double> s_up = score_at(net, up), s_down = score_at(net, down);
      double p = 0, q = 0;
      for (int i = 0; i < D; ++i) {
        p += v[i] * score[i];
        q += v[i] * (s_up[i] - s_down[i]) / (2 * h);
      }
      EXPECT_NEAR(r.projections[s * opt.probes + j], p, 1e-12 * (1 + std::fabs(p)));
      EXPECT_NEAR(r.divergences[s * opt.probes + j], q, 1e-7 * (1 + std::fabs(q)));
      quad += p * p + 2 * q;
      div_sum += q;
    }
    EXPECT_NEAR(r.ssm_ps[s], quad / opt.probes, 1e-6 * (1 + std::fabs(quad)));
    EXPECT_NEAR(r.ssm_vr_ps[s], norm2 + 2 * div_sum / opt.probes, 1e-6 * (1 + norm2));
    double trace = 0;
    for (int i = 0; i < D; ++i) {
      std::vector<double> up = xs, down = xs;
      up[i] += h;
      down[i] -= h;
      trace += (score_at(net, up)[i] - score_at(net, down)[i]) / (2 * h);
    }
    EXPECT_NEAR(r.ism_ps[s], norm2 + 2 * trace, 1e-6 * (1 + std::fabs(norm2 + 2 * trace)));
  }
}

TEST(NetworkSsm, TheTraceInChunksOfBasisVectorsMatchesTheCompiledMlpAndFiniteDifferences) {
  // D = 64: two full chunks of 32 basis vectors, against the compiled MLP's exact ISM.
  {
    constexpr int D = 64;
    const auto net = mlp_network<double>::random(D, {16}, mlp_activation::tanh, 7);
    const mlp_score<double, D> compiled(net.hidden_widths(), net.activation(), net.parameters());
    const auto x = random_samples(40, D, 8);
    ssm_options opt;
    opt.exact_ism = true;
    rng_stream ref_rng(3);
    const auto ref = run_ssm(cpu(), ref_rng, compiled, x, opt);
    const network_run got = run_network(cpu(), 3, net, x, opt);
    expect_close(got.ism_ps, ref.ism_ps, 1e-11, "ism_per_sample");
  }
  // D = 70: the last chunk padded with zero columns, against central differences.
  constexpr int D = 70;
  const auto net = mlp_network<double>::random(D, {12}, mlp_activation::softplus, 9);
  const auto x = random_samples(3, D, 10);
  ssm_options opt;
  opt.exact_ism = true;
  const network_run got = run_network(cpu(), 4, net, x, opt);
  for (int s = 0; s < 3; ++s) {
    const std::vector<double> xs(x.begin() + s * D, x.begin() + (s + 1) * D);
    const std::vector<double> score = score_at(net, xs);
    double norm2 = 0, trace = 0;
    for (int i = 0; i < D; ++i) {
      norm2 += score[i] * score[i];
      std::vector<double> up = xs, down = xs;
      up[i] += 1e-5;
      down[i] -= 1e-5;
      trace += (score_at(net, up)[i] - score_at(net, down)[i]) / 2e-5;
    }
    EXPECT_NEAR(got.ism_ps[s], norm2 + 2 * trace, 1e-6 * (1 + std::fabs(norm2 + 2 * trace)));
  }
}

TEST(NetworkSsm, TheCallersProbesFedBackGiveTheDrawnCallsNumbers) {
  constexpr int D = 7;
  const auto net = mlp_network<double>::random(D, {20}, mlp_activation::softplus, 21);
  const auto x = random_samples(300, D, 22);
  ssm_options opt;
  opt.probes = 4;
  opt.law = probe_law::orthogonal;
  const network_run drawn = run_network(cpu(), 9, net, x, opt);
  network_run given(300, 4, D, false);
  opt.law = probe_law::rademacher;  // not read with given probes
  given.report = sliced_score_matching_with_probes(
      cpu(), net, host_input(x.data(), x.size()),
      host_input(drawn.probes.data(), drawn.probes.size()), opt, given.outputs());
  EXPECT_EQ(given.probes, drawn.probes);
  EXPECT_EQ(given.divergences, drawn.divergences);
  EXPECT_EQ(given.ssm_ps, drawn.ssm_ps);
  EXPECT_EQ(given.report.ssm.value, drawn.report.ssm.value);
  EXPECT_EQ(given.report.ssm_vr.std_error, drawn.report.ssm_vr.std_error);
}

TEST(NetworkSsm, NumbersDoNotDependOnTheThreadCount) {
  const auto net = mlp_network<double>::random(3, {64, 64}, mlp_activation::elu, 4);
  const auto x = random_samples(2100, 3, 5);
  ssm_options opt;
  opt.probes = 2;
  opt.exact_ism = true;
  const network_run one = run_network(cpu(1), 13, net, x, opt);
  const network_run two = run_network(cpu(2), 13, net, x, opt);
  EXPECT_EQ(one.ssm_ps, two.ssm_ps);
  EXPECT_EQ(one.ism_ps, two.ism_ps);
  EXPECT_EQ(one.report.ssm.value, two.report.ssm.value);
  EXPECT_EQ(one.report.ssm_vr.std_error, two.report.ssm_vr.std_error);
  EXPECT_EQ(one.report.ism->value, two.report.ism->value);
}

TEST(NetworkSsm, FloatAgreesWithDoubleOnTheSameProbes) {
  const auto net = mlp_network<double>::random(10, {48, 48}, mlp_activation::softplus, 6);
  const mlp_network<float> net_f(10, net.hidden_widths(), net.activation(),
                                 std::vector<float>(net.parameters().begin(), net.parameters().end()));
  const auto x = random_samples(500, 10, 7);
  ssm_options opt;
  opt.probes = 3;
  opt.exact_ism = true;
  const network_run d = run_network(cpu(), 4, net, x, opt);
  // Float draws its own probes (from 32-bit words); the double call's are given to it instead.
  const std::vector<float> x_f(x.begin(), x.end()), v_f(d.probes.begin(), d.probes.end());
  const auto f = sliced_score_matching_with_probes(cpu(), net_f, host_input(x_f.data(), x_f.size()),
                                                   host_input(v_f.data(), v_f.size()), opt);
  EXPECT_NEAR(f.ssm.value, d.report.ssm.value, 1e-4 * (1 + std::fabs(d.report.ssm.value)));
  EXPECT_NEAR(f.ssm_vr.value, d.report.ssm_vr.value, 1e-4 * (1 + std::fabs(d.report.ssm_vr.value)));
  EXPECT_NEAR(f.ism->value, d.report.ism->value, 1e-4 * (1 + std::fabs(d.report.ism->value)));
}

TEST(GivenProbes, ACompiledModelWithItsOwnDrawsFedBackGivesTheSameNumbers) {
  constexpr int D = 4;
  const auto model = random_gaussian<D>(31);
  const auto x = random_samples(1100, D, 32);
  ssm_options opt;
  opt.probes = 3;
  opt.law = probe_law::sphere;
  opt.exact_ism = true;
  rng_stream rng(40);
  const auto drawn = run_ssm(cpu(), rng, model, x, opt);
  const auto given = run_ssm_keeping_all<gaussian_score<double, D>>(
      x, opt, [&](const ssm_outputs<double>& out) {
        return sliced_score_matching_with_probes(cpu(), model, host_input(x.data(), x.size()),
                                                 host_input(drawn.probes.data(), drawn.probes.size()),
                                                 opt, out);
      });
  // The block engine evaluates SIMD packs with several tangents, this one sample by sample.
  expect_close(given.probes, drawn.probes, 0, "probes");
  expect_close(given.projections, drawn.projections, 1e-13, "projections");
  expect_close(given.divergences, drawn.divergences, 1e-13, "divergences");
  expect_close(given.ism_ps, drawn.ism_ps, 1e-13, "ism_per_sample");
  EXPECT_NEAR(given.report.ssm.value, drawn.report.ssm.value, 1e-12);
  EXPECT_NEAR(given.report.ssm_vr.std_error, drawn.report.ssm_vr.std_error, 1e-12);
}

TEST(GivenProbes, CoordinateProbesGiveTheExactTraceOfAGaussian) {
  // Probes √D·e_j, j < D, for every sample: (1/D)Σ_j D·e_jᵀJe_j = tr J = −tr P exactly.
  constexpr int D = 3;
  const auto model = random_gaussian<D>(50);
  const auto x = random_samples(10, D, 51);
  std::vector<double> probes(10 * D * D, 0.0);
  for (int s = 0; s < 10; ++s) {
    for (int j = 0; j < D; ++j) probes[(s * D + j) * D + j] = std::sqrt(double(D));
  }
  ssm_options opt;
  opt.probes = D;
  std::vector<double> div(10 * D);
  ssm_outputs<double> out;
  out.divergences = host_output(div.data(), div.size());
  sliced_score_matching_with_probes(cpu(), model, host_input(x.data(), x.size()),
                                    host_input(probes.data(), probes.size()), opt, out);
  const auto jac = exact_jacobian(model, vec<double, D>{});
  for (int s = 0; s < 10; ++s) {
    double mean = 0;
    for (int j = 0; j < D; ++j) mean += div[s * D + j] / D;
    double trace = 0;
    for (int i = 0; i < D; ++i) trace += jac(i, i);
    EXPECT_NEAR(mean, trace, 1e-12 * (1 + std::fabs(trace)));
  }
}

TEST(NetworkSsm, BadInputIsRefusedBeforeAnythingIsWritten) {
  const auto net = mlp_network<double>::random(3, {8}, mlp_activation::softplus, 1);
  const auto x = random_samples(4, 3, 2);
  ssm_options opt;
  opt.probes = 2;
  std::vector<double> probes(4 * 2 * 3, 0.5);
  std::vector<double> ssm_ps(4, -7.0);
  ssm_outputs<double> out;
  out.ssm_per_sample = host_output(ssm_ps.data(), ssm_ps.size());
  const auto refused = [&](auto call, const char* name) {
    EXPECT_EQ(parameter_of(call), name);
    for (double e : ssm_ps) EXPECT_EQ(e, -7.0) << name;
  };
  refused([&] {
    sliced_score_matching_with_probes(cpu(), net, host_input(x.data(), x.size()),
                                      host_input(probes.data(), probes.size() - 1), opt, out);
  }, "probes size");
  probes[5] = std::nan("");
  refused([&] {
    sliced_score_matching_with_probes(cpu(), net, host_input(x.data(), x.size()),
                                      host_input(probes.data(), probes.size()), opt, out);
  }, "probes[1][2]");
  refused([&] {
    rng_stream rng(1);
    sliced_score_matching(cpu(), rng, net, host_input(x.data(), x.size() - 1), opt, out);
  }, "samples size");
  refused([&] {
    rng_stream rng(1);
    ssm_options many = opt;
    many.probes = 1025;  // a tile holds every probe's column: at most 1024
    sliced_score_matching(cpu(), rng, net, host_input(x.data(), x.size()), many, out);
  }, "probes");
  noise_conditioning vp;
  vp.kind = conditioning_kind::vp;
  const auto conditioned = mlp_network<double>::random(3, {8}, mlp_activation::softplus, 1, vp);
  rng_stream rng(1);
  const std::uint64_t before = rng.state().next_subsequence;
  refused([&] {
    sliced_score_matching(cpu(), rng, conditioned, host_input(x.data(), x.size()), opt, out);
  }, "network conditioning");
  EXPECT_EQ(rng.state().next_subsequence, before);
}

}  // namespace
}  // namespace scorepath
