// One rng_stream shared by several threads: concurrent reserve() calls get disjoint subsequence
// ranges that together cover exactly what the stream advanced by, and a report records the range
// its own call used.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"

namespace scorepath {
namespace {

TEST(RngStreamSharing, ConcurrentReservesNeverOverlap) {
  rng_stream shared(11);
  constexpr int kThreads = 4;
  constexpr int kCalls = 50000;
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> ranges(kThreads);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      ranges[t].reserve(kCalls);
      for (int i = 0; i < kCalls; ++i) {
        const std::uint64_t count = 1 + static_cast<std::uint64_t>((i + t) % 3);
        ranges[t].emplace_back(shared.reserve(count), count);
      }
    });
  }
  for (auto& w : workers) w.join();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> all;
  std::uint64_t total = 0;
  for (const auto& r : ranges) {
    all.insert(all.end(), r.begin(), r.end());
    for (const auto& [first, count] : r) total += count;
  }
  std::sort(all.begin(), all.end());
  std::uint64_t overlaps = 0;
  for (std::size_t k = 1; k < all.size(); ++k) {
    if (all[k].first < all[k - 1].first + all[k - 1].second) ++overlaps;
  }
  EXPECT_EQ(overlaps, 0u);
  EXPECT_EQ(all.front().first, 0u);
  EXPECT_EQ(all.back().first + all.back().second, total);  // no gaps either
  EXPECT_EQ(shared.state().next_subsequence, total);
  EXPECT_EQ(shared.seed(), 11u);
}

TEST(RngStreamSharing, StaysCopyableAndMovable) {
  rng_stream a(5);
  a.reserve(7);
  rng_stream b = a;
  EXPECT_EQ(b.state(), a.state());
  rng_stream c(std::move(b));
  EXPECT_EQ(c.state(), (rng_state{5, 7}));
  rng_stream d;
  d = c;
  EXPECT_EQ(d.reserve(1), 7u);
  EXPECT_EQ(c.state().next_subsequence, 7u);  // copies are independent
}

TEST(RngStreamSharing, EachReportRecordsTheRangeItsCallUsed) {
  const context ctx(backend_choice::cpu);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  em_options opt;
  opt.paths = 64;
  opt.steps = 4;
  opt.statistics = true;
  rng_stream shared(21);
  constexpr int kRuns = 64;
  std::vector<em_report> reports(2 * kRuns);
  std::thread other([&] {
    for (int i = 0; i < kRuns; ++i) reports[kRuns + i] = simulate_em(ctx, shared, gbm, {1.0}, opt);
  });
  for (int i = 0; i < kRuns; ++i) reports[i] = simulate_em(ctx, shared, gbm, {1.0}, opt);
  other.join();
  std::vector<std::uint64_t> starts;
  for (const em_report& r : reports) starts.push_back(r.rng.next_subsequence);
  std::sort(starts.begin(), starts.end());
  for (std::size_t k = 0; k < starts.size(); ++k) EXPECT_EQ(starts[k], k * opt.paths);
  // Each report replays from its own state.
  for (const em_report& r : reports) {
    rng_stream replay(r.rng);
    const em_report again = simulate_em(ctx, replay, gbm, {1.0}, opt);
    ASSERT_EQ(again.at(0, 0).mean, r.at(0, 0).mean);
  }
}

}  // namespace
}  // namespace scorepath
