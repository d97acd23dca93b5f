// The gradient engine on the CUDA backend against the CPU backend: the same per-sample draws, so
// losses and gradients equal to rounding for every loss, activation and conditioning; several
// tiles and a short last one; the same bits from run to run on the device; and training on the
// device against training on the CPU. Every test skips itself when no CUDA device is found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/training/device_loss_gradient.hpp"
#include "scorepath/training/loss_gradient.hpp"
#include "scorepath/training/train.hpp"

namespace scorepath {
namespace {

template <class T>
std::vector<T> gaussian_samples(std::size_t n, int dim, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.5, 1.5);
  std::vector<T> x(n * dim);
  for (T& v : x) v = static_cast<T>(normal(gen));
  return x;
}

/// ‖a − b‖ / ‖b‖.
template <class T>
double relative_distance(const std::vector<T>& a, const std::vector<T>& b) {
  double diff = 0, norm = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(diff / norm);
}

struct gradient_run {
  loss_gradient_report report;
  std::vector<double> gradient;
};

template <class T>
gradient_run run(const context& ctx, const mlp_network<T>& net, const std::vector<T>& x,
                 const loss_gradient_options& opt) {
  rng_stream rng(2024);
  rng.reserve(3);
  std::vector<T> g(net.parameters().size());
  gradient_run r;
  r.report = score_loss_gradient(ctx, rng, net, host_input(x.data(), x.size()), opt,
                                 host_output(g.data(), g.size()));
  r.gradient.assign(g.begin(), g.end());
  return r;
}

struct engine_case {
  score_loss loss;
  mlp_activation act;
  conditioning_kind cond;
  std::uint32_t probes;
};

std::string case_name(const ::testing::TestParamInfo<engine_case>& info) {
  return std::string(to_string(info.param.loss)) + "_" + to_string(info.param.act) + "_" +
         to_string(info.param.cond) + "_M" + std::to_string(info.param.probes);
}

class GpuLossGradient : public ::testing::TestWithParam<engine_case> {};

TEST_P(GpuLossGradient, DoubleEqualsCpuToRoundingOverSeveralTiles) {
  SCOREPATH_REQUIRE_GPU();
  const engine_case c = GetParam();
  noise_conditioning cond;
  cond.kind = c.cond;
  if (c.cond == conditioning_kind::levels) cond.levels = {5.0, 1.0, 0.2};
  const auto net = mlp_network<double>::random(3, {24, 16}, c.act, 11, cond);
  // 9000 samples: two full tiles of 4096 and a short third.
  const auto x = gaussian_samples<double>(9000, 3, 5);
  loss_gradient_options opt;
  opt.loss = c.loss;
  opt.probes = c.probes;
  opt.law = probe_law::rademacher;
  const context cpu(backend_choice::cpu);
  const context gpu(backend_choice::cuda);
  const gradient_run a = run(cpu, net, x, opt);
  const gradient_run b = run(gpu, net, x, opt);
  EXPECT_EQ(b.report.used, backend::cuda);
  EXPECT_EQ(b.report.rng.seed, a.report.rng.seed);
  EXPECT_EQ(b.report.rng.next_subsequence, a.report.rng.next_subsequence);
  EXPECT_NEAR(b.report.loss.value, a.report.loss.value,
              1e-10 * (1 + std::fabs(a.report.loss.value)));
  EXPECT_NEAR(b.report.loss.std_error, a.report.loss.std_error,
              1e-8 * a.report.loss.std_error);
  EXPECT_LT(relative_distance(b.gradient, a.gradient), 1e-10);
}

constexpr auto none = conditioning_kind::none;
INSTANTIATE_TEST_SUITE_P(
    Cases, GpuLossGradient,
    ::testing::Values(engine_case{score_loss::ssm, mlp_activation::softplus, none, 1},
                      engine_case{score_loss::ssm, mlp_activation::tanh, none, 4},
                      engine_case{score_loss::ssm_vr, mlp_activation::silu, none, 2},
                      engine_case{score_loss::ism, mlp_activation::elu, none, 1},
                      engine_case{score_loss::dsm, mlp_activation::softplus, none, 1},
                      engine_case{score_loss::ssm_vr, mlp_activation::softplus,
                                  conditioning_kind::vp, 1},
                      engine_case{score_loss::dsm, mlp_activation::tanh, conditioning_kind::ve, 1},
                      engine_case{score_loss::ssm, mlp_activation::silu,
                                  conditioning_kind::levels, 3}),
    case_name);

TEST(GpuLossGradientFloat, EqualsCpuToFloatRoundingAndRepeatsBitForBit) {
  SCOREPATH_REQUIRE_GPU();
  const auto net = mlp_network<float>::random(8, {64, 64}, mlp_activation::softplus, 3);
  const auto x = gaussian_samples<float>(6000, 8, 9);
  loss_gradient_options opt;
  opt.loss = score_loss::ssm_vr;
  opt.probes = 2;
  const context cpu(backend_choice::cpu);
  const context gpu(backend_choice::cuda);
  const gradient_run a = run(cpu, net, x, opt);
  const gradient_run b = run(gpu, net, x, opt);
  const gradient_run again = run(gpu, net, x, opt);
  EXPECT_NEAR(b.report.loss.value, a.report.loss.value,
              1e-4 * (1 + std::fabs(a.report.loss.value)));
  EXPECT_LT(relative_distance(b.gradient, a.gradient), 1e-4);
  EXPECT_EQ(again.gradient, b.gradient);
  EXPECT_EQ(again.report.loss.value, b.report.loss.value);
}

TEST(GpuLossGradientTiles, ShortTilesGiveTheSameLossesAsOneTile) {
  SCOREPATH_REQUIRE_GPU();
#if SCOREPATH_HAVE_CUDA
  const auto net = mlp_network<double>::random(2, {16}, mlp_activation::tanh, 4);
  const auto x = gaussian_samples<double>(300, 2, 13);
  loss_gradient_options opt;
  opt.loss = score_loss::ssm;
  opt.probes = 3;
  const context gpu(backend_choice::cuda);
  const detail::gradient_streams_at at{7, 100, 400};
  std::vector<double> one_losses(300), tiled_losses(300);
  std::vector<double> one(net.parameters().size()), tiled(net.parameters().size());
  detail::device_loss_gradient(gpu, net, x.data(), 300, opt, at, 300, one_losses.data(),
                               one.data());
  detail::device_loss_gradient(gpu, net, x.data(), 300, opt, at, 37, tiled_losses.data(),
                               tiled.data());
  for (std::size_t s = 0; s < one_losses.size(); ++s) {
    EXPECT_NEAR(tiled_losses[s], one_losses[s], 1e-12 * (1 + std::fabs(one_losses[s]))) << s;
  }
  EXPECT_LT(relative_distance(tiled, one), 1e-12);
#endif
}

// Host-side: the device tile shrinks so that its columns fit the byte budget (runs everywhere).
TEST(DeviceTileSamples, KeepsTheTapeWithinItsBudget) {
  const auto small = mlp_network<float>::random(2, {128, 128}, mlp_activation::softplus, 1);
  EXPECT_EQ(detail::device_tile_samples(small, 1, 4096), 4096);
  EXPECT_EQ(detail::device_tile_samples(small, 1, 100), 100);
  const auto wide = mlp_network<double>::random(8, {256, 256}, mlp_activation::softplus, 1);
  const int tile = detail::device_tile_samples(wide, 1024, 4096);
  // Per column: inputs 8 + 256 + 256, pre-activations 256 + 256, outputs 8, adjoints 2 · 256.
  const double column_bytes = 8.0 * (8 + 2 * 256 + 2 * 256 + 8 + 2 * 256);
  EXPECT_LT(tile, 4096);
  EXPECT_GE(tile, 1);
  EXPECT_LE(tile * 1025.0 * column_bytes, static_cast<double>(detail::cuda_gradient_tile_bytes));
  EXPECT_GT((tile + 1) * 1025.0 * column_bytes,
            static_cast<double>(detail::cuda_gradient_tile_bytes));
  const auto huge = mlp_network<double>::random(64, {4096}, mlp_activation::tanh, 1);
  EXPECT_EQ(detail::device_tile_samples(huge, 1024, 4096), 1);
}

TEST(GpuTraining, FollowsTheCpuRunToRounding) {
  SCOREPATH_REQUIRE_GPU();
  auto on_cpu = mlp_network<double>::random(2, {32, 32}, mlp_activation::softplus, 21);
  auto on_gpu = on_cpu;
  const auto data = gaussian_samples<double>(2000, 2, 17);
  train_options opt;
  opt.steps = 30;
  opt.batch = 256;
  opt.seed = 8;
  const context cpu(backend_choice::cpu);
  const context gpu(backend_choice::cuda);
  const train_report a =
      train_score_model(cpu, on_cpu, host_input(data.data(), data.size()), opt);
  const train_report b =
      train_score_model(gpu, on_gpu, host_input(data.data(), data.size()), opt);
  EXPECT_EQ(b.steps, a.steps);
  EXPECT_LT(relative_distance(on_gpu.parameters(), on_cpu.parameters()), 1e-9);
}

}  // namespace
}  // namespace scorepath
