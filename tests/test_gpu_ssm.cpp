// Sliced score matching on the CUDA backend against the CPU backend: the same probes, projections,
// divergences and losses for every probe law, for the Gaussian mixtures and the MLP (parameters
// staged in shared memory, and read from global memory when they do not fit), device-resident
// inputs and outputs, and the typed errors for a model without a CUDA kernel and for a network
// beyond the device caps. Every test skips itself when no CUDA device is found.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/ssm.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace scorepath {
namespace {

template <class T, int D>
gaussian_mixture_score<T, D, 8> test_mixture() {
  std::array<T, 8> w{};
  std::array<T, 8 * D> mean{}, var{};
  for (int c = 0; c < 8; ++c) {
    w[c] = static_cast<T>(1 + c % 3);
    for (int i = 0; i < D; ++i) {
      mean[c * D + i] = static_cast<T>(2.0 * std::sin(1.0 + c + 0.7 * i));
      var[c * D + i] = static_cast<T>(0.3 + 0.1 * ((c + i) % 4));
    }
  }
  return {w, mean, var};
}

template <class T>
std::vector<T> test_samples(std::size_t n, int dim) {
  std::mt19937_64 gen(99);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<T> x(n * dim);
  for (T& v : x) v = static_cast<T>(normal(gen));
  return x;
}

/// Every per-probe output of one run.
template <class T>
struct probe_outputs {
  ssm_report report;
  std::vector<T> proj, div, probes, ism;
};

template <class Model, class T = typename Model::scalar_type>
probe_outputs<T> run(const context& ctx, const Model& model, const std::vector<T>& x,
                     std::uint32_t m, probe_law law, std::uint64_t chunk_samples = 0) {
  constexpr int D = Model::dim;
  const std::size_t n = x.size() / D;
  probe_outputs<T> o;
  o.proj.resize(n * m);
  o.div.resize(n * m);
  o.probes.resize(n * m * D);
  o.ism.resize(n);
  ssm_outputs<T> out;
  out.projections = host_output(o.proj.data(), o.proj.size());
  out.divergences = host_output(o.div.data(), o.div.size());
  out.probes = host_output(o.probes.data(), o.probes.size());
  out.ism_per_sample = host_output(o.ism.data(), o.ism.size());
  ssm_options opt;
  opt.probes = m;
  opt.law = law;
  opt.exact_ism = true;
  opt.chunk_samples = chunk_samples;
  rng_stream rng(2024);
  o.report = sliced_score_matching(ctx, rng, model, x, opt, out);
  return o;
}

template <class T>
void expect_close(const std::vector<T>& gpu, const std::vector<T>& cpu, double rel,
                  const char* what) {
  ASSERT_EQ(gpu.size(), cpu.size());
  for (std::size_t k = 0; k < gpu.size(); ++k) {
    const double scale = 1.0 + std::abs(static_cast<double>(cpu[k]));
    ASSERT_NEAR(gpu[k], cpu[k], rel * scale) << what << " " << k;
  }
}

template <class Model>
void compare_backends(const Model& model, double rel,
                      std::initializer_list<std::uint32_t> probe_counts = {1u, 3u, 9u}) {
  using T = typename Model::scalar_type;
  const std::vector<T> x = test_samples<T>(3001, Model::dim);  // not a multiple of any width
  for (probe_law law : {probe_law::gaussian, probe_law::rademacher, probe_law::sphere,
                        probe_law::orthogonal}) {
    for (std::uint32_t m : probe_counts) {
      SCOPED_TRACE(std::string(to_string(law)) + " M=" + std::to_string(m));
      const auto gpu = run(context(backend_choice::cuda), model, x, m, law);
      const auto cpu = run(context(backend_choice::cpu), model, x, m, law);
      EXPECT_EQ(gpu.report.used, backend::cuda);
      expect_close(gpu.probes, cpu.probes, rel, "probe");
      expect_close(gpu.proj, cpu.proj, rel, "projection");
      expect_close(gpu.div, cpu.div, rel, "divergence");
      expect_close(gpu.ism, cpu.ism, rel, "ism");
      EXPECT_NEAR(gpu.report.ssm.value, cpu.report.ssm.value,
                  rel * (1 + std::abs(cpu.report.ssm.value)));
      EXPECT_NEAR(gpu.report.ssm.std_error, cpu.report.ssm.std_error,
                  rel * (1 + cpu.report.ssm.std_error));
    }
  }
}

TEST(GpuSsm, FloatMixtureMatchesTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  compare_backends(test_mixture<float, 2>(), 1e-4);
  compare_backends(test_mixture<float, 16>(), 1e-4);
  compare_backends(test_mixture<float, 64>(), 1e-4);
}

TEST(GpuSsm, DoubleMixtureMatchesTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  compare_backends(test_mixture<double, 2>(), 1e-11);
  compare_backends(test_mixture<double, 16>(), 1e-11);
}

// Host spans staged one chunk at a time: three chunks of 1024 samples and a last one of 929,
// each copied in and out at its own offset, the statistics folded from the right first block.
TEST(GpuSsm, SeveralChunksOfHostSpansMatchTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  const auto model = test_mixture<float, 2>();
  const std::vector<float> x = test_samples<float>(4001, 2);
  const auto gpu = run(context(backend_choice::cuda), model, x, 3, probe_law::rademacher, 1024);
  const auto cpu = run(context(backend_choice::cpu), model, x, 3, probe_law::rademacher);
  EXPECT_EQ(gpu.report.used, backend::cuda);
  expect_close(gpu.probes, cpu.probes, 1e-4, "probe");
  expect_close(gpu.proj, cpu.proj, 1e-4, "projection");
  expect_close(gpu.div, cpu.div, 1e-4, "divergence");
  expect_close(gpu.ism, cpu.ism, 1e-4, "ism");
  EXPECT_EQ(gpu.report.ssm.count, cpu.report.ssm.count);
  EXPECT_NEAR(gpu.report.ssm.value, cpu.report.ssm.value,
              1e-4 * (1 + std::abs(cpu.report.ssm.value)));
  ASSERT_TRUE(gpu.report.ism.has_value() && cpu.report.ism.has_value());
  EXPECT_NEAR(gpu.report.ism->value, cpu.report.ism->value,
              1e-4 * (1 + std::abs(cpu.report.ism->value)));
}

#if SCOREPATH_HAVE_CUDA
// Five chunks of 1024 samples (the last one 904) read and write the caller's device memory in
// place, each from its own first sample.
TEST(GpuSsm, DeviceSamplesAndOutputsAreUsedInPlace) {
  SCOREPATH_REQUIRE_GPU();
  context ctx(backend_choice::cuda);
  const auto model = test_mixture<float, 2>();
  const std::vector<float> x = test_samples<float>(5000, 2);
  const std::uint32_t m = 4;
  device_buffer dx(x.size() * sizeof(float), ctx.stream());
  device_buffer ddiv(x.size() / 2 * m * sizeof(float), ctx.stream());
  ASSERT_EQ(cudaMemcpy(dx.data(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice),
            cudaSuccess);
  ssm_options opt;
  opt.probes = m;
  opt.chunk_samples = 1024;
  ssm_outputs<float> out;
  out.divergences = device_output(ddiv.as<float>(), x.size() / 2 * m);
  rng_stream a(5), b(5);
  const ssm_report on_device =
      sliced_score_matching(ctx, a, model, device_input(dx.as<float>(), x.size()), opt, out);
  std::vector<float> div(x.size() / 2 * m), cpu_div(div.size());
  ASSERT_EQ(cudaMemcpy(div.data(), ddiv.data(), div.size() * sizeof(float), cudaMemcpyDeviceToHost),
            cudaSuccess);
  ssm_outputs<float> host_out;
  host_out.divergences = host_output(cpu_div.data(), cpu_div.size());
  const ssm_report on_cpu = sliced_score_matching(context(backend_choice::cpu), b, model, x, opt,
                                                  host_out);
  expect_close(div, cpu_div, 1e-4, "divergence");
  EXPECT_NEAR(on_device.ssm.value, on_cpu.ssm.value, 1e-4 * (1 + std::abs(on_cpu.ssm.value)));
}
#endif

/// Tolerance of @p ulps units in the last place of T, for values of order one.
template <class T>
double ulps(double count) {
  return count * std::numeric_limits<T>::epsilon();
}

// The GPU runs the CPU's body (mlp_forward, ssm_one_sample) in the same order; only the
// activations' math libraries and the contraction of products into FMAs differ, a few ulps per
// operation carried through the layers.
TEST(GpuSsm, FloatMlpMatchesTheCpuForEveryActivation) {
  SCOREPATH_REQUIRE_GPU();
  for (mlp_activation a : {mlp_activation::softplus, mlp_activation::tanh, mlp_activation::silu,
                           mlp_activation::elu}) {
    SCOPED_TRACE(to_string(a));
    compare_backends(mlp_score<float, 2>::random({64, 64}, a, 5), ulps<float>(1024));
  }
}

TEST(GpuSsm, DoubleMlpMatchesTheCpuForEveryActivation) {
  SCOREPATH_REQUIRE_GPU();
  for (mlp_activation a : {mlp_activation::softplus, mlp_activation::tanh, mlp_activation::silu,
                           mlp_activation::elu}) {
    SCOPED_TRACE(to_string(a));
    compare_backends(mlp_score<double, 2>::random({64, 64}, a, 6), ulps<double>(4096));
  }
}

TEST(GpuSsm, MlpAtTheDeviceCapsMatchesTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  // 2-128-128-2 in float (68 KB of parameters) is staged in shared memory; in double three
  // layers of the widest width (1 MB) exceed any device's shared memory and are read from global
  // memory.
  compare_backends(mlp_score<float, 2>::random({128, 128}, mlp_activation::softplus, 7),
                   ulps<float>(1024), {4u});
  std::vector<int> widest(3, mlp_view_max_width);
  compare_backends(mlp_score<double, 2>::random(widest, mlp_activation::silu, 8),
                   ulps<double>(4096), {2u});
}

TEST(GpuSsm, MlpBeyondTheDeviceCapsIsRefusedNamingTheWidthOrDepth) {
  SCOREPATH_REQUIRE_GPU();
  const std::vector<float> x(20, 0.5f);
  ssm_options opt;
  auto refusal = [&](const mlp_score<float, 2>& net) -> std::string {
    rng_stream rng(1);
    try {
      sliced_score_matching(context(backend_choice::cuda), rng, net, x, opt);
    } catch (const invalid_argument_error& e) {
      return e.parameter() + " = " + e.value();
    }
    return "accepted";
  };
  EXPECT_EQ(refusal(mlp_score<float, 2>::random({16, mlp_view_max_width + 1}, mlp_activation::tanh,
                                                1)),
            "hidden[1] = " + std::to_string(mlp_view_max_width + 1));
  EXPECT_EQ(refusal(mlp_score<float, 2>::random(std::vector<int>(mlp_view_max_hidden + 1, 4),
                                                mlp_activation::tanh, 1)),
            "hidden size = " + std::to_string(mlp_view_max_hidden + 1));
}

TEST(GpuSsm, Mlp64HasNoKernelAndThrowsUnavailable) {
  SCOREPATH_REQUIRE_GPU();
  const auto net = mlp_score<float, 64>::random({8}, mlp_activation::tanh, 1);
  rng_stream rng(1);
  const std::vector<float> x(128, 0.5f);
  ssm_options opt;
  EXPECT_THROW(sliced_score_matching(context(backend_choice::cuda), rng, net, x, opt),
               unavailable_error);
}

/// A score model of the caller's own, for which no CUDA kernel is compiled: S(x) = −x.
struct negated_identity {
  static constexpr int dim = 2;
  using scalar_type = float;
  template <class R>
  vec<R, 2> operator()(const vec<R, 2>& x) const {
    vec<R, 2> s;
    for (int i = 0; i < 2; ++i) s[i] = -x[i];
    return s;
  }
};

TEST(GpuSsm, ModelWithoutKernelThrowsUnavailable) {
  SCOREPATH_REQUIRE_GPU();
  rng_stream rng(1);
  const std::vector<float> x(20, 0.5f);
  ssm_options opt;
  EXPECT_THROW(sliced_score_matching(context(backend_choice::cuda), rng, negated_identity{}, x, opt),
               unavailable_error);
}

}  // namespace
}  // namespace scorepath
