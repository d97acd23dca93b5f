// score_loss_gradient (training/loss_gradient.hpp): the gradient of every loss for every
// activation against central finite differences in double; the per-sample losses against
// sliced_score_matching with the same probes; a linear score S(x) = Wx + b against the exact
// ISM gradient (2/N)Σ(Wx + b)xᵀ + 2I and (2/N)Σ(Wx + b); the run-time probes against
// probe_generator; bitwise equality for 1 and 2 threads; bad input refused before drawing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "scorepath/probes.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/training/loss_gradient.hpp"
#include "scorepath/training/runtime_probes.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

std::vector<double> random_samples(std::size_t n, int d, std::uint64_t seed, double spread = 1.0) {
  test_rng g(seed);
  std::vector<double> x(n * d);
  for (double& e : x) e = spread * g.normal();
  return x;
}

double loss_at(const mlp_network<double>& net, const std::vector<double>& x,
               const loss_gradient_options& opt, std::uint64_t seed) {
  rng_stream rng(seed);
  return score_loss_gradient(cpu(1), rng, net, host_input(x.data(), x.size()), opt).loss.value;
}

std::vector<double> gradient_at(const context& ctx, const mlp_network<double>& net,
                                const std::vector<double>& x, const loss_gradient_options& opt,
                                std::uint64_t seed, loss_gradient_report* report = nullptr) {
  std::vector<double> g(net.parameters().size());
  rng_stream rng(seed);
  const auto r = score_loss_gradient(ctx, rng, net, host_input(x.data(), x.size()), opt,
                                     host_output(g.data(), g.size()));
  if (report != nullptr) *report = r;
  return g;
}

struct gradient_case {
  mlp_activation act;
  score_loss loss;
};

std::string case_name(const ::testing::TestParamInfo<gradient_case>& info) {
  return std::string(to_string(info.param.act)) + "_" + to_string(info.param.loss);
}

class GradientFiniteDifferences : public ::testing::TestWithParam<gradient_case> {};

TEST_P(GradientFiniteDifferences, EveryParameterAgreesWithCentralDifferences) {
  // 3 → 5 → 4 → 3: two hidden layers, so the sweep passes through σ'' twice.
  const auto net = mlp_network<double>::random(3, {5, 4}, GetParam().act, 12);
  const auto x = random_samples(7, 3, 4);
  loss_gradient_options opt;
  opt.loss = GetParam().loss;
  opt.probes = 3;
  opt.law = probe_law::rademacher;
  opt.noise_scale = 0.3;
  opt.half_scaling = GetParam().loss == score_loss::ssm;  // the scaled form once
  const std::uint64_t seed = 99;
  const std::vector<double> g = gradient_at(cpu(), net, x, opt, seed);
  std::vector<double> p = net.parameters();
  double worst = 0;
  for (std::size_t k = 0; k < p.size(); ++k) {
    const double h = 1e-5 * std::max(1.0, std::fabs(p[k]));
    std::vector<double> up = p, down = p;
    up[k] += h;
    down[k] -= h;
    const mlp_network<double> net_up(3, {5, 4}, GetParam().act, up);
    const mlp_network<double> net_down(3, {5, 4}, GetParam().act, down);
    const double fd = (loss_at(net_up, x, opt, seed) - loss_at(net_down, x, opt, seed)) / (2 * h);
    // Central differences in double: truncation O(h²) and rounding O(ε/h) ≈ 1e-11 each, on
    // losses of order 1–10: 1e-6 relative to max(1, |∂|) leaves a wide margin.
    const double err = std::fabs(g[k] - fd) / std::max(1.0, std::fabs(fd));
    worst = std::max(worst, err);
    EXPECT_LT(err, 1e-6) << "parameter " << k << ": sweep " << g[k] << ", differences " << fd;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.2e", worst);
  RecordProperty("worst_relative_error", text);
}

std::vector<gradient_case> all_gradient_cases() {
  std::vector<gradient_case> out;
  for (mlp_activation act : {mlp_activation::softplus, mlp_activation::tanh, mlp_activation::silu,
                             mlp_activation::elu}) {
    for (score_loss loss : {score_loss::ssm, score_loss::ssm_vr, score_loss::ism, score_loss::dsm}) {
      out.push_back({act, loss});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Losses, GradientFiniteDifferences,
                         ::testing::ValuesIn(all_gradient_cases()), case_name);

TEST(LossGradient, PerSampleLossesMatchSlicedScoreMatchingWithTheSameProbes) {
  constexpr int D = 3;
  const auto net = mlp_network<double>::random(D, {16, 16}, mlp_activation::tanh, 5);
  const mlp_score<double, D> same(net.hidden_widths(), net.activation(), net.parameters());
  const auto x = random_samples(45, D, 6);
  for (probe_law law : all_laws) {
    ssm_options sopt;
    sopt.probes = 5;
    sopt.law = law;
    sopt.exact_ism = true;
    rng_stream srng(31);
    const auto ref = run_ssm(cpu(), srng, same, x, sopt);
    for (score_loss loss : {score_loss::ssm, score_loss::ssm_vr, score_loss::ism}) {
      loss_gradient_options opt;
      opt.loss = loss;
      opt.probes = 5;
      opt.law = law;
      rng_stream rng(31);
      const auto r = score_loss_gradient(cpu(), rng, net, host_input(x.data(), x.size()), opt);
      const auto& want = loss == score_loss::ssm      ? ref.report.ssm
                         : loss == score_loss::ssm_vr ? ref.report.ssm_vr
                                                      : *ref.report.ism;
      // Two evaluations of one network in double, summed in different orders.
      EXPECT_NEAR(r.loss.value, want.value, 1e-11 * (1 + std::fabs(want.value)))
          << to_string(law) << " " << to_string(loss);
      EXPECT_NEAR(r.loss.std_error, want.std_error, 1e-9 * (1 + want.std_error))
          << to_string(law) << " " << to_string(loss);
      EXPECT_EQ(r.rng.next_subsequence, ref.report.rng.next_subsequence);
    }
  }
}

TEST(LossGradient, RuntimeProbesAreTheCompiledGeneratorsDraws) {
  constexpr int D = 5;
  for (probe_law law : all_laws) {
    std::vector<double> runtime(7 * D), basis(D * D);
    detail::draw_runtime_probes(law, 7, D, 1234, 987654321ull, runtime.data(), basis.data());
    std::uint32_t lo = 0, hi = 0;
    detail::subsequence_lanes<double>(987654321ull, 0, lo, hi);
    auto check = [&](auto law_tag) {
      probe_generator<decltype(law_tag)::value, double, D> gen(7, 1234, lo, hi);
      for (int j = 0; j < 7; ++j) {
        vec<double, D> v;
        gen.next(v);
        for (int i = 0; i < D; ++i) {
          EXPECT_TRUE(same_bits(v[i], runtime[j * D + i])) << to_string(law) << " " << j << "," << i;
        }
      }
    };
    switch (law) {
      case probe_law::gaussian: check(std::integral_constant<probe_law, probe_law::gaussian>{}); break;
      case probe_law::rademacher:
        check(std::integral_constant<probe_law, probe_law::rademacher>{});
        break;
      case probe_law::sphere: check(std::integral_constant<probe_law, probe_law::sphere>{}); break;
      case probe_law::orthogonal:
        check(std::integral_constant<probe_law, probe_law::orthogonal>{});
        break;
    }
  }
}

TEST(LossGradient, LinearScoreHasTheExactIsmGradient) {
  // No hidden layer: S(x) = Wx + b, J = W, ISM = ‖Wx + b‖² + 2 tr W.
  constexpr int D = 4;
  const auto net = mlp_network<double>::random(D, {}, mlp_activation::softplus, 8);
  const auto x = random_samples(301, D, 9, 2.0);
  loss_gradient_options opt;
  opt.loss = score_loss::ism;
  const std::vector<double> g = gradient_at(cpu(), net, x, opt, 1);
  const double* w = net.parameters().data();
  const double* b = w + D * D;
  std::vector<double> want(D * D + D, 0.0);
  double loss = 0;
  const std::size_t n = x.size() / D;
  for (std::size_t s = 0; s < n; ++s) {
    for (int j = 0; j < D; ++j) {
      double r = b[j];
      for (int i = 0; i < D; ++i) r += w[j * D + i] * x[s * D + i];
      loss += r * r;
      for (int i = 0; i < D; ++i) want[j * D + i] += 2 * r * x[s * D + i] / n;
      want[D * D + j] += 2 * r / n;
    }
  }
  for (int j = 0; j < D; ++j) {
    want[j * D + j] += 2;
    loss += 2.0 * n * w[j * D + j];
  }
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_NEAR(g[k], want[k], 1e-12 * (1 + std::fabs(want[k]))) << k;
  }
  EXPECT_NEAR(loss_at(net, x, opt, 1), loss / n, 1e-12 * (1 + std::fabs(loss / n)));
}

TEST(LossGradient, BitwiseEqualForOneAndTwoThreads) {
  const auto net = mlp_network<double>::random(2, {32, 32}, mlp_activation::silu, 3);
  const auto x = random_samples(1000, 2, 10);  // 63 tiles, the last one partial
  for (score_loss loss : {score_loss::ssm, score_loss::ssm_vr, score_loss::ism, score_loss::dsm}) {
    loss_gradient_options opt;
    opt.loss = loss;
    opt.probes = 2;
    loss_gradient_report r1, r2;
    const auto g1 = gradient_at(cpu(1), net, x, opt, 17, &r1);
    const auto g2 = gradient_at(cpu(2), net, x, opt, 17, &r2);
    EXPECT_TRUE(same_bits(g1, g2)) << to_string(loss);
    EXPECT_TRUE(same_bits(r1.loss.value, r2.loss.value)) << to_string(loss);
  }
}

TEST(LossGradient, BadInputIsRefusedBeforeTheStreamMoves) {
  const auto net = mlp_network<double>::random(2, {4}, mlp_activation::tanh, 3);
  std::vector<double> x = random_samples(5, 2, 1);
  std::vector<double> g(net.parameters().size());
  auto refused = [&](const loss_gradient_options& opt, const std::vector<double>& samples,
                     std::size_t gradient_size, const char* name) {
    rng_stream rng(4);
    try {
      score_loss_gradient(cpu(), rng, net, host_input(samples.data(), samples.size()), opt,
                          host_output(g.data(), gradient_size));
      ADD_FAILURE() << name << " accepted";
    } catch (const invalid_argument_error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
    EXPECT_EQ(rng.state().next_subsequence, 0u) << name;
  };
  loss_gradient_options opt;
  refused(opt, std::vector<double>(3, 0.5), g.size(), "samples size");
  refused(opt, x, g.size() - 1, "gradient size");
  std::vector<double> bad = x;
  bad[3] = std::nan("");
  refused(opt, bad, g.size(), "samples[1][1]");
  loss_gradient_options zero_probes;
  zero_probes.probes = 0;
  refused(zero_probes, x, g.size(), "probes");
  loss_gradient_options no_noise;
  no_noise.loss = score_loss::dsm;
  no_noise.noise_scale = 0;
  refused(no_noise, x, g.size(), "noise_scale");
  try {
    mlp_network<double>(2, {4}, static_cast<mlp_activation>(7), net.parameters());
    ADD_FAILURE() << "an activation out of range was accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("'activation' = 7"), std::string::npos) << e.what();
  }
  loss_gradient_options bad_loss;
  bad_loss.loss = static_cast<score_loss>(9);
  refused(bad_loss, x, g.size(), "loss");
}

}  // namespace
}  // namespace scorepath
