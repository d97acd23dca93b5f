// CUDA backend against the CPU backend. Every test skips itself when no CUDA device is found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/random_fill.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace scorepath {
namespace {

TEST(Gpu, PhiloxWordsEqualTheCpuWords) {
  SCOREPATH_REQUIRE_GPU();
  const std::uint64_t streams = 4099, words = 37;
  std::vector<std::uint32_t> gpu(streams * words), cpu(streams * words);
  rng_stream a(123), b(123);
  generate_philox_words(context(backend_choice::cuda), a, streams, words,
                        host_output(gpu.data(), gpu.size()));
  generate_philox_words(context(backend_choice::cpu), b, streams, words,
                        host_output(cpu.data(), cpu.size()));
  EXPECT_EQ(gpu, cpu);
}

template <class T>
void expect_normals_close(double rel) {
  const std::uint64_t streams = 2053, draws = 24;
  std::vector<T> gpu(streams * draws), cpu(streams * draws);
  rng_stream a(7), b(7);
  generate_normals<T>(context(backend_choice::cuda), a, streams, draws,
                      host_output(gpu.data(), gpu.size()));
  generate_normals<T>(context(backend_choice::cpu), b, streams, draws,
                      host_output(cpu.data(), cpu.size()));
  for (std::size_t i = 0; i < gpu.size(); ++i) {
    ASSERT_NEAR(gpu[i], cpu[i], rel * (1.0 + std::fabs(cpu[i]))) << "element " << i;
  }
}

TEST(Gpu, FloatNormalsAgreeWithTheCpuToFewUlp) {
  SCOREPATH_REQUIRE_GPU();
  expect_normals_close<float>(4e-6);
}

TEST(Gpu, DoubleNormalsAgreeWithTheCpuToFewUlp) {
  SCOREPATH_REQUIRE_GPU();
  expect_normals_close<double>(1e-13);
}

TEST(Gpu, EnsembleMatchesTheCpuPathByPathAndInStatistics) {
  SCOREPATH_REQUIRE_GPU();
  const ornstein_uhlenbeck<double, 8> ou(1.0, 0.5, 0.3);
  em_options opt;
  opt.paths = 50000;
  opt.steps = 64;
  opt.save_steps = {16, 64};
  opt.statistics = true;
  rng_stream a(5), b(5);
  const std::vector<double> x0(8, 0.0);
  auto gpu = simulate_em_to_host(context(backend_choice::cuda), a, ou, x0, opt, true, true);
  auto cpu = simulate_em_to_host(context(backend_choice::cpu), b, ou, x0, opt, true, true);
  ASSERT_EQ(gpu.final_states.size(), cpu.final_states.size());
  for (std::size_t i = 0; i < cpu.final_states.size(); ++i) {
    ASSERT_NEAR(gpu.final_states[i], cpu.final_states[i], 1e-10) << "value " << i;
  }
  ASSERT_EQ(gpu.report.statistics.size(), cpu.report.statistics.size());
  for (std::size_t i = 0; i < cpu.report.statistics.size(); ++i) {
    const auto& g = gpu.report.statistics[i];
    const auto& c = cpu.report.statistics[i];
    EXPECT_NEAR(g.mean, c.mean, 1e-10);
    EXPECT_NEAR(g.variance, c.variance, 1e-10);
  }
}

#if SCOREPATH_HAVE_CUDA
TEST(Gpu, DeviceOutputsAreWrittenInPlace) {
  SCOREPATH_REQUIRE_GPU();
  context ctx(backend_choice::cuda);
  const std::uint64_t paths = 3000;
  device_buffer final_states(paths * sizeof(float), ctx.stream());
  em_options opt;
  opt.paths = paths;
  opt.steps = 10;
  const geometric_brownian_motion<float> gbm(0.0f, 0.2f);
  rng_stream a(1), b(1);
  em_outputs<float> out;
  out.final_states = device_output(final_states.as<float>(), paths);
  simulate_em(ctx, a, gbm, {1.0f}, opt, out);
  std::vector<float> from_device(paths);
  ASSERT_EQ(cudaMemcpy(from_device.data(), final_states.data(), paths * sizeof(float),
                       cudaMemcpyDeviceToHost),
            cudaSuccess);
  auto cpu = simulate_em_to_host(context(backend_choice::cpu), b, gbm, {1.0f}, opt, true, false);
  for (std::size_t p = 0; p < paths; ++p) {
    ASSERT_NEAR(from_device[p], cpu.final_states[p], 1e-5f) << "path " << p;
  }
}
#endif

}  // namespace
}  // namespace scorepath
