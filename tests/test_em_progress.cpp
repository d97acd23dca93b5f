// The progress callback of simulate_em: called after every chunk with increasing counts that end at
// the path count, and without any effect on the results.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "scorepath/ensemble.hpp"

namespace scorepath {
namespace {

TEST(EmProgress, ReportsEveryChunkAndLeavesResultsBitwiseEqual) {
  const context ctx(backend_choice::cpu);
  const geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  em_options opt;
  opt.paths = 10000;
  opt.steps = 8;
  opt.statistics = true;
  rng_stream a(3), b(3);
  const em_report plain = simulate_em(ctx, a, gbm, {1.0f}, opt);

  std::vector<std::uint64_t> done;
  opt.chunk_paths = 2048;  // five chunks: 2048 · 4 + 1808
  opt.progress = [&](std::uint64_t finished, std::uint64_t total) {
    EXPECT_EQ(total, 10000u);
    done.push_back(finished);
  };
  const em_report chunked = simulate_em(ctx, b, gbm, {1.0f}, opt);
  EXPECT_EQ(done, (std::vector<std::uint64_t>{2048, 4096, 6144, 8192, 10000}));
  EXPECT_EQ(chunked.at(0, 0).mean, plain.at(0, 0).mean);
  EXPECT_EQ(chunked.at(0, 0).variance, plain.at(0, 0).variance);
}

}  // namespace
}  // namespace scorepath
