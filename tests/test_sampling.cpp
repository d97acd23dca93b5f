// Samplers (sampling/samplers.hpp) against exact scores, and the quality measures
// (sampling/sample_quality.hpp) against closed forms: the diffused mixture's score against finite
// differences of its log density; the reverse VP SDE with the exact score reproduces a 1-D
// mixture's mean, variance and component weights; the probability-flow ODE converges pathwise at
// order 1 (Euler) and 2 (Heun); plain Langevin gets unequal mixing weights wrong at a fixed budget
// where the reverse SDE gets them right; samples are bitwise equal for 1 and 2 threads and split
// runs equal one run; energy distance and MMD² against their closed forms for two Gaussians, and
// MMD² unbiased when the laws are equal; bad input names its parameter.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/sampling/sample_quality.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "scorepath/training/network_scores.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

diagonal_mixture two_bumps(double w_left, double mean_left, double mean_right, double var) {
  diagonal_mixture m;
  m.dim = 1;
  m.weights = {w_left, 1 - w_left};
  m.means = {mean_left, mean_right};
  m.variances = {var, var};
  return m;
}

noise_conditioning vp_process() {
  noise_conditioning c;
  c.kind = conditioning_kind::vp;
  c.beta_min = 0.1;
  c.beta_max = 10.0;
  return c;
}

std::vector<double> run(const batch_score<double>& score, const sampler_options& opt,
                        std::uint64_t paths, std::uint64_t seed, int threads = 0,
                        sampler_report* report = nullptr) {
  std::vector<double> out(paths * score.dim);
  rng_stream rng(seed);
  const sampler_report r =
      sample_paths(cpu(threads), rng, score, opt, host_output(out.data(), out.size()));
  if (report != nullptr) *report = r;
  return out;
}

template <class F>
void expect_refused(F&& f, const std::string& name) {
  try {
    f();
    ADD_FAILURE() << name << " accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), name) << e.what();
  }
}

TEST(DiffusedMixture, ScoreIsTheGradientOfTheLogDensity) {
  diagonal_mixture m;
  m.dim = 3;
  m.weights = {0.2, 0.5, 0.3};
  m.means = {-1, 0, 2, 1, 1, -1, 0.5, -2, 0};
  m.variances = {0.3, 0.5, 0.2, 1.0, 0.4, 0.6, 0.25, 0.8, 1.2};
  check_diagonal_mixture(m);
  test_rng g(3);
  for (auto [alpha, sigma] : {std::pair{1.0, 0.0}, std::pair{0.7, 0.4}, std::pair{0.05, 0.99}}) {
    for (int trial = 0; trial < 20; ++trial) {
      double x[3] = {2 * g.normal(), 2 * g.normal(), 2 * g.normal()};
      double s[3];
      diffused_mixture_score(m, alpha, sigma, x, s);
      for (int i = 0; i < 3; ++i) {
        const double h = 1e-5;
        double up[3] = {x[0], x[1], x[2]}, down[3] = {x[0], x[1], x[2]};
        up[i] += h;
        down[i] -= h;
        const double fd = (diffused_mixture_log_density(m, alpha, sigma, up) -
                           diffused_mixture_log_density(m, alpha, sigma, down)) / (2 * h);
        EXPECT_NEAR(s[i], fd, 1e-6 * std::max(1.0, std::fabs(fd))) << alpha << " " << i;
      }
    }
  }
}

TEST(DiffusedMixture, BatchScoreEqualsThePointwiseScore) {
  diagonal_mixture m = ring_mixture_components(3);
  m.weights[2] = 0.5;  // unequal weights
  const auto evaluate = mixture_batch_score<double>(m).make_evaluator();
  test_rng g(4);
  std::vector<double> x(3 * 50), batch(x.size()), one(3);
  for (double& e : x) e = 3 * g.normal();
  for (auto [alpha, sigma] : {std::pair{1.0, 0.0}, std::pair{0.6, 0.8}}) {
    evaluate(x.data(), 50, alpha, sigma, batch.data());
    for (int p = 0; p < 50; ++p) {
      diffused_mixture_score(m, alpha, sigma, &x[3 * p], one.data());
      for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(batch[3 * p + i], one[i], 1e-12 * (1 + std::fabs(one[i]))) << p << "," << i;
      }
    }
  }
}

TEST(ReverseSde, ExactScoreReproducesTheMixture) {
  const diagonal_mixture m = two_bumps(0.3, -1.0, 1.5, 0.1);
  sampler_options opt;
  opt.kind = sampler_kind::reverse_sde;
  opt.process = vp_process();
  opt.steps = 500;
  const std::uint64_t n = 20000;
  const auto x = run(mixture_batch_score<double>(m), opt, n, 11);
  const mean_se moments = stats(x);
  const double mean = 0.3 * -1.0 + 0.7 * 1.5;
  const double second = 0.3 * (0.1 + 1.0) + 0.7 * (0.1 + 2.25);
  const double var = second - mean * mean;
  // Monte Carlo error plus the discretisation bias of 500 steps (below 0.01 here).
  EXPECT_NEAR(moments.mean, mean, 5 * moments.se + 0.01);
  EXPECT_NEAR(moments.var, var, 5 * std::sqrt((moments.kurtosis - 1) * var * var / n) + 0.02);
  const std::vector<double> fractions = mixture_component_fractions(m, x);
  EXPECT_NEAR(fractions[0], 0.3, 5 * std::sqrt(0.3 * 0.7 / n));
  std::printf("reverse SDE: mean %.4f (exact %.4f), variance %.4f (exact %.4f), left weight %.4f\n",
              moments.mean, mean, moments.var, var, fractions[0]);
  // Energy distance to fresh data of the same size, against two independent draws of the data.
  const auto data = draw_mixture(m, 4000, 5), more = draw_mixture(m, 4000, 6);
  const std::vector<double> head(x.begin(), x.begin() + 4000);
  const quality_estimate to_data = energy_distance(cpu(), head, data, 1);
  const quality_estimate reference = energy_distance(cpu(), more, data, 1);
  std::printf("energy distance %.5f, two draws of the data %.5f\n", to_data.value, reference.value);
  EXPECT_LT(to_data.value, 0.01);
  // The bound tells laws apart: equal weights instead of 0.3 and 0.7 are far above it.
  const auto wrong = draw_mixture(two_bumps(0.5, -1.0, 1.5, 0.1), 4000, 7);
  EXPECT_GT(energy_distance(cpu(), wrong, data, 1).value, 0.02);
}

TEST(ReverseSde, EulerMaruyamaWeakErrorHalvesWithTheStep) {
  // E[x²] of the samples against the exact second moment at 8, 16 and 32 steps, with
  // 4·10⁵ paths (standard error about 0.003, well below the biases measured).
  // Without the denoising step the samples are of the law at t_end, whose second moment is
  // α²·(0.2 + 1) + σ².
  const diagonal_mixture m = two_bumps(0.5, -1.0, 1.0, 0.2);
  sampler_options opt;
  opt.process = vp_process();
  opt.t_end = 0.01;
  opt.denoise = false;
  const double a = conditioning_alpha(opt.process, opt.t_end);
  const double exact = a * a * 1.2 + std::pow(conditioning_sigma(opt.process, opt.t_end), 2);
  std::vector<double> errors;
  for (std::uint64_t steps : {8u, 16u, 32u}) {
    opt.steps = steps;
    const auto x = run(mixture_batch_score<double>(m), opt, 400000, 21);
    std::vector<double> squares(x.size());
    for (std::size_t k = 0; k < x.size(); ++k) squares[k] = x[k] * x[k];
    const mean_se s = stats(squares);
    errors.push_back(s.mean - exact);
    std::printf("%3llu steps: E[x^2] error %+.4f (standard error %.4f)\n",
                static_cast<unsigned long long>(steps), s.mean - exact, s.se);
  }
  const double r1 = errors[0] / errors[1], r2 = errors[1] / errors[2];
  RecordProperty("weak_error_ratios", std::to_string(r1) + " " + std::to_string(r2));
  // Order one: each halving of the step about halves the error. Measured: 2.75 from 8 to 16
  // steps (still short of the asymptotic regime) and 1.90 from 16 to 32 (± 0.35 from the Monte
  // Carlo error of the smaller bias); an order-½ method would give 1.4, an order-2 one 4.
  EXPECT_GT(r1, 1.5);
  EXPECT_LT(r1, 3.5);
  EXPECT_GT(r2, 1.3);
  EXPECT_LT(r2, 3.0);
}

TEST(ProbabilityFlow, EulerConvergesAtOrderOneAndHeunAtOrderTwo) {
  const diagonal_mixture m = two_bumps(0.4, -1.0, 1.0, 0.2);
  const auto score = mixture_batch_score<double>(m);
  sampler_options opt;
  opt.process = vp_process();
  opt.t_end = 0.01;
  opt.denoise = false;
  opt.kind = sampler_kind::probability_flow_heun;
  opt.steps = 4096;
  const std::uint64_t n = 500;
  const auto reference = run(score, opt, n, 3);  // the same prior draws for every run
  auto error = [&](sampler_kind kind, std::uint64_t steps) {
    opt.kind = kind;
    opt.steps = steps;
    const auto x = run(score, opt, n, 3);
    double e = 0;
    for (std::uint64_t p = 0; p < n; ++p) e += std::fabs(x[p] - reference[p]);
    return e / n;
  };
  const double euler_ratio = error(sampler_kind::probability_flow_euler, 64) /
                             error(sampler_kind::probability_flow_euler, 128);
  const double heun_ratio = error(sampler_kind::probability_flow_heun, 64) /
                            error(sampler_kind::probability_flow_heun, 128);
  std::printf("error ratio on halving the step: Euler %.3f, Heun %.3f\n", euler_ratio, heun_ratio);
  RecordProperty("euler_ratio", std::to_string(euler_ratio));
  RecordProperty("heun_ratio", std::to_string(heun_ratio));
  EXPECT_GT(euler_ratio, 1.7);
  EXPECT_LT(euler_ratio, 2.4);
  EXPECT_GT(heun_ratio, 3.3);
  EXPECT_LT(heun_ratio, 4.8);
}

TEST(Langevin, UnequalWeightsAreWrongWhereTheReverseSdeIsRight) {
  // Well separated modes (±3, s = 0.3) with weights 0.2 and 0.8: Langevin from a wide start
  // leaves each path in the mode it first falls into, about half in each; the score cannot tell
  // it the weights. The reverse SDE starts where the modes have merged and gets them right.
  const diagonal_mixture m = two_bumps(0.2, -3.0, 3.0, 0.09);
  const auto score = mixture_batch_score<double>(m);
  const std::uint64_t n = 4000;
  const double se = std::sqrt(0.2 * 0.8 / n);
  sampler_options lang;
  lang.kind = sampler_kind::langevin;
  lang.steps = 2000;
  lang.step_size = 0.01;
  lang.initial_std = 3.0;
  const double langevin_left = mixture_component_fractions(m, run(score, lang, n, 1))[0];
  sampler_options rev;
  rev.kind = sampler_kind::reverse_sde;
  rev.process = vp_process();
  rev.steps = 500;
  const double reverse_left = mixture_component_fractions(m, run(score, rev, n, 1))[0];
  std::printf("left-mode weight 0.2: Langevin %.3f, reverse SDE %.3f\n", langevin_left, reverse_left);
  EXPECT_GT(std::fabs(langevin_left - 0.2), 0.15);
  EXPECT_NEAR(reverse_left, 0.2, 5 * se);
}

TEST(AnnealedLangevin, ExactScoreReproducesTheMixture) {
  const diagonal_mixture m = two_bumps(0.3, -2.0, 2.0, 0.1);
  sampler_options opt;
  opt.kind = sampler_kind::annealed_langevin;
  opt.process.kind = conditioning_kind::levels;
  for (double s = 5.0; s > 0.05; s *= 0.6) opt.process.levels.push_back(s);
  opt.steps = 100;
  opt.step_size = 2e-4;
  const std::uint64_t n = 8000;
  const auto x = run(mixture_batch_score<double>(m), opt, n, 4);
  const double left = mixture_component_fractions(m, x)[0];
  EXPECT_NEAR(left, 0.3, 5 * std::sqrt(0.21 / n));
  const mean_se moments = stats(x);
  EXPECT_NEAR(moments.mean, 0.3 * -2 + 0.7 * 2, 5 * moments.se + 0.02);
}

TEST(Samplers, BitwiseEqualForOneAndTwoThreadsAndSplitRunsEqualOneRun) {
  diagonal_mixture m = ring_mixture_components(2);
  const auto score = mixture_batch_score<double>(m);
  sampler_options opt;
  opt.process = vp_process();
  opt.steps = 40;
  opt.corrector_steps = 1;
  const auto one = run(score, opt, 300, 9, 1);
  const auto two = run(score, opt, 300, 9, 2);
  EXPECT_EQ(one, two);
  rng_stream rng(9);
  std::vector<double> split(600);
  sample_paths(cpu(), rng, score, opt, host_output(split.data(), 2 * 130));
  sample_paths(cpu(), rng, score, opt, host_output(split.data() + 2 * 130, 2 * 170));
  EXPECT_EQ(split, one);
}

TEST(Samplers, NetworkScoreEqualsNetworkScores) {
  noise_conditioning c = vp_process();
  const auto net = mlp_network<double>::random(3, {8}, mlp_activation::softplus, 2, c);
  const auto score = network_batch_score(net);
  ASSERT_TRUE(score.trained_for.has_value());
  const auto x = std::vector<double>{0.1, -0.4, 2.0, 1.0, 0.5, -0.3};
  std::vector<double> a(6), b(6);
  score.make_evaluator()(x.data(), 2, 0.9, 0.3, a.data());
  network_scores(cpu(), net, host_input(x.data(), 6), host_output(b.data(), 6), 0.3);
  EXPECT_EQ(a, b);
  // And a sampler runs on it, the process it was trained on.
  sampler_options opt;
  opt.process = c;
  opt.steps = 10;
  sampler_report r;
  const auto samples = run(score, opt, 70, 1, 0, &r);
  EXPECT_EQ(r.paths, 70u);
  EXPECT_EQ(r.score_evaluations, 11u);  // 10 steps and the denoising step
  EXPECT_EQ(r.non_finite_paths, 0u);
}

TEST(SampleQuality, EnergyDistanceAndMmdMatchTheirClosedFormsForTwoGaussians) {
  const std::uint64_t n = 3000;
  test_rng g(5);
  std::vector<double> x(n), y(n);
  for (double& e : x) e = g.normal();            // N(0, 1)
  for (double& e : y) e = 1.0 + 2.0 * g.normal();  // N(1, 4)
  const double pi = 3.141592653589793;
  // E|Z| for Z ~ N(μ, s²): s√(2/π)e^{−μ²/2s²} + μ(1 − 2Φ(−μ/s)).
  auto folded = [&](double mu, double s) {
    return s * std::sqrt(2 / pi) * std::exp(-mu * mu / (2 * s * s)) +
           mu * (1 - std::erfc(mu / (s * std::sqrt(2.0))));
  };
  const double exact_energy = 2 * folded(-1, std::sqrt(5.0)) - 2 / std::sqrt(pi) - 4 / std::sqrt(pi);
  const quality_estimate e = energy_distance(cpu(), x, y, 1);
  EXPECT_NEAR(e.value, exact_energy, 5 * e.std_error) << "exact " << exact_energy;
  // E k(X, Y) = √(h²/(h² + s₁² + s₂²))·exp(−(μ₁ − μ₂)²/(2(h² + s₁² + s₂²))).
  const double h = 0.8;
  auto expected_kernel = [&](double dm, double v) {
    return std::sqrt(h * h / (h * h + v)) * std::exp(-dm * dm / (2 * (h * h + v)));
  };
  const double exact_mmd =
      expected_kernel(0, 2) + expected_kernel(0, 8) - 2 * expected_kernel(1, 5);
  const quality_estimate k = mmd_squared(cpu(), x, y, 1, h);
  EXPECT_NEAR(k.value, exact_mmd, 5 * k.std_error) << "exact " << exact_mmd;
  // The sliced Wasserstein distance in 1-D is W₂ itself: for Gaussians √((μ₁−μ₂)² + (s₁−s₂)²).
  const quality_estimate w = sliced_wasserstein(x, y, 1, 4, 1);
  EXPECT_NEAR(w.value, std::sqrt(2.0), 0.08);
}

TEST(SampleQuality, MmdIsUnbiasedWhenTheLawsAreEqual) {
  test_rng g(8);
  std::vector<double> values;
  for (int rep = 0; rep < 400; ++rep) {
    std::vector<double> x(2 * 40), y(2 * 40);
    for (double& e : x) e = g.normal();
    for (double& e : y) e = g.normal();
    values.push_back(mmd_squared(cpu(1), x, y, 2, 1.0).value);
  }
  const mean_se m = stats(values);
  EXPECT_NEAR(m.mean, 0.0, 5 * m.se);
  EXPECT_GT(m.se, 0.0);
}

TEST(Samplers, BadInputNamesTheParameter) {
  const auto score = mixture_batch_score<double>(two_bumps(0.5, -1, 1, 0.1));
  std::vector<double> out(10, -3.0);
  auto refused = [&](const sampler_options& opt, const std::string& name,
                     const batch_score<double>& s) {
    rng_stream rng(1);
    expect_refused([&] { sample_paths(cpu(), rng, s, opt, host_output(out.data(), out.size())); },
                   name);
    EXPECT_EQ(rng.state().next_subsequence, 0u) << name;
  };
  sampler_options opt;
  opt.process = vp_process();
  opt.steps = 0;
  refused(opt, "steps", score);
  opt.steps = 5;
  opt.t_end = 0;
  refused(opt, "t_end", score);
  opt.t_end = 1e-3;
  opt.process.kind = conditioning_kind::levels;
  opt.process.levels = {1.0, 0.5};
  refused(opt, "process", score);  // the reverse SDE needs vp or ve
  opt.kind = sampler_kind::annealed_langevin;
  opt.process.levels = {};
  refused(opt, "levels", score);
  opt.process = vp_process();
  refused(opt, "process", score);  // annealed Langevin needs levels
  opt.kind = sampler_kind::langevin;
  opt.step_size = -1;
  refused(opt, "step_size", score);
  // A network trained on VP refuses VE and plain Langevin.
  const auto net =
      network_batch_score(mlp_network<double>::random(1, {4}, mlp_activation::tanh, 1, vp_process()));
  opt = {};
  opt.process.kind = conditioning_kind::ve;
  refused(opt, "process", net);
  opt.kind = sampler_kind::langevin;
  refused(opt, "score", net);
  // An unconditioned network has no score at the noise levels the other samplers visit.
  const auto plain = network_batch_score(mlp_network<double>::random(1, {4}, mlp_activation::tanh, 1));
  opt = {};
  opt.process = vp_process();
  refused(opt, "score", plain);
  opt.kind = sampler_kind::langevin;
  rng_stream ok_rng(1);
  EXPECT_NO_THROW(sample_paths(cpu(), ok_rng, plain, opt, host_output(out.data(), out.size())));
  out.assign(10, -3.0);
  EXPECT_EQ(out, std::vector<double>(10, -3.0));
  expect_refused([&] { parse_sampler_kind("euler"); }, "sampler");
  expect_refused([&] { energy_distance(cpu(), {1.0}, {1.0, 2.0}, 1); }, "x");
  expect_refused([&] { mmd_squared(cpu(), {1.0, 2.0}, {1.0, 2.0}, 1, 0); }, "bandwidth");
  expect_refused([&] { energy_distance(cpu(), {1.0, NAN}, {1.0, 2.0}, 1); }, "x[1][0]");
}

}  // namespace
}  // namespace scorepath
