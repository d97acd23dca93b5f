// Training (training/adam.hpp, training/train.hpp): Adam's first steps against its formulas with
// clipping, warm-up and weight decay; a linear score on Gaussian data recovers the empirical
// −Ĉ⁻¹(x − μ̂) (the exact minimiser of the ISM loss on the data) and the true −Σ⁻¹(x − μ) within
// Monte Carlo error; an MLP trained on a 2-D mixture reaches a relative Fisher divergence below
// a stated bound against the mixture's exact score on fresh samples; runs are bitwise equal for
// 1 and 2 threads, and a resumed run equals the uninterrupted one; a diverging learning rate
// stops at a finite network; bad input is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/scores/mlp.hpp"
#include "scorepath/training/train.hpp"
#include "support/mixture_reference.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

TEST(Adam, FirstStepsFollowTheFormulas) {
  adam_options opt;
  opt.learning_rate = 0.1;
  opt.weight_decay = 0.01;
  opt.warmup_steps = 4;
  opt.clip_norm = 1.0;
  opt.ema_decay = 0.5;
  std::vector<double> w = {1.0, -2.0};
  adam_optimizer adam(opt, w);
  // Step 1: ‖g‖ = 5 > 1, so g is scaled to (0.6, 0.8); η₁ = 0.1·1/4.
  const std::vector<double> g = {3.0, 4.0};
  const adam_step_report r = adam.step(w, g);
  EXPECT_DOUBLE_EQ(r.gradient_norm, 5.0);
  EXPECT_DOUBLE_EQ(r.learning_rate, 0.025);
  const double clipped[2] = {0.6, 0.8}, start[2] = {1.0, -2.0};
  for (int k = 0; k < 2; ++k) {
    // m̂ = g, v̂ = g²: the update is g/(|g| + ε) + λθ.
    const double want = start[k] - 0.025 * (clipped[k] / (clipped[k] + 1e-8) + 0.01 * start[k]);
    EXPECT_NEAR(w[k], want, 1e-15) << k;
    EXPECT_NEAR(adam.average()[k], 0.5 * start[k] + 0.5 * want, 1e-15) << k;
  }
  // Step 2 with a small gradient (no clipping): m = β₁m₁ + (1 − β₁)g, v likewise, bias-corrected.
  const std::vector<double> g2 = {0.1, -0.2};
  const std::vector<double> w1 = w;
  adam.step(w, g2);
  for (int k = 0; k < 2; ++k) {
    const double m = 0.9 * 0.1 * clipped[k] + 0.1 * g2[k];
    const double v = 0.999 * 0.001 * clipped[k] * clipped[k] + 0.001 * g2[k] * g2[k];
    const double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
    const double want = w1[k] - 0.05 * (mh / (std::sqrt(vh) + 1e-8) + 0.01 * w1[k]);
    EXPECT_NEAR(w[k], want, 1e-14) << k;
  }
  EXPECT_EQ(adam.steps(), 2u);
}

TEST(Adam, OptionsOutOfRangeAreRefusedNamingThem) {
  auto refused = [](adam_options opt, const char* name) {
    try {
      adam_optimizer adam(opt, {1.0});
      ADD_FAILURE() << name << " accepted";
    } catch (const invalid_argument_error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  adam_options o;
  o.learning_rate = 0;
  refused(o, "learning_rate");
  o = {};
  o.beta1 = 1;
  refused(o, "beta1");
  o = {};
  o.beta2 = std::nan("");
  refused(o, "beta2");
  o = {};
  o.clip_norm = -1;
  refused(o, "clip_norm");
  o = {};
  o.ema_decay = 1;
  refused(o, "ema_decay");
}

/// N(μ, Σ) in 2-D with Σ = [[1, 0.6], [0.6, 0.8]], μ = (1, −0.5).
std::vector<double> gaussian_data(std::size_t n, std::uint64_t seed) {
  test_rng g(seed);
  std::vector<double> x(2 * n);
  // Σ = L Lᵀ with L = [[1, 0], [0.6, √0.44]].
  for (std::size_t s = 0; s < n; ++s) {
    const double a = g.normal(), b = g.normal();
    x[2 * s] = 1.0 + a;
    x[2 * s + 1] = -0.5 + 0.6 * a + std::sqrt(0.44) * b;
  }
  return x;
}

TEST(Train, LinearScoreRecoversTheGaussianScore) {
  const std::size_t n = 4000;
  const auto x = gaussian_data(n, 3);
  // The empirical optimum of ISM: W = −Ĉ⁻¹, b = Ĉ⁻¹μ̂ (Ĉ the biased sample covariance).
  double mu[2] = {0, 0}, c[2][2] = {{0, 0}, {0, 0}};
  for (std::size_t s = 0; s < n; ++s)
    for (int i = 0; i < 2; ++i) mu[i] += x[2 * s + i] / n;
  for (std::size_t s = 0; s < n; ++s)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) c[i][j] += (x[2 * s + i] - mu[i]) * (x[2 * s + j] - mu[j]) / n;
  const double det = c[0][0] * c[1][1] - c[0][1] * c[1][0];
  const double inv[2][2] = {{c[1][1] / det, -c[0][1] / det}, {-c[1][0] / det, c[0][0] / det}};

  auto net = mlp_network<double>::random(2, {}, mlp_activation::softplus, 1);
  train_options opt;
  opt.loss.loss = score_loss::ism;
  opt.batch = n;  // full batch: plain optimisation of the empirical loss
  opt.steps = 3000;
  opt.adam.learning_rate = 0.02;
  const train_report r = train_score_model(cpu(), net, host_input(x.data(), x.size()), opt);
  ASSERT_FALSE(r.stopped_non_finite);
  EXPECT_EQ(r.steps, opt.steps);
  const double* w = net.parameters().data();
  for (int i = 0; i < 2; ++i) {
    double b = 0;
    for (int j = 0; j < 2; ++j) {
      EXPECT_NEAR(w[2 * i + j], -inv[i][j], 2e-3) << i << "," << j;
      b += inv[i][j] * mu[j];
    }
    EXPECT_NEAR(w[4 + i], b, 2e-3) << i;
  }
  // The true precision Σ⁻¹ = [[2.2727…, −1.7045…], [−1.7045…, 2.8409…]] (det Σ = 0.44): the
  // estimate's error is O(‖Σ⁻¹‖/√N) ≈ 0.05; 0.25 is five of those.
  const double true_inv[2][2] = {{0.8 / 0.44, -0.6 / 0.44}, {-0.6 / 0.44, 1.0 / 0.44}};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(w[2 * i + j], -true_inv[i][j], 0.25) << i << "," << j;
}

TEST(Train, SlicedLossWithMinibatchesAlsoRecoversTheLinearScore) {
  const std::size_t n = 4000;
  const auto x = gaussian_data(n, 5);
  auto net = mlp_network<double>::random(2, {}, mlp_activation::softplus, 2);
  train_options opt;
  opt.loss.loss = score_loss::ssm_vr;
  opt.loss.probes = 1;
  opt.batch = 200;
  opt.steps = 4000;
  opt.adam.learning_rate = 0.01;
  opt.adam.ema_decay = 0.99;
  const train_report r = train_score_model(cpu(), net, host_input(x.data(), x.size()), opt);
  ASSERT_FALSE(r.stopped_non_finite);
  const double true_inv[2][2] = {{0.8 / 0.44, -0.6 / 0.44}, {-0.6 / 0.44, 1.0 / 0.44}};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_NEAR(r.average[2 * i + j], -true_inv[i][j], 0.3);
}

TEST(Train, MlpOnAMixtureReachesASmallRelativeFisherDivergence) {
  const auto params = random_mixture_params<2>(7);
  const auto data = mixture_samples<2>(params, 8000, 11);
  auto net = mlp_network<double>::random(2, {64, 64}, mlp_activation::softplus, 3);
  train_options opt;
  opt.loss.loss = score_loss::ssm_vr;
  opt.loss.probes = 1;
  opt.batch = 256;
  opt.steps = 2500;
  opt.adam.learning_rate = 3e-3;
  opt.adam.warmup_steps = 100;
  opt.adam.clip_norm = 100;
  const train_report r = train_score_model(cpu(), net, host_input(data.data(), data.size()), opt);
  ASSERT_FALSE(r.stopped_non_finite);
  // E‖S_θ − ∇log p‖² / E‖∇log p‖² on fresh samples, against the exact mixture score.
  const mlp_score<double, 2> trained(net.hidden_widths(), net.activation(), net.parameters());
  const auto fresh = mixture_samples<2>(params, 4000, 12);
  double err = 0, norm = 0;
  for (std::size_t s = 0; s < fresh.size() / 2; ++s) {
    const auto exact = mixture_closed_form<2>(params, &fresh[2 * s]);
    const vec<double, 2> got = trained(vec<double, 2>{{fresh[2 * s], fresh[2 * s + 1]}});
    for (int i = 0; i < 2; ++i) {
      err += (got[i] - exact.score[i]) * (got[i] - exact.score[i]);
      norm += exact.score[i] * exact.score[i];
    }
  }
  const double relative = err / norm;
  RecordProperty("relative_fisher_divergence", std::to_string(relative));
  std::printf("relative Fisher divergence after %llu steps: %.4f\n",
              static_cast<unsigned long long>(r.steps), relative);
  EXPECT_LT(relative, 0.15);
}

TEST(Train, RunsAreBitwiseEqualForOneAndTwoThreads) {
  const auto x = gaussian_data(1000, 9);
  train_options opt;
  opt.loss.loss = score_loss::ssm;
  opt.loss.probes = 2;
  opt.batch = 100;
  opt.steps = 100;  // ten epochs, each in its own order
  auto one = mlp_network<double>::random(2, {16}, mlp_activation::tanh, 4);
  auto two = one;
  std::vector<double> losses_one, losses_two;
  train_score_model(cpu(1), one, host_input(x.data(), x.size()), opt, [&](const train_step& s) {
    losses_one.push_back(s.loss.value);
    return true;
  });
  train_score_model(cpu(2), two, host_input(x.data(), x.size()), opt, [&](const train_step& s) {
    losses_two.push_back(s.loss.value);
    return true;
  });
  EXPECT_EQ(losses_one.size(), 100u);
  EXPECT_TRUE(same_bits(losses_one, losses_two));
  EXPECT_TRUE(same_bits(one.parameters(), two.parameters()));
  EXPECT_NE(losses_one.front(), losses_one.back());
}

TEST(Train, AResumedRunEqualsTheUninterruptedOneBitForBit) {
  const auto x = gaussian_data(700, 8);
  train_options opt;
  opt.loss.loss = score_loss::ssm_vr;
  opt.loss.probes = 2;
  opt.loss.law = probe_law::sphere;
  opt.batch = 64;  // 10 steps an epoch, the last 60 samples of each order unused
  opt.steps = 100;
  opt.seed = 21;
  opt.adam.warmup_steps = 30;
  opt.adam.ema_decay = 0.9;
  opt.adam.clip_norm = 5;
  const auto start = mlp_network<double>::random(2, {12, 12}, mlp_activation::silu, 6);
  auto whole = start;
  std::vector<double> losses_whole, losses_resumed;
  const train_report full = train_score_model(
      cpu(), whole, host_input(x.data(), x.size()), opt, [&](const train_step& s) {
        losses_whole.push_back(s.loss.value);
        return true;
      });
  // Stopped after 37 steps (mid-epoch, inside the warm-up), saved, then continued on a new network
  // built from the saved weights.
  auto first = start;
  train_state saved;
  train_options part = opt;
  part.steps = 37;
  train_score_model(cpu(), first, host_input(x.data(), x.size()), part,
                    [&](const train_step& s) {
                      losses_resumed.push_back(s.loss.value);
                      return true;
                    },
                    &saved);
  EXPECT_EQ(saved.step, 37u);
  mlp_network<double> second(2, first.hidden_widths(), first.activation(), first.parameters());
  train_state state = saved;
  const train_report rest = train_score_model(
      cpu(2), second, host_input(x.data(), x.size()), opt, [&](const train_step& s) {
        losses_resumed.push_back(s.loss.value);
        return true;
      },
      &state);
  EXPECT_EQ(rest.steps, 100u);
  EXPECT_TRUE(same_bits(losses_whole, losses_resumed));
  EXPECT_TRUE(same_bits(whole.parameters(), second.parameters()));
  EXPECT_TRUE(same_bits(full.average, rest.average));
  // A state from other options is refused before anything changes.
  train_options other = opt;
  other.seed = 22;
  train_state again = saved;
  EXPECT_THROW(train_score_model(cpu(), second, host_input(x.data(), x.size()), other, {}, &again),
               invalid_argument_error);
  train_state short_state = saved;
  short_state.first_moment.pop_back();
  EXPECT_THROW(
      train_score_model(cpu(), second, host_input(x.data(), x.size()), opt, {}, &short_state),
      invalid_argument_error);
}

TEST(Train, ADivergingLearningRateStopsAtAFiniteNetwork) {
  const auto x = gaussian_data(500, 2);
  auto net = mlp_network<double>::random(2, {8}, mlp_activation::elu, 5);
  train_options opt;
  opt.loss.loss = score_loss::ism;
  opt.batch = 100;
  opt.steps = 200;
  opt.adam.learning_rate = 1e300;
  const train_report r = train_score_model(cpu(), net, host_input(x.data(), x.size()), opt);
  EXPECT_TRUE(r.stopped_non_finite);
  EXPECT_GE(r.stopped_at, 1u);
  EXPECT_LE(r.stopped_at, opt.steps);
  EXPECT_EQ(r.steps + 1, r.stopped_at);
  for (double w : net.parameters()) EXPECT_TRUE(std::isfinite(w));
}

TEST(Train, BadInputIsRefusedAndTheNetworkIsUnchanged) {
  const auto x = gaussian_data(50, 2);
  auto net = mlp_network<double>::random(2, {8}, mlp_activation::elu, 5);
  const std::vector<double> before = net.parameters();
  auto refused = [&](const train_options& opt, const std::vector<double>& data, const char* name) {
    try {
      train_score_model(cpu(), net, host_input(data.data(), data.size()), opt);
      ADD_FAILURE() << name << " accepted";
    } catch (const invalid_argument_error& e) {
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
    EXPECT_EQ(net.parameters(), before) << name;
  };
  train_options opt;
  opt.batch = 51;
  refused(opt, x, "batch");
  opt = {};
  opt.batch = 10;
  opt.steps = 0;
  refused(opt, x, "steps");
  opt = {};
  opt.batch = 1;
  refused(opt, std::vector<double>{0.5, 0.5}, "data");
  opt = {};
  opt.batch = 10;
  std::vector<double> bad = x;
  bad[7] = INFINITY;
  refused(opt, bad, "data[3][1]");
  opt.adam.learning_rate = -1;
  refused(opt, x, "learning_rate");
  opt = {};
  opt.batch = 10;
  opt.loss.probes = 0;
  refused(opt, x, "probes");
  // Device memory is refused before a value is read (a host pointer stands in for it here).
  train_options fine;
  fine.batch = 10;
  try {
    train_score_model(cpu(), net, input_span<double>{x.data(), x.size(), memory_space::device},
                      fine);
    ADD_FAILURE() << "device data accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("data space"), std::string::npos) << e.what();
  }
  EXPECT_EQ(net.parameters(), before);
}

}  // namespace
}  // namespace scorepath
