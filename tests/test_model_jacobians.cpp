// Jacobians of the run-time score models (model_jacobians.hpp) and the probe variance study at a
// run-time dimension: the network's J against the compiled MLP's dual-number J on the same weights
// (J is not symmetric, so a transposed layout fails) and against central differences at D = 5;
// the run-time mixture's against the compiled mixture's; the study of a run-time model against the
// study of the compiled model it equals; a conditioned network refused naming its conditioning.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "scorepath/datasets.hpp"
#include "scorepath/model_jacobians.hpp"
#include "scorepath/probe_variance.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/training/mlp_tape.hpp"

namespace scorepath {
namespace {

std::vector<double> normal_points(std::size_t n, int dim, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.5);
  std::vector<double> x(n * dim);
  for (double& v : x) v = normal(gen);
  return x;
}

/// Every Jacobian for_each_jacobian gives, row-major, point after point.
template <class Model>
std::vector<double> all_jacobians(const Model& model, const std::vector<double>& x, int dim) {
  const std::uint64_t n = x.size() / dim;
  const auto square = static_cast<std::size_t>(dim) * dim;
  std::vector<double> out(n * square);
  context ctx(backend_choice::cpu);
  ctx.set_threads(2);
  for_each_jacobian(ctx, model, x.data(), n, [&](std::uint64_t s, const double* j) {
    std::copy(j, j + square, out.begin() + s * square);
  });
  return out;
}

TEST(ModelJacobians, NetworkEqualsTheCompiledMlpOnTheSameWeights) {
  const auto compiled = mlp_score<double, 2>::random({32, 16}, mlp_activation::tanh, 5);
  const std::vector<double>& p = compiled.parameters();
  const mlp_network<double> net(2, {32, 16}, mlp_activation::tanh, p);
  const auto x = normal_points(37, 2, 3);  // two blocks and a short third
  const std::vector<double> got = all_jacobians(net, x, 2);
  double asymmetry = 0;
  for (std::size_t s = 0; s < 37; ++s) {
    const auto j = exact_jacobian(compiled, vec<double, 2>{x[2 * s], x[2 * s + 1]});
    for (int i = 0; i < 2; ++i) {
      for (int t = 0; t < 2; ++t) {
        EXPECT_NEAR(got[s * 4 + i * 2 + t], j(i, t), 1e-12 * (1 + std::fabs(j(i, t))))
            << "point " << s << ", dS_" << i << "/dx_" << t;
      }
    }
    asymmetry = std::max(asymmetry, std::fabs(j(0, 1) - j(1, 0)));
  }
  EXPECT_GT(asymmetry, 1e-3);  // so the comparison can tell J from its transpose
}

TEST(ModelJacobians, NetworkAtRunTimeDimensionMatchesCentralDifferences) {
  constexpr int d = 5;
  const auto net = mlp_network<double>::random(d, {24, 24}, mlp_activation::softplus, 9);
  const auto x = normal_points(20, d, 4);
  const std::vector<double> got = all_jacobians(net, x, d);
  detail::mlp_tape<double> tape;
  std::vector<double> up(d), down(d);
  const double h = 1e-5;
  for (std::size_t s = 0; s < 20; ++s) {
    for (int t = 0; t < d; ++t) {
      std::vector<double> a(x.begin() + s * d, x.begin() + (s + 1) * d), b = a;
      a[t] += h;
      b[t] -= h;
      detail::tape_scores(net, tape, a.data(), 1, 1.0, up.data());
      detail::tape_scores(net, tape, b.data(), 1, 1.0, down.data());
      for (int i = 0; i < d; ++i) {
        const double fd = (up[i] - down[i]) / (2 * h);
        EXPECT_NEAR(got[s * d * d + i * d + t], fd, 1e-7 * (1 + std::fabs(fd)))
            << "point " << s << ", dS_" << i << "/dx_" << t;
      }
    }
  }
}

TEST(ModelJacobians, RunTimeMixtureEqualsTheCompiledMixture) {
  constexpr int d = 16;
  const auto compiled = datasets::ring_mixture_score<double, d>();
  const diagonal_mixture mix = ring_mixture_components(d);
  const auto x = normal_points(21, d, 6);
  const std::vector<double> got = all_jacobians(mix, x, d);
  for (std::size_t s = 0; s < 21; ++s) {
    vec<double, d> point;
    for (int i = 0; i < d; ++i) point[i] = x[s * d + i];
    const auto j = exact_jacobian(compiled, point);
    for (int i = 0; i < d; ++i) {
      for (int t = 0; t < d; ++t) {
        EXPECT_NEAR(got[s * d * d + i * d + t], j(i, t), 1e-10 * (1 + std::fabs(j(i, t))))
            << "point " << s << ", (" << i << ", " << t << ")";
      }
    }
  }
}

TEST(ModelJacobians, StudyOfTheNetworkEqualsTheStudyOfTheCompiledMlp) {
  const auto compiled = mlp_score<double, 2>::random({16, 16}, mlp_activation::softplus, 2);
  const mlp_network<double> net(2, {16, 16}, mlp_activation::softplus, compiled.parameters());
  const auto x = normal_points(300, 2, 8);
  variance_study_options opt;
  opt.probe_counts = {1, 3};
  opt.replicates = 8;
  const context ctx(backend_choice::cpu);
  rng_stream a(11), b(11);
  const variance_study_result want = probe_variance_study(ctx, a, compiled, x, opt);
  const variance_study_result got = probe_variance_study(ctx, b, net, x, opt);
  EXPECT_EQ(got.dimension, 2);
  EXPECT_NEAR(got.mean_trace_squared, want.mean_trace_squared, 1e-10 * want.mean_trace_squared);
  ASSERT_EQ(got.rows.size(), want.rows.size());
  for (std::size_t r = 0; r < want.rows.size(); ++r) {
    EXPECT_NEAR(got.rows[r].closed_form, want.rows[r].closed_form,
                1e-10 * (1 + want.rows[r].closed_form)) << r;
    EXPECT_NEAR(got.rows[r].empirical, want.rows[r].empirical,
                1e-8 * (1 + want.rows[r].empirical)) << r;
  }
  for (std::size_t k = 0; k < want.needed.size(); ++k) {
    EXPECT_EQ(got.needed[k].probes, want.needed[k].probes) << k;
  }
}

TEST(ModelJacobians, StudyRefusesAConditionedNetworkNamingItsConditioning) {
  noise_conditioning cond;
  cond.kind = conditioning_kind::vp;
  const auto net = mlp_network<double>::random(3, {8}, mlp_activation::tanh, 1, cond);
  const auto x = normal_points(10, 3, 1);
  const context ctx(backend_choice::cpu);
  try {
    validate_probe_variance(ctx, net, x, variance_study_options{});
    FAIL() << "a conditioned network was accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("network conditioning"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace scorepath
