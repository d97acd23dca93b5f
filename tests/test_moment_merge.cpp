// The fold of moment accumulators (moments.hpp): pinned to the fma-explicit form of Chan et al.'s
// update, so that the CPU backend, host code built without FMA and a GPU fold alike; and accurate
// against a long-double reference over many random folds.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "scorepath/moments.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

moment_accumulator block_of(test_rng& g, int n) {
  std::vector<double> v(n);
  for (double& e : v) e = 3 + 2 * g.normal();
  return summarize_block(v.data(), v.size());
}

TEST(MomentMerge, IsTheFmaExplicitUpdateBitForBit) {
  test_rng g(5);
  for (int trial = 0; trial < 500; ++trial) {
    const moment_accumulator a = block_of(g, 1 + trial % 37), b = block_of(g, 1 + trial % 53);
    moment_accumulator got = a;
    got.merge(b);
    const double n = a.count + b.count, delta = b.mean - a.mean;
    const double mean = std::fma(delta, b.count / n, a.mean);
    const double m2 = a.m2 + std::fma(delta * delta, a.count * b.count / n, b.m2);
    ASSERT_TRUE(same_bits(got.mean, mean)) << trial;
    ASSERT_TRUE(same_bits(got.m2, m2)) << trial;
    ASSERT_EQ(got.count, n);
  }
}

TEST(MomentMerge, ManyFoldsStayWithinRoundingOfALongDoubleReference) {
  test_rng g(9);
  std::vector<double> all;
  moment_accumulator acc;
  for (int block = 0; block < 200; ++block) {
    std::vector<double> v(1 + block % 97);
    for (double& e : v) e = 100 + 0.5 * g.normal();
    all.insert(all.end(), v.begin(), v.end());
    acc.merge(summarize_block(v.data(), v.size()));
  }
  long double sum = 0, sq = 0;
  for (double e : all) sum += e;
  const long double mean = sum / all.size();
  for (double e : all) sq += (e - mean) * (e - mean);
  EXPECT_NEAR(acc.mean, static_cast<double>(mean), 1e-13 * 100);
  EXPECT_NEAR(acc.m2, static_cast<double>(sq), 1e-11 * static_cast<double>(sq));
}

}  // namespace
}  // namespace scorepath
