// The samplers on the CUDA backend against the CPU backend: every sampler with the exact mixture
// score and with a conditioned network, float and double, paths drawn from the same subsequences,
// so the samples agree to rounding; the same bits from two runs on the device; samples written to
// device memory; a score with no device form refused. Every test skips itself when no CUDA device
// is found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/cuda_check.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "support/test_support.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace scorepath {
namespace {

using test_support::cpu;

/// Three dimensions, four components of unequal weights and variances.
diagonal_mixture uneven_mixture() {
  diagonal_mixture m;
  m.dim = 3;
  m.weights = {0.1, 0.2, 0.3, 0.4};
  m.means = {-2, 0, 1, 2, 1, -1, 0, -2, 2, 1, 1, 1};
  m.variances = {0.3, 0.5, 0.2, 0.4, 0.3, 0.6, 0.5, 0.2, 0.3, 0.2, 0.4, 0.5};
  return m;
}

struct sampler_case {
  std::string name;
  sampler_options opt;
};

std::vector<sampler_case> cases() {
  std::vector<sampler_case> all;
  sampler_options base;
  base.steps = 60;
  noise_conditioning vp;
  vp.kind = conditioning_kind::vp;
  noise_conditioning ve;
  ve.kind = conditioning_kind::ve;
  ve.sigma_max = 5.0;
  noise_conditioning levels;
  levels.kind = conditioning_kind::levels;
  levels.levels = {3.0, 1.0, 0.3, 0.1};

  sampler_options o = base;
  o.kind = sampler_kind::langevin;
  o.step_size = 0.01;
  all.push_back({"langevin", o});
  o = base;
  o.kind = sampler_kind::annealed_langevin;
  o.process = levels;
  o.steps = 20;
  o.step_size = 1e-3;
  all.push_back({"annealed_langevin", o});
  o = base;
  o.process = vp;
  o.corrector_steps = 1;
  all.push_back({"reverse_sde vp, corrector", o});
  o = base;
  o.process = ve;
  all.push_back({"reverse_sde ve", o});
  o = base;
  o.kind = sampler_kind::probability_flow_euler;
  o.process = ve;
  all.push_back({"pf_euler ve", o});
  o = base;
  o.kind = sampler_kind::probability_flow_heun;
  o.process = vp;
  all.push_back({"pf_heun vp", o});
  return all;
}

template <class T>
std::vector<T> run(const context& ctx, const batch_score<T>& score, const sampler_options& opt,
                   std::uint64_t paths, sampler_report* report = nullptr) {
  std::vector<T> out(paths * score.dim);
  rng_stream rng(31);
  rng.reserve(5);
  const sampler_report r = sample_paths(ctx, rng, score, opt, host_output(out.data(), out.size()));
  if (report != nullptr) *report = r;
  return out;
}

/// Coordinates farther apart than @p tol·(1 + |cpu|), as a share of all coordinates.
template <class T>
double share_apart(const std::vector<T>& gpu, const std::vector<T>& cpu_values, double tol) {
  std::uint64_t apart = 0;
  for (std::size_t i = 0; i < gpu.size(); ++i) {
    const double b = cpu_values[i];
    if (!(std::fabs(static_cast<double>(gpu[i]) - b) <= tol * (1 + std::fabs(b)))) ++apart;
  }
  return static_cast<double>(apart) / static_cast<double>(gpu.size());
}

/// Rounding differences grow only where a path passes near a saddle of the score: all but a few
/// coordinates must agree closely.
template <class T>
void expect_gpu_matches_cpu(const batch_score<T>& score, const sampler_options& opt,
                            std::uint64_t paths, const std::string& name) {
  const double tol = sizeof(T) == 8 ? 1e-9 : 2e-3;
  sampler_report on_cpu, on_gpu;
  const auto a = run(cpu(), score, opt, paths, &on_cpu);
  const auto b = run(context(backend_choice::cuda), score, opt, paths, &on_gpu);
  EXPECT_EQ(on_gpu.score_evaluations, on_cpu.score_evaluations) << name;
  EXPECT_EQ(on_gpu.non_finite_paths, on_cpu.non_finite_paths) << name;
  EXPECT_EQ(on_gpu.rng.next_subsequence, on_cpu.rng.next_subsequence) << name;
  EXPECT_LE(share_apart(b, a, tol), 0.002) << name;
}

TEST(GpuSampling, EverySamplerWithTheExactScoreMatchesTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  const auto m = uneven_mixture();
  for (const auto& c : cases()) {
    expect_gpu_matches_cpu(mixture_batch_score<double>(m), c.opt, 5000, c.name + " double");
    expect_gpu_matches_cpu(mixture_batch_score<float>(m), c.opt, 5000, c.name + " float");
  }
}

TEST(GpuSampling, ConditionedNetworkMatchesTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  for (const auto& c : cases()) {
    if (c.opt.kind == sampler_kind::langevin) continue;  // needs an unconditioned network
    const auto net_d = mlp_network<double>::random(3, {16, 16}, mlp_activation::softplus, 4,
                                                   c.opt.process);
    expect_gpu_matches_cpu(network_batch_score(net_d), c.opt, 3000, c.name + " network double");
    const auto net_f = mlp_network<float>::random(3, {16, 16}, mlp_activation::silu, 4,
                                                  c.opt.process);
    expect_gpu_matches_cpu(network_batch_score(net_f), c.opt, 3000, c.name + " network float");
  }
  // Plain Langevin with an unconditioned network.
  const auto plain = mlp_network<double>::random(3, {16}, mlp_activation::tanh, 4,
                                                 noise_conditioning{});
  sampler_options o;
  o.kind = sampler_kind::langevin;
  o.steps = 30;
  o.step_size = 0.01;
  expect_gpu_matches_cpu(network_batch_score(plain), o, 3000, "langevin network double");
}

TEST(GpuSampling, TwoRunsOnTheDeviceGiveTheSameBits) {
  SCOREPATH_REQUIRE_GPU();
  const context gpu(backend_choice::cuda);
  const auto score = mixture_batch_score<float>(uneven_mixture());
  const auto opt = cases()[2].opt;
  EXPECT_EQ(run(gpu, score, opt, 4000), run(gpu, score, opt, 4000));
}

#if SCOREPATH_HAVE_CUDA
TEST(GpuSampling, SamplesInDeviceMemoryEqualSamplesInHostMemory) {
  SCOREPATH_REQUIRE_GPU();
  const context gpu(backend_choice::cuda);
  const auto score = mixture_batch_score<double>(uneven_mixture());
  const auto opt = cases()[5].opt;
  const std::uint64_t paths = 2500;
  const auto on_host = run(gpu, score, opt, paths);
  double* device = nullptr;
  ASSERT_EQ(cudaMalloc(&device, on_host.size() * sizeof(double)), cudaSuccess);
  rng_stream rng(31);
  rng.reserve(5);
  sample_paths(gpu, rng, score, opt, device_output(device, on_host.size()));
  std::vector<double> copied(on_host.size());
  ASSERT_EQ(cudaMemcpy(copied.data(), device, copied.size() * sizeof(double),
                       cudaMemcpyDeviceToHost),
            cudaSuccess);
  cudaFree(device);
  EXPECT_EQ(copied, on_host);
}
#endif

TEST(GpuSampling, AScoreWithNoDeviceFormIsRefused) {
  SCOREPATH_REQUIRE_GPU();
  batch_score<double> host_only = mixture_batch_score<double>(uneven_mixture());
  host_only.make_device_evaluator = nullptr;
  std::vector<double> out(30);
  rng_stream rng(1);
  sampler_options opt = cases()[2].opt;
  EXPECT_THROW(sample_paths(context(backend_choice::cuda), rng, host_only, opt,
                            host_output(out.data(), out.size())),
               unavailable_error);
  EXPECT_EQ(rng.state().next_subsequence, 0u);
}

}  // namespace
}  // namespace scorepath
