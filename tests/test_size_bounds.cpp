// Sizes at the edge of 64 bits and memory bounds: chunk requests up to 2^64 − 1 finish with the
// same numbers as the default chunking, the progress bar's chunk stays within the library's own
// bound, CPU scratch follows the work a call has (not the thread count), and a thread the system
// refuses becomes a typed error. Cases that hung or ended the process before run in a child
// process under a watchdog. A memory budget (set_host_memory_budget) caps what the library's
// checks grant.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "../apps/progress_bar.hpp"
#include "scorepath/detail/chunking.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

/// Exit statuses of the child processes below.
enum child_status { ok = 0, wrong_numbers = 1, threw = 2, typed_threads_error = 3 };

/// Limits this (child) process's address space to what it uses now plus @p extra bytes.
void limit_address_space(std::uint64_t extra) {
  unsigned long long pages = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  rlimit r{};
  getrlimit(RLIMIT_AS, &r);
  r.rlim_cur = static_cast<rlim_t>(pages * sysconf(_SC_PAGE_SIZE) + extra);
  setrlimit(RLIMIT_AS, &r);
}

TEST(ChunkSize, RoundsUpWithoutWrappingNear64Bits) {
  constexpr std::uint64_t B = statistics_block;
  EXPECT_EQ(detail::round_up_saturating(kMax, B), kMax / B * B);
  EXPECT_EQ(detail::round_up_saturating(kMax - B + 2, B), kMax / B * B);
  EXPECT_EQ(detail::round_up_saturating(1, B), B);
  EXPECT_EQ(detail::pieces(kMax, B), kMax / B + 1);
  for (std::uint64_t requested : {std::uint64_t{0}, std::uint64_t{1}, B, kMax - 1, kMax}) {
    for (std::uint64_t total : {std::uint64_t{1}, B + 1, kMax - B, kMax}) {
      const std::uint64_t c = detail::chunk_size(requested, std::uint64_t{1} << 20, total);
      EXPECT_GT(c, 0u) << requested << " " << total;
      EXPECT_EQ(c % B, 0u) << requested << " " << total;
    }
  }
  EXPECT_EQ(detail::chunk_size(kMax, 1 << 20, 16), B);
}

TEST(ProgressChunk, StaysWithinTheLibrarysDefaultChunkBound) {
  EXPECT_EQ(cli::progress_chunk(1000), std::uint64_t{1} << 16);
  EXPECT_LE(cli::progress_chunk(kMax), default_chunk_limit);
  EXPECT_LE(cli::progress_chunk(std::uint64_t{1} << 40), default_chunk_limit);
  EXPECT_EQ(cli::progress_chunk(std::uint64_t{50} << 20), std::uint64_t{1} << 20);
}

class SizeBoundsInChild : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

int run_em_with_chunk_of_64_bits() {
  alarm(60);  // the old rounding wrapped to an empty chunk and never finished
  context ctx(backend_choice::cpu);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 3000;
  opt.steps = 8;
  opt.statistics = true;
  rng_stream a(9), b(9);
  const em_report plain = simulate_em(ctx, a, gbm, {1.0}, opt);
  opt.chunk_paths = kMax;
  int calls = 0;
  opt.progress = [&](std::uint64_t, std::uint64_t) { ++calls; };
  const em_report huge = simulate_em(ctx, b, gbm, {1.0}, opt);
  const bool same = std::memcmp(&plain.at(0, 0), &huge.at(0, 0), sizeof(moment_summary)) == 0;
  return (same && calls == 1 ? ok : wrong_numbers);
}

TEST_F(SizeBoundsInChild, ChunkPathsOf64BitsFinishesWithTheDefaultNumbers) {
  EXPECT_EXIT(std::exit(run_em_with_chunk_of_64_bits()), ::testing::ExitedWithCode(ok), "");
}

int run_ssm_with_chunk_of_64_bits() {
  alarm(60);
  context ctx(backend_choice::cpu);
  const diagonal_gaussian_score<double, 2> model({0.0, 1.0}, {1.0, 2.0});
  std::vector<double> x(2 * 2500);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = 0.001 * static_cast<double>(k % 97);
  ssm_options opt;
  opt.probes = 2;
  rng_stream a(4), b(4);
  const ssm_report plain = sliced_score_matching(ctx, a, model, x, opt);
  opt.chunk_samples = kMax;
  const ssm_report huge = sliced_score_matching(ctx, b, model, x, opt);
  return (plain.ssm.value == huge.ssm.value && plain.ssm.std_error == huge.ssm.std_error
                ? ok
                : wrong_numbers);
}

TEST_F(SizeBoundsInChild, ChunkSamplesOf64BitsFinishesWithTheDefaultNumbers) {
  EXPECT_EXIT(std::exit(run_ssm_with_chunk_of_64_bits()), ::testing::ExitedWithCode(ok), "");
}

/// Sets a host memory budget for one test and removes it afterwards, even when the test fails.
class HostMemoryBudget : public ::testing::Test {
 protected:
  static constexpr std::uint64_t budget = std::uint64_t{1} << 20;
  void SetUp() override { set_host_memory_budget(budget); }
  void TearDown() override { set_host_memory_budget(0); }
};

TEST_F(HostMemoryBudget, CapsTheLimitAndRefusesRequestsBeyondItByName) {
  EXPECT_EQ(host_memory_budget(), budget);
  EXPECT_LE(host_memory_limit(), budget);
  EXPECT_NO_THROW(check_host_request(budget, "--hidden"));
  try {
    check_host_request(budget + 1, "--hidden");
    ADD_FAILURE() << "a request one byte beyond the budget was granted";
  } catch (const out_of_memory_error& e) {
    EXPECT_NE(std::string(e.what()).find("--hidden"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(std::to_string(budget + 1)), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("host memory budget"), std::string::npos) << e.what();
  }
  set_host_memory_budget(0);
  ASSERT_LT(host_memory_limit(), kMax) << "the host reports no memory size";
  try {
    check_host_request(host_memory_limit() + 1, "--paths");
    ADD_FAILURE() << "a request one byte beyond the host's limit was granted";
  } catch (const out_of_memory_error& e) {
    // Without a budget, the limit is the host's, and the message says so.
    EXPECT_EQ(std::string(e.what()).find("budget"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("on this host"), std::string::npos) << e.what();
  }
  EXPECT_EQ(host_memory_budget(), 0u);
  EXPECT_GT(host_memory_limit(), budget);
}

TEST_F(HostMemoryBudget, RandomWeightsBeyondItAreRefusedBeforeTheyAreDrawn) {
  // 1024 x 1024 hidden weights alone are 8 MiB in double: eight times the budget.
  const auto random_weights = [](int width) {
    return mlp_score<float, 2>::random({width, width}, mlp_activation::tanh, 1);
  };
  EXPECT_THROW((void)random_weights(1024), out_of_memory_error);
  EXPECT_NO_THROW((void)random_weights(16));
}

TEST(CpuScratch, FollowsTheWorkNotTheThreadCount) {
  // One path: a few SIMD packs of columns, not a whole block, and one thread, not 4096.
  EXPECT_EQ(detail::cpu_scratch_stride(1, 4), 4u);
  EXPECT_EQ(detail::cpu_scratch_stride(1000, 8), 1000u);
  EXPECT_EQ(detail::cpu_scratch_stride(1001, 8), 1008u);
  EXPECT_EQ(detail::cpu_scratch_stride(kMax, 8), statistics_block);
  context ctx(backend_choice::cpu);
  ctx.set_threads(max_threads);
  EXPECT_EQ(detail::cpu_threads_for(ctx, 1), 1);
  EXPECT_EQ(detail::cpu_threads_for(ctx, 0), 1);
}

int run_one_path_saving_every_step() {
  alarm(120);
  context ctx(backend_choice::cpu);
  ctx.set_threads(2);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 1;
  opt.steps = 200000;
  opt.statistics = true;
  opt.save_steps.resize(opt.steps);
  for (std::uint64_t k = 0; k < opt.steps; ++k) opt.save_steps[k] = k + 1;
  rng_stream rng(3);
  limit_address_space(std::uint64_t{256} << 20);  // a block of scratch needed 1.6 GB
  try {
    const em_report r = simulate_em(ctx, rng, gbm, {1.0}, opt);
    return (r.statistics.size() == 200000 ? ok : wrong_numbers);
  } catch (...) {
    return threw;
  }
}

TEST_F(SizeBoundsInChild, OnePathSavingEveryOf200000StepsFitsIn256MiB) {
  EXPECT_EXIT(std::exit(run_one_path_saving_every_step()), ::testing::ExitedWithCode(ok), "");
}

int run_one_path_on_4096_threads() {
  alarm(120);
  context ctx(backend_choice::cpu);
  ctx.set_threads(max_threads);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 1;
  opt.steps = 64;
  opt.statistics = true;
  rng_stream rng(3);
  limit_address_space(std::uint64_t{256} << 20);  // 4096 thread stacks would not fit
  try {
    const em_report r = simulate_em(ctx, rng, gbm, {1.0}, opt);
    return (r.statistics.size() == 1 ? ok : wrong_numbers);
  } catch (...) {
    return threw;
  }
}

TEST_F(SizeBoundsInChild, OnePathOn4096ThreadsStartsOneThread) {
  EXPECT_EXIT(std::exit(run_one_path_on_4096_threads()), ::testing::ExitedWithCode(ok), "");
}

int run_with_refused_threads() {
  alarm(120);
  context ctx(backend_choice::cpu);
  ctx.set_threads(64);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 64 * statistics_block;
  opt.steps = 4;
  opt.statistics = true;
  rng_stream rng(3);
  // 63 more thread stacks of the usual 8 MiB do not fit in 64 MiB more address space.
  setenv("OMP_STACKSIZE", "8M", 1);
  limit_address_space(std::uint64_t{64} << 20);
  try {
    simulate_em(ctx, rng, gbm, {1.0}, opt);
    return ok;
  } catch (const out_of_memory_error& e) {
    const bool named = std::strstr(e.what(), "threads") != nullptr;
    return (named && rng.state().next_subsequence == 0 ? typed_threads_error : threw);
  } catch (...) {
    return threw;
  }
}

TEST_F(SizeBoundsInChild, ThreadsTheSystemRefusesAreATypedError) {
  EXPECT_EXIT(std::exit(run_with_refused_threads()), ::testing::ExitedWithCode(typed_threads_error), "");
}

}  // namespace
}  // namespace scorepath
