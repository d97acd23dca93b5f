// Data-parallel training (mpi/training.hpp): the loss, standard error and gradient of a batch,
// and 20 training steps, are bitwise those of one process for every loss kind and for a
// noise-conditioned network; a callback that stops on one rank stops every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi_test_support.hpp"
#include "scorepath/mpi/training.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"

namespace scorepath {
namespace {

using mpi_test::rank_of;
using mpi_test::same_bits;
using mpi_test::size_of;

const context kCpu(backend_choice::cpu);

/// One-process and distributed gradients of @p net on @p batch agree bit for bit.
template <class T>
void expect_same_gradient(const mlp_network<T>& net, const std::vector<T>& batch,
                          const loss_gradient_options& opt) {
  const std::size_t params = net.parameters().size();
  std::vector<T> alone(params), shared(params);
  rng_stream a(31), b(31);
  const loss_gradient_report ra =
      score_loss_gradient(kCpu, a, net, host_input(batch.data(), batch.size()), opt,
                          host_output(alone.data(), alone.size()));
  const loss_gradient_report rb = mpi::score_loss_gradient(
      MPI_COMM_WORLD, kCpu, b, net, host_input(batch.data(), batch.size()), opt,
      host_output(shared.data(), shared.size()));
  EXPECT_TRUE(same_bits(rb.loss, ra.loss));
  EXPECT_TRUE(alone == shared);
  EXPECT_EQ(rb.rng, ra.rng);
  EXPECT_EQ(a.state(), b.state());
}

std::vector<double> ring_data(int dim, std::uint64_t n, std::uint64_t seed) {
  return draw_mixture(ring_mixture_components(dim), n, seed);
}

TEST(MpiTraining, GradientOfEveryLossEqualsOneProcessBitwise) {
  const auto net = mlp_network<double>::random(2, {16, 16}, mlp_activation::softplus, 41);
  const std::vector<double> batch = ring_data(2, 1000, 42);  // 63 tiles, one per group
  for (score_loss loss : {score_loss::ssm, score_loss::ssm_vr, score_loss::ism, score_loss::dsm}) {
    loss_gradient_options opt;
    opt.loss = loss;
    opt.probes = 2;
    opt.noise_scale = 0.3;
    expect_same_gradient(net, batch, opt);
  }
}

TEST(MpiTraining, ConditionedFloatNetworkGradientEqualsOneProcessBitwise) {
  noise_conditioning vp;
  vp.kind = conditioning_kind::vp;
  const auto net = mlp_network<float>::random(3, {8}, mlp_activation::silu, 43, vp);
  const std::vector<double> data = ring_data(3, 5000, 44);  // 313 tiles in 64 groups
  const std::vector<float> batch(data.begin(), data.end());
  loss_gradient_options opt;
  opt.loss = score_loss::dsm;
  expect_same_gradient(net, batch, opt);
}

TEST(MpiTraining, TwentyStepsEqualOneProcessBitwise) {
  const std::vector<double> data = ring_data(2, 3000, 45);
  train_options opt;
  opt.steps = 20;
  opt.batch = 500;
  opt.seed = 46;
  opt.loss.loss = score_loss::ssm_vr;
  opt.adam.learning_rate = 1e-2;
  auto alone = mlp_network<double>::random(2, {32, 32}, mlp_activation::softplus, 47);
  auto shared = alone;
  std::vector<double> alone_losses, shared_losses;
  const train_report ra = train_score_model(
      kCpu, alone, host_input(data.data(), data.size()), opt, [&](const train_step& s) {
        alone_losses.push_back(s.loss.value);
        return true;
      });
  const train_report rb = mpi::train_score_model(
      MPI_COMM_WORLD, kCpu, shared, host_input(data.data(), data.size()), opt,
      [&](const train_step& s) {
        shared_losses.push_back(s.loss.value);
        return true;
      });
  EXPECT_EQ(rb.steps, 20u);
  EXPECT_TRUE(alone.parameters() == shared.parameters());
  EXPECT_TRUE(ra.average == rb.average);
  EXPECT_TRUE(alone_losses == shared_losses);
  EXPECT_TRUE(same_bits(rb.last_loss, ra.last_loss));
}

TEST(MpiTraining, ACallbackThatStopsOnOneRankStopsAll) {
  const std::vector<double> data = ring_data(2, 400, 48);
  train_options opt;
  opt.steps = 10;
  opt.batch = 100;
  auto net = mlp_network<double>::random(2, {8}, mlp_activation::tanh, 49);
  const bool last = rank_of(MPI_COMM_WORLD) == size_of(MPI_COMM_WORLD) - 1;
  const train_report r = mpi::train_score_model(
      MPI_COMM_WORLD, kCpu, net, host_input(data.data(), data.size()), opt,
      [&](const train_step& s) { return !(last && s.step == 3); });
  EXPECT_EQ(r.steps, 3u);
}

TEST(MpiTraining, BatchesOfDifferentSizesAreRefusedOnEveryRank) {
  if (size_of(MPI_COMM_WORLD) < 2) GTEST_SKIP() << "needs two ranks";
  const auto net = mlp_network<double>::random(2, {8}, mlp_activation::tanh, 50);
  const std::vector<double> batch = ring_data(2, 100 + rank_of(MPI_COMM_WORLD), 51);
  rng_stream rng(52);
  loss_gradient_options opt;
  try {
    (void)mpi::score_loss_gradient(MPI_COMM_WORLD, kCpu, rng, net,
                                   host_input(batch.data(), batch.size()), opt);
    ADD_FAILURE() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "samples");
  }
}

}  // namespace
}  // namespace scorepath
