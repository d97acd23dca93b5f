// The samplers as sequences of score evaluations and per-path updates
// (sampling/sampler_updates.hpp): running them one path at a time, as the CUDA driver does with one
// thread per path, gives the CPU tiles' samples bit for bit; the evaluation counts and the points
// where the score is taken follow each method's definition.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/sampling/sampler_updates.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using test_support::cpu;

/// Path p of @p opt run alone: its own normals, the exact score of @p mix at each update's point.
std::vector<double> one_path_at_a_time(const diagonal_mixture& mix, const sampler_options& opt,
                                       std::uint64_t seed, std::uint64_t base,
                                       std::uint64_t paths) {
  const int d = mix.dim;
  std::vector<double> out(paths * d), x(d), s(d), slope(d), trial(d), work(mix.components());
  diagonal_mixture_factors f;
  for (std::uint64_t p = 0; p < paths; ++p) {
    std::uint32_t lo = 0, hi = 0;
    detail::subsequence_lanes<double>(base, p, lo, hi);
    philox_normals<double> z(seed, lo, hi);
    draw_initial_state(d, sampler_initial_scale(opt), z, x.data());
    for_each_sampler_update(opt, [&](const sampler_update& u) {
      factor_diagonal_mixture(mix, u.alpha, u.sigma, f);
      diagonal_mixture_score(f, u.at_trial ? trial.data() : x.data(), s.data(), work.data());
      apply_sampler_update(u, d, x.data(), s.data(), slope.data(), trial.data(), z);
    });
    for (int i = 0; i < d; ++i) out[p * d + i] = x[i];
  }
  return out;
}

std::vector<sampler_options> every_sampler() {
  noise_conditioning vp, ve, levels;
  vp.kind = conditioning_kind::vp;
  ve.kind = conditioning_kind::ve;
  levels.kind = conditioning_kind::levels;
  levels.levels = {2.0, 0.5, 0.1};
  std::vector<sampler_options> all(6);
  all[0].kind = sampler_kind::langevin;
  all[0].step_size = 0.02;
  all[1].kind = sampler_kind::annealed_langevin;
  all[1].process = levels;
  all[2].process = vp;
  all[2].corrector_steps = 2;
  all[3].process = ve;
  all[4].kind = sampler_kind::probability_flow_euler;
  all[4].process = vp;
  all[5].kind = sampler_kind::probability_flow_heun;
  all[5].process = ve;
  for (auto& o : all) o.steps = 25;
  return all;
}

TEST(SamplerUpdates, OnePathAtATimeGivesTheTilesSamplesBitForBit) {
  const diagonal_mixture mix = ring_mixture_components(3);
  for (const sampler_options& opt : every_sampler()) {
    const std::uint64_t paths = 150;  // two full tiles and a short one
    std::vector<double> tiles(paths * 3);
    rng_stream rng(77);
    const sampler_report r = sample_paths(cpu(2), rng, mixture_batch_score<double>(mix), opt,
                                          host_output(tiles.data(), tiles.size()));
    EXPECT_EQ(one_path_at_a_time(mix, opt, r.rng.seed, r.rng.next_subsequence, paths), tiles)
        << to_string(opt.kind);
  }
}

TEST(SamplerUpdates, EvaluationsFollowEachMethod) {
  const auto all = every_sampler();
  auto count = [](const sampler_options& o) {
    return for_each_sampler_update(o, [](const sampler_update&) {});
  };
  EXPECT_EQ(count(all[0]), 25u);              // one per step
  EXPECT_EQ(count(all[1]), 3u * 25u + 1u);    // per level and step, and the denoising
  EXPECT_EQ(count(all[2]), 25u * 3u + 1u);    // predictor and two correctors per step
  EXPECT_EQ(count(all[5]), 2u * 25u + 1u);    // Heun: both ends of each step
  // Heun's second evaluation is at the trial point and at the step's end; the grid ends at t_end.
  std::vector<sampler_update> heun;
  for_each_sampler_update(all[5], [&](const sampler_update& u) { heun.push_back(u); });
  EXPECT_FALSE(heun[0].at_trial);
  EXPECT_TRUE(heun[1].at_trial);
  EXPECT_DOUBLE_EQ(heun[1].sigma, conditioning_sigma(all[5].process, 1.0 - (1.0 - 1e-3) / 25));
  EXPECT_DOUBLE_EQ(heun[49].sigma, conditioning_sigma(all[5].process, 1e-3));
  EXPECT_EQ(heun.back().op, sampler_update_op::tweedie);
  // Annealed Langevin's step at level σ_i is ε·σ_i²/σ_L².
  std::vector<sampler_update> annealed;
  for_each_sampler_update(all[1], [&](const sampler_update& u) { annealed.push_back(u); });
  EXPECT_DOUBLE_EQ(annealed[0].a, all[1].step_size * 400.0);
  EXPECT_DOUBLE_EQ(annealed[0].sigma, 2.0);
  EXPECT_DOUBLE_EQ(annealed[74].a, all[1].step_size);
}

}  // namespace
}  // namespace scorepath
