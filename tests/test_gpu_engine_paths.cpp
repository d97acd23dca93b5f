// The paths of the CUDA path engine that a one-chunk run never takes, against the CPU backend:
// several chunks with a short last one (chunk offsets and the first block of each chunk's fold),
// saved states, a reducer, Brownian refinement, float statistics, and random numbers written to
// device memory. Every test skips itself when no CUDA device is found.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/random_fill.hpp"
#include "scorepath/reducers.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace scorepath {
namespace {

/// Every statistic of @p gpu within @p rel of @p cpu (relative to 1 + |value|), same count.
void expect_statistics_close(const em_report& gpu, const em_report& cpu, double rel) {
  ASSERT_EQ(gpu.statistics.size(), cpu.statistics.size());
  for (std::size_t i = 0; i < cpu.statistics.size(); ++i) {
    const moment_summary& g = gpu.statistics[i];
    const moment_summary& c = cpu.statistics[i];
    EXPECT_EQ(g.count, c.count) << "row " << i;
    EXPECT_NEAR(g.mean, c.mean, rel * (1 + std::fabs(c.mean))) << "row " << i;
    EXPECT_NEAR(g.variance, c.variance, rel * (1 + std::fabs(c.variance))) << "row " << i;
    EXPECT_NEAR(g.min, c.min, rel * (1 + std::fabs(c.min))) << "row " << i;
    EXPECT_NEAR(g.max, c.max, rel * (1 + std::fabs(c.max))) << "row " << i;
  }
}

template <class T>
void expect_values_close(const std::vector<T>& gpu, const std::vector<T>& cpu, double rel,
                         const char* what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    ASSERT_NEAR(gpu[i], cpu[i], rel * (1 + std::fabs(cpu[i]))) << what << " value " << i;
  }
}

TEST(GpuEnginePaths, SeveralChunksWithAShortLastOneMatchTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  const ornstein_uhlenbeck<double, 8> ou(1.0, 0.5, 0.3);
  em_options opt;
  opt.paths = 10000;        // 5 chunks of 2048 paths, the last of 1808
  opt.chunk_paths = 2048;
  opt.steps = 48;
  opt.save_steps = {12, 30, 48};
  opt.statistics = true;
  const std::vector<double> x0(8, 0.25);
  rng_stream a(21), b(21);
  const auto gpu = simulate_em_to_host(context(backend_choice::cuda), a, ou, x0, opt, true, true);
  em_options one_chunk = opt;
  one_chunk.chunk_paths = 0;
  const auto cpu =
      simulate_em_to_host(context(backend_choice::cpu), b, ou, x0, one_chunk, true, true);
  EXPECT_EQ(gpu.report.used, backend::cuda);
  expect_values_close(gpu.final_states, cpu.final_states, 1e-10, "final");
  expect_values_close(gpu.saved_states, cpu.saved_states, 1e-10, "saved");
  expect_statistics_close(gpu.report, cpu.report, 1e-10);
}

TEST(GpuEnginePaths, FloatReducerRefinementAndStatisticsMatchTheCpu) {
  SCOREPATH_REQUIRE_GPU();
  const geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  const discounted_call_payoff<float> call(1.0f, 0.05f, 1.0f);
  em_options opt;
  opt.paths = 7000;         // 4 chunks of 2048 paths, the last of 856
  opt.chunk_paths = 2048;
  opt.steps = 32;
  opt.refinement = 2;
  opt.statistics = true;
  rng_stream a(3), b(3);
  const auto gpu =
      simulate_em_to_host(context(backend_choice::cuda), a, gbm, {1.0f}, opt, true, false, call);
  const auto cpu =
      simulate_em_to_host(context(backend_choice::cpu), b, gbm, {1.0f}, opt, true, false, call);
  EXPECT_EQ(gpu.report.refinement, 2u);
  expect_values_close(gpu.final_states, cpu.final_states, 1e-4, "final");
  expect_statistics_close(gpu.report, cpu.report, 1e-4);
  ASSERT_TRUE(gpu.report.reducer.has_value());
  ASSERT_TRUE(cpu.report.reducer.has_value());
  EXPECT_EQ(gpu.report.reducer->count, cpu.report.reducer->count);
  EXPECT_NEAR(gpu.report.reducer->mean, cpu.report.reducer->mean, 1e-4);
  EXPECT_NEAR(gpu.report.reducer->std_error, cpu.report.reducer->std_error, 1e-4);
}

#if SCOREPATH_HAVE_CUDA
TEST(GpuEnginePaths, NormalsWrittenToDeviceMemoryEqualTheHostCopies) {
  SCOREPATH_REQUIRE_GPU();
  const context ctx(backend_choice::cuda);
  const std::uint64_t streams = 3001, draws = 5;
  const std::size_t count = streams * draws;
  device_buffer on_device(count * sizeof(double), ctx.stream());
  rng_stream a(17), b(17);
  generate_normals<double>(ctx, a, streams, draws, device_output(on_device.as<double>(), count));
  std::vector<double> copied(count), on_host(count);
  ASSERT_EQ(cudaMemcpy(copied.data(), on_device.data(), count * sizeof(double),
                       cudaMemcpyDeviceToHost),
            cudaSuccess);
  generate_normals<double>(ctx, b, streams, draws, host_output(on_host.data(), count));
  EXPECT_EQ(copied, on_host);
  EXPECT_EQ(a.state().next_subsequence, b.state().next_subsequence);
}
#endif

}  // namespace
}  // namespace scorepath
