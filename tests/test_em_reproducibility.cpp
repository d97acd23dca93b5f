// Reproducibility of simulate_em: results depend only on (seed, path id, draw index), never on
// threads, chunking, path count or lane grouping; streams advance; saved states replay.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "scorepath/random_fill.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;

em_options ou_options(std::uint64_t paths) {
  em_options opt;
  opt.paths = paths;
  opt.steps = 50;
  opt.t1 = 2.0;
  opt.save_steps = {10, 25, 50};
  opt.statistics = true;
  return opt;
}

bool same_bits(const std::vector<moment_summary>& a, const std::vector<moment_summary>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(moment_summary)) == 0;
}

TEST(EmReproducibility, BitwiseEqualForOneAndTwoThreadsAndAnyChunking) {
  const ornstein_uhlenbeck<float, 8> ou(1.5f, 0.3f, 0.7f);
  const std::vector<float> x0(8, 1.0f);
  em_options opt = ou_options(10000);  // not a multiple of the block or lane count
  rng_stream r1(11), r2(11), r3(11);
  auto one = simulate_em_to_host(cpu(1), r1, ou, x0, opt, true, true);
  auto two = simulate_em_to_host(cpu(2), r2, ou, x0, opt, true, true);
  opt.chunk_paths = 3000;  // rounded up to whole reduction blocks
  auto chunked = simulate_em_to_host(cpu(2), r3, ou, x0, opt, true, true);
  EXPECT_EQ(one.final_states, two.final_states);
  EXPECT_EQ(one.saved_states, two.saved_states);
  EXPECT_TRUE(same_bits(one.report.statistics, two.report.statistics));
  EXPECT_EQ(one.final_states, chunked.final_states);
  EXPECT_TRUE(same_bits(one.report.statistics, chunked.report.statistics));
}

TEST(EmReproducibility, PathValuesDoNotDependOnPathCount) {
  const geometric_brownian_motion<double> gbm(0.1, 0.4);
  em_options opt;
  opt.steps = 20;
  opt.paths = 37;
  rng_stream a(5), b(5);
  auto small = simulate_em_to_host(cpu(1), a, gbm, {1.0}, opt, true, false);
  opt.paths = 5000;
  auto large = simulate_em_to_host(cpu(2), b, gbm, {1.0}, opt, true, false);
  for (std::size_t p = 0; p < 37; ++p) EXPECT_EQ(small.final_states[p], large.final_states[p]);
}

TEST(EmReproducibility, SeedsDifferAndConsecutiveCallsDrawFreshNumbers) {
  const geometric_brownian_motion<float> gbm(0.0f, 0.3f);
  em_options opt;
  opt.steps = 8;
  opt.paths = 256;
  rng_stream s1(1), s2(2);
  auto a = simulate_em_to_host(cpu(1), s1, gbm, {1.0f}, opt, true, false);
  auto b = simulate_em_to_host(cpu(1), s2, gbm, {1.0f}, opt, true, false);
  auto a_next = simulate_em_to_host(cpu(1), s1, gbm, {1.0f}, opt, true, false);
  EXPECT_NE(a.final_states, b.final_states);
  EXPECT_NE(a.final_states, a_next.final_states);
  EXPECT_EQ(s1.state().next_subsequence, 512u);
  for (std::size_t p = 0; p < 256; ++p) {
    EXPECT_NE(a.final_states[p], a_next.final_states[p]) << "path " << p << " reused numbers";
  }
}

TEST(EmReproducibility, SavedStateReplaysTheRun) {
  const vp_sde<float, 2> vp;
  em_options opt = ou_options(3000);
  rng_stream rng(77);
  rng.reserve(123);
  auto first = simulate_em_to_host(cpu(2), rng, vp, {0.5f, -0.5f}, opt, true, false);
  rng_stream replay(first.report.rng);
  auto again = simulate_em_to_host(cpu(1), replay, vp, {0.5f, -0.5f}, opt, true, false);
  EXPECT_EQ(first.final_states, again.final_states);
  EXPECT_TRUE(same_bits(first.report.statistics, again.report.statistics));
}

TEST(EmReproducibility, PathIdsAcrossTheTwoToThe32BoundaryUseTheirOwnSubsequences) {
  // One step of standard Brownian motion with h = 1 ends at the path's first normal draw, so the
  // final states must equal generate_normals from the same stream state, lane for lane.
  const brownian_motion<double, 1> bm(0.0, 1.0);
  em_options opt;
  opt.steps = 1;
  opt.paths = 64;
  const rng_state start{9, (std::uint64_t{1} << 32) - 20};
  rng_stream a(start), b(start);
  auto run = simulate_em_to_host(cpu(2), a, bm, {0.0}, opt, true, false);
  std::vector<double> normals(64);
  generate_normals<double>(cpu(1), b, 64, 1, host_output(normals.data(), normals.size()));
  EXPECT_EQ(run.final_states, normals);
}

TEST(EmReproducibility, RefinementReproducesTheFineBrownianPath) {
  // Brownian motion: EM is exact, so a coarse run with refinement r ends where the fine run with
  // 2^r times the steps ends, path by path (up to rounding of the summed increments).
  const brownian_motion<double, 1> bm(0.0, 1.0);
  em_options fine;
  fine.paths = 500;
  fine.steps = 64;
  em_options coarse = fine;
  coarse.steps = 8;
  coarse.refinement = 3;
  rng_stream a(31), b(31);
  auto f = simulate_em_to_host(cpu(1), a, bm, {0.0}, fine, true, false);
  auto c = simulate_em_to_host(cpu(2), b, bm, {0.0}, coarse, true, false);
  for (std::size_t p = 0; p < 500; ++p) EXPECT_NEAR(f.final_states[p], c.final_states[p], 1e-12);
}

/// Langevin on a Gaussian score, forced onto the scalar (non-SIMD) CPU path.
using scalar_langevin = langevin<isotropic_gaussian_score<float, 2>, 2, false>;

TEST(EmReproducibility, ScalarAndSimdPathsAgreeToRounding) {
  const isotropic_gaussian_score<float, 2> score({1.0f, -2.0f}, 0.5f);
  const langevin<isotropic_gaussian_score<float, 2>, 2> simd_sde(score);
  const scalar_langevin scalar_sde(score);
  em_options opt;
  opt.paths = 300;
  opt.steps = 40;
  opt.t1 = 0.4;
  rng_stream a(8), b(8);
  auto v = simulate_em_to_host(cpu(2), a, simd_sde, {0.0f, 0.0f}, opt, true, false);
  auto s = simulate_em_to_host(cpu(2), b, scalar_sde, {0.0f, 0.0f}, opt, true, false);
  ASSERT_EQ(v.final_states.size(), s.final_states.size());
  for (std::size_t i = 0; i < v.final_states.size(); ++i) {
    EXPECT_NEAR(v.final_states[i], s.final_states[i], 1e-4f) << "value " << i;
  }
}

}  // namespace
}  // namespace scorepath
