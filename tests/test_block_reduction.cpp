// The reduction of one statistics block (moments.hpp): 32 interleaved lane sums folded pairwise.
// A GPU warp computes it with one thread per lane and shuffles (detail/block_moments_kernel.cuh);
// here the warp's steps are replayed on the host, lane by lane, to pin the order it must follow.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "scorepath/moments.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;
using namespace detail;

/// A warp's shuffle-down fold: every lane reads the value lane + w had before the step (its own
/// when lane + w is past the warp), then folds it in.
template <class V, class Fold>
V warp_fold(std::vector<V> lanes, Fold fold) {
  for (int w = reduction_lanes / 2; w >= 1; w /= 2) {
    const std::vector<V> before = lanes;
    for (int j = 0; j < reduction_lanes; ++j) {
      fold(lanes[j], before[j + w < reduction_lanes ? j + w : j]);
    }
  }
  return lanes[0];
}

/// What block_moments_kernel computes for one block, replayed on the host.
moment_accumulator warp_summary(const double* values, std::uint64_t n, std::uint64_t stride) {
  std::vector<lane_moments> first(reduction_lanes);
  for (int j = 0; j < reduction_lanes; ++j) first[j] = lane_first_pass(values, n, stride, j);
  const lane_moments m =
      warp_fold(first, [](lane_moments& a, const lane_moments& b) { a.fold(b); });
  const double mean = m.sum / static_cast<double>(n);
  std::vector<double> second(reduction_lanes);
  for (int j = 0; j < reduction_lanes; ++j) {
    second[j] = lane_second_pass(values, n, stride, j, mean);
  }
  const double m2 = warp_fold(second, [](double& a, double b) { a += b; });
  return block_accumulator(n, m, mean, m2);
}

TEST(BlockReduction, TheWarpOrderGivesSummarizeBlocksBits) {
  test_rng g(31);
  for (std::uint64_t n : {1, 2, 5, 31, 32, 33, 63, 100, 1000, 1024}) {
    for (std::uint64_t stride : {1, 3}) {
      std::vector<double> v(n * stride);
      for (double& e : v) e = 7 + 3 * g.normal();
      const moment_accumulator cpu = summarize_block(v.data(), n, stride);
      const moment_accumulator warp = warp_summary(v.data(), n, stride);
      EXPECT_TRUE(same_bits(cpu.mean, warp.mean)) << "n = " << n << ", stride " << stride;
      EXPECT_TRUE(same_bits(cpu.m2, warp.m2)) << "n = " << n << ", stride " << stride;
      EXPECT_EQ(cpu.min, warp.min);
      EXPECT_EQ(cpu.max, warp.max);
      EXPECT_EQ(cpu.count, static_cast<double>(n));
    }
  }
}

TEST(BlockReduction, MatchesALongDoubleReference) {
  test_rng g(37);
  for (std::uint64_t n : {1, 7, 32, 333, 1024}) {
    std::vector<double> v(n);
    for (double& e : v) e = 1000 + 0.25 * g.normal();
    long double sum = 0;
    double lo = v[0], hi = v[0];
    for (double e : v) {
      sum += e;
      lo = std::fmin(lo, e);
      hi = std::fmax(hi, e);
    }
    const long double mean = sum / static_cast<long double>(n);
    long double sq = 0;
    for (double e : v) sq += (e - mean) * (e - mean);
    const moment_accumulator acc = summarize_block(v.data(), n);
    EXPECT_NEAR(acc.mean, static_cast<double>(mean), 4e-16 * 1000) << n;
    // The deviations are about 0.25 against values of 1000: each carries ~1e-13 absolute error.
    const double tol = 1e-12 * static_cast<double>(n) + 1e-9 * static_cast<double>(sq);
    EXPECT_NEAR(acc.m2, static_cast<double>(sq), tol) << n;
    EXPECT_EQ(acc.min, lo);
    EXPECT_EQ(acc.max, hi);
  }
}

TEST(BlockReduction, ReadsOnlyEveryStrideThValue) {
  test_rng g(41);
  const std::uint64_t n = 77, stride = 4;
  std::vector<double> spread(n * stride, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> packed(n);
  for (std::uint64_t i = 0; i < n; ++i) spread[i * stride] = packed[i] = g.normal();
  const moment_accumulator a = summarize_block(spread.data(), n, stride);
  const moment_accumulator b = summarize_block(packed.data(), n);
  EXPECT_TRUE(same_bits(a.mean, b.mean));
  EXPECT_TRUE(same_bits(a.m2, b.m2));
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
}

TEST(BlockReduction, AnEmptyBlockIsTheEmptyAccumulator) {
  const double one = 1.0;
  const moment_accumulator acc = summarize_block(&one, 0);
  EXPECT_EQ(acc.count, 0.0);
  EXPECT_EQ(acc.m2, 0.0);
}

}  // namespace
}  // namespace scorepath
