// Determinism under load: runs split into consecutive path ranges merge bit for bit, repeated
// runs agree to the bit, two contexts used from two host threads at once give what they give one
// after the other, and the statistical checks hold at their stated rate over many seeds.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "scorepath/merge_runs.hpp"
#include "scorepath/random_fill.hpp"
#include "scorepath/reducers.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/ssm.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;

bool same_bits(const moment_summary& a, const moment_summary& b) {
  return std::memcmp(&a, &b, sizeof(moment_summary)) == 0;
}

bool same_bits(const std::vector<moment_summary>& a, const std::vector<moment_summary>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

bool same_bits(const loss_estimate& a, const loss_estimate& b) {
  return std::memcmp(&a.value, &b.value, sizeof(double)) == 0 &&
         std::memcmp(&a.std_error, &b.std_error, sizeof(double)) == 0 && a.count == b.count;
}

em_options ou_options(std::uint64_t paths) {
  em_options opt;
  opt.paths = paths;
  opt.steps = 40;
  opt.t1 = 1.0;
  opt.save_steps = {10, 40};
  opt.statistics = true;
  return opt;
}

const ornstein_uhlenbeck<float, 4> kOu(1.2f, 0.5f, 0.8f);
const std::vector<float> kOuStart{1.0f, -1.0f, 0.5f, 2.0f};
const component_value<0> kFirstComponent{};

/// Runs paths [first, first + count) of the run that @p start begins, on @p threads threads.
em_host_result<float> ou_part(const rng_state& start, std::uint64_t first, std::uint64_t count,
                              int threads) {
  rng_stream rng(rng_state{start.seed, start.next_subsequence + first});
  return simulate_em_to_host(cpu(threads), rng, kOu, kOuStart, ou_options(count), true, false,
                             kFirstComponent);
}

TEST(Determinism, RunSplitIntoThreePathRangesMergesToTheWholeRunBitForBit) {
  const rng_state start{2024, 7};
  const std::uint64_t g = statistics_group;
  const std::uint64_t paths = 3 * g + 1234;  // the last part is not a whole group
  const auto whole = ou_part(start, 0, paths, 2);
  const auto a = ou_part(start, 0, g, 1);
  const auto b = ou_part(start, g, 2 * g, 2);
  const auto c = ou_part(start, 3 * g, paths - 3 * g, 1);
  const em_report merged = merge_em_reports(merge_em_reports(a.report, b.report), c.report);

  EXPECT_EQ(merged.paths, paths);
  EXPECT_TRUE(same_bits(merged.statistics, whole.report.statistics));
  ASSERT_TRUE(merged.reducer.has_value());
  EXPECT_TRUE(same_bits(*merged.reducer, *whole.report.reducer));
  // Per-path outputs: component c of path p sits at [c·paths + p] in each run.
  for (int comp = 0; comp < 4; ++comp) {
    std::vector<float> joined;
    for (const auto* part : {&a, &b, &c}) {
      const std::uint64_t n = part->report.paths;
      joined.insert(joined.end(), part->final_states.begin() + comp * n,
                    part->final_states.begin() + (comp + 1) * n);
    }
    const std::vector<float> expected(whole.final_states.begin() + comp * paths,
                                      whole.final_states.begin() + (comp + 1) * paths);
    EXPECT_EQ(joined, expected) << "component " << comp;
  }
}

TEST(Determinism, MergeRefusesRunsThatAreNotConsecutivePartsOfOneRun) {
  const rng_state start{99, 0};
  const std::uint64_t g = statistics_group;
  const auto a = ou_part(start, 0, g, 2);
  const auto b = ou_part(start, g, 100, 2);
  auto expect_names = [](auto&& call, const char* name) {
    try {
      call();
      ADD_FAILURE() << "no error for " << name;
    } catch (const invalid_argument_error& e) {
      EXPECT_EQ(e.parameter(), name) << e.what();
    }
  };
  // Cut off a group boundary: the first run holds 100 paths.
  expect_names([&] { merge_em_reports(b.report, a.report); }, "subsequence");
  const auto short_first = ou_part(start, 0, 100, 2);
  const auto after_short = ou_part(start, 100, 100, 2);
  expect_names([&] { merge_em_reports(short_first.report, after_short.report); },
               "first run items");
  // A gap between the ranges.
  const auto gap = ou_part(start, g + 1, 100, 2);
  expect_names([&] { merge_em_reports(a.report, gap.report); }, "subsequence");
  // Another seed.
  const auto other_seed = ou_part(rng_state{100, g}, 0, 100, 2);
  expect_names([&] { merge_em_reports(a.report, other_seed.report); }, "seed");
  // Other save points.
  rng_stream rng(rng_state{start.seed, start.next_subsequence + g});
  em_options opt = ou_options(100);
  opt.save_steps = {40};
  const em_report other_saves =
      simulate_em(cpu(1), rng, kOu, kOuStart, opt, {}, kFirstComponent);
  expect_names([&] { merge_em_reports(a.report, other_saves); }, "save_steps");
}

std::vector<moment_summary> ou_statistics(int threads, std::uint64_t seed) {
  rng_stream rng(seed);
  return simulate_em(cpu(threads), rng, kOu, kOuStart, ou_options(50000)).statistics;
}

const diagonal_gaussian_score<double, 3> kGauss({0.5, -1.0, 2.0}, {1.0, 4.0, 0.25});

/// Samples of kGauss's own law N(m, diag(1/precision)), from Philox key @p seed.
std::vector<double> gauss_samples(std::uint64_t n, std::uint64_t seed) {
  std::vector<double> x(n * 3);
  rng_stream rng(seed);
  generate_normals(cpu(1), rng, n, 3, host_output(x.data(), x.size()));
  std::vector<double> out(n * 3);
  // generate_normals lays out draw-major per stream: [d·n + s]; samples are row-major.
  for (std::uint64_t s = 0; s < n; ++s) {
    for (int i = 0; i < 3; ++i) {
      out[s * 3 + i] = kGauss.mean[i] + x[i * n + s] / std::sqrt(kGauss.precision[i]);
    }
  }
  return out;
}

std::array<loss_estimate, 3> gauss_losses(int threads, std::uint64_t seed,
                                          const std::vector<double>& x, probe_law law) {
  ssm_options opt;
  opt.probes = 2;
  opt.law = law;
  opt.exact_ism = true;
  rng_stream rng(seed);
  const ssm_report r = sliced_score_matching(cpu(threads), rng, kGauss, x, opt);
  return {r.ssm, r.ssm_vr, *r.ism};
}

bool same_bits(const std::array<loss_estimate, 3>& a, const std::array<loss_estimate, 3>& b) {
  return same_bits(a[0], b[0]) && same_bits(a[1], b[1]) && same_bits(a[2], b[2]);
}

TEST(Determinism, RepeatedRunsAgreeBitForBit) {
  const auto em_first = ou_statistics(2, 5);
  for (int repeat = 0; repeat < 3; ++repeat) {
    EXPECT_TRUE(same_bits(ou_statistics(2, 5), em_first)) << "path statistics, repeat " << repeat;
  }
  const std::vector<double> x = gauss_samples(20000, 6);
  const auto ssm_first = gauss_losses(2, 7, x, probe_law::rademacher);
  for (int repeat = 0; repeat < 3; ++repeat) {
    EXPECT_TRUE(same_bits(gauss_losses(2, 7, x, probe_law::rademacher), ssm_first))
        << "losses, repeat " << repeat;
  }
}

TEST(Determinism, TwoContextsOnTwoHostThreadsGiveTheSequentialResults) {
  const std::vector<double> x = gauss_samples(30000, 8);
  const auto em_alone = ou_statistics(2, 9);
  const auto ssm_alone = gauss_losses(2, 10, x, probe_law::sphere);

  std::vector<moment_summary> em_concurrent;
  std::array<loss_estimate, 3> ssm_concurrent{};
  for (int round = 0; round < 3; ++round) {
    std::thread paths([&] { em_concurrent = ou_statistics(2, 9); });
    std::thread losses([&] { ssm_concurrent = gauss_losses(2, 10, x, probe_law::sphere); });
    paths.join();
    losses.join();
    EXPECT_TRUE(same_bits(em_concurrent, em_alone)) << "round " << round;
    EXPECT_TRUE(same_bits(ssm_concurrent, ssm_alone)) << "round " << round;
  }
  // Two path runs at once on two contexts, as two users of one process would.
  std::vector<moment_summary> first, second;
  std::thread t1([&] { first = ou_statistics(1, 9); });
  std::thread t2([&] { second = ou_statistics(2, 9); });
  t1.join();
  t2.join();
  EXPECT_TRUE(same_bits(first, em_alone));
  EXPECT_TRUE(same_bits(second, em_alone));
}

/// Counts |z| > 3 over @p seeds z-scores and checks the count and the spread of z.
/// P(|z| > 3) = 0.0027 for a correct estimator and standard error: with 100 seeds, 5 or more
/// exceedances happen with probability below 2·10⁻⁵; the sample variance of 100 standard normal z
/// has standard deviation ≈ 0.14 around 1, so [0.55, 1.6] is more than 3 of those either way.
void expect_calibrated(const std::vector<double>& z, const char* what) {
  int beyond = 0;
  double sum = 0.0, sum2 = 0.0;
  for (double v : z) {
    beyond += std::fabs(v) > 3.0 ? 1 : 0;
    sum += v;
    sum2 += v * v;
  }
  const double n = static_cast<double>(z.size());
  const double mean = sum / n;
  const double variance = (sum2 - n * mean * mean) / (n - 1.0);
  EXPECT_LE(beyond, 4) << what << ": z beyond 3 sigma in " << beyond << " of " << z.size();
  EXPECT_LT(std::fabs(mean), 4.0 / std::sqrt(n)) << what << ": mean z " << mean;
  EXPECT_GT(variance, 0.55) << what << ": standard errors too large";
  EXPECT_LT(variance, 1.6) << what << ": standard errors too small";
}

TEST(StatisticalCalibration, PathMeansOverOneHundredSeedsFailAtTheStatedRate) {
  // GBM's Euler–Maruyama chain has E[X_n] = x0 (1 + μh)^n exactly.
  const geometric_brownian_motion<double> gbm(0.1, 0.3);
  em_options opt;
  opt.paths = 4096;
  opt.steps = 16;
  opt.t1 = 1.0;
  opt.statistics = true;
  const double exact = std::pow(1.0 + 0.1 / 16.0, 16.0);
  std::vector<double> z;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    rng_stream rng(seed);
    const moment_summary s = simulate_em(cpu(2), rng, gbm, {1.0}, opt).at(0, 0);
    z.push_back((s.mean - exact) / s.std_error);
  }
  expect_calibrated(z, "GBM mean");
}

TEST(StatisticalCalibration, SlicedLossesOverOneHundredSeedsFailAtTheStatedRate) {
  // On samples of the model's own law, E[SSM] = E[SSM-VR] = E[ISM] = −tr(P) = −5.25.
  const double exact = -(1.0 + 4.0 + 0.25);
  std::vector<double> z_ssm, z_vr;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const std::vector<double> x = gauss_samples(2000, 1000 + seed);
    const auto losses = gauss_losses(2, seed, x, probe_law::gaussian);
    z_ssm.push_back((losses[0].value - exact) / losses[0].std_error);
    z_vr.push_back((losses[1].value - exact) / losses[1].std_error);
  }
  expect_calibrated(z_ssm, "SSM");
  expect_calibrated(z_vr, "SSM-VR");
}

}  // namespace
}  // namespace scorepath
