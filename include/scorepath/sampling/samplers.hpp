/**
 * @file sampling/samplers.hpp
 * @brief Turning a score into samples: overdamped Langevin, annealed Langevin over noise levels,
 *        the reverse-time VP/VE SDE (Euler–Maruyama predictor, optional Langevin corrector) and
 *        the probability-flow ODE (Euler or Heun), for any batch_score at any dimension.
 *
 * With f and g of the forward SDE of `process` (sdes/diffusion_model_sdes.hpp; noise_conditioning.hpp
 * gives α(t), σ(t)), on the grid t_k = 1 − k·h, h = (1 − t_end)/steps:
 * - reverse_sde: x ← x − [f(x, t) − g(t)² S(x, t)]·h + g(t)·√h·z, from x ~ N(0, I) (vp) or
 *   N(0, σ(1)²I) (ve); with `corrector_steps` > 0, each step is followed by Langevin steps at
 *   t − h of size ε = 2·(snr·‖z‖/‖S‖)² (per path);
 * - probability_flow_euler / _heun: dx/dt = f − ½g²S integrated backwards (Heun: the average of
 *   the slopes at both ends of the step, the second taken at the Euler point), from the same
 *   prior draw;
 * - both end, when `denoise` is set, with x ← (x + σ(t_end)²·S(x, t_end)) / α(t_end), the mean of
 *   x_0 given x_t_end (Tweedie);
 * - langevin: x ← x + ε·S(x) + √(2ε)·z for `steps` steps from N(0, initial_std²·I), with the score
 *   at α = 1, σ = 0 (an unconditioned network, or the exact law itself);
 * - annealed_langevin: for each level σ_i of `process` (kind levels), `steps` steps of Langevin
 *   with ε_i = ε·σ_i²/σ_L² and the score at σ_i, from N(0, σ_1²·I); with `denoise`, a last
 *   x ← x + σ_L²·S(x, σ_L).
 * vp: f = −½β(t)x, g² = β(t); ve: f = 0, g² = dσ(t)²/dt = 2 ln(σ_max/σ_min)·σ_min²(σ_max/σ_min)^{2t}.
 *
 * Path p draws its initial state and all its normals, in order, from Philox subsequence
 * `rng.reserve(paths) + p`, and paths are cut into tiles of sampler_tile_paths from the first, so
 * the samples are bitwise the same for any thread count, and two calls of n₁ then n₂ paths on one
 * stream give the n₁ + n₂ paths of one call when n₁ is a multiple of sampler_tile_paths (for an
 * exact score, for any n₁: its paths do not share arithmetic). Each sampler is one sequence of
 * score evaluations and per-path updates (sampling/sampler_updates.hpp), run by the CPU tiles and
 * by the CUDA driver alike; the CUDA samples equal the CPU's to rounding.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/sampler_cuda.hpp"
#include "scorepath/sampling/sampler_options.hpp"
#include "scorepath/sampling/sampler_updates.hpp"

namespace scorepath {

/**
 * @brief Every check sample_paths makes, alone.
 * @throw as sample_paths
 */
template <class T>
void validate_sampler(const context& ctx, const batch_score<T>& score, const sampler_options& opt,
                      output_span<T> samples);

namespace detail {

/// One thread's state for a tile of paths.
template <class T>
struct sampler_scratch {
  typename batch_score<T>::evaluator evaluate;
  std::vector<T> x, score, slope, trial;
  std::vector<philox_normals<T>> noise;
};

/// Runs the tile of paths [first, first + n) on the CPU and writes their samples; returns the
/// number of its paths that ended with a coordinate not finite.
template <class T>
std::uint64_t sample_tile(const sampler_options& opt, int d, std::uint64_t seed,
                          std::uint64_t base, std::uint64_t first, int n,
                          sampler_scratch<T>& sc, T* samples) {
  const std::size_t size = static_cast<std::size_t>(n) * d;
  sc.x.resize(size);
  sc.score.resize(size);
  sc.slope.resize(size);
  sc.trial.resize(size);
  sc.noise.clear();
  for (int p = 0; p < n; ++p) {
    std::uint32_t lo = 0, hi = 0;
    subsequence_lanes<T>(base, first + static_cast<std::uint64_t>(p), lo, hi);
    sc.noise.emplace_back(seed, lo, hi);
  }
  const T scale = static_cast<T>(sampler_initial_scale(opt));
  for (int p = 0; p < n; ++p) {
    draw_initial_state(d, scale, sc.noise[p], sc.x.data() + static_cast<std::size_t>(p) * d);
  }
  for_each_sampler_update(opt, [&](const sampler_update& u) {
    sc.evaluate(u.at_trial ? sc.trial.data() : sc.x.data(), n, u.alpha, u.sigma, sc.score.data());
    for (int p = 0; p < n; ++p) {
      const std::size_t at = static_cast<std::size_t>(p) * d;
      apply_sampler_update(u, d, sc.x.data() + at, sc.score.data() + at, sc.slope.data() + at,
                           sc.trial.data() + at, sc.noise[p]);
    }
  });
  std::copy(sc.x.begin(), sc.x.end(), samples + first * d);
  std::uint64_t non_finite = 0;
  for (int p = 0; p < n; ++p) {
    non_finite += all_finite(d, sc.x.data() + static_cast<std::size_t>(p) * d) ? 0 : 1;
  }
  return non_finite;
}

}  // namespace detail

template <class T>
void validate_sampler(const context& ctx, const batch_score<T>& score, const sampler_options& opt,
                      output_span<T> samples) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  const bool on_gpu = ctx.kind() == backend::cuda;
  if (on_gpu && !score.make_device_evaluator) {
    throw unavailable_error("sample_paths: this score has no device form (a score given as host "
                            "code only); run it with a CPU context",
                            __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(score.dim >= 1 && score.make_evaluator, "score", score.dim,
                    "must be a batch score of dimension at least 1");
  check_span_not_dangling(samples, "samples");
  const std::size_t d = static_cast<std::size_t>(score.dim);
  SCOREPATH_EXPECTS(samples.data != nullptr && samples.size > 0 && samples.size % d == 0,
                    "samples size", samples.size,
                    "must be a positive multiple of the dimension " + std::to_string(d));
  SCOREPATH_EXPECTS(on_gpu || samples.space == memory_space::host, "samples space", "device",
                    "must be host memory for a CPU context");
  SCOREPATH_EXPECTS(opt.steps >= 1, "steps", opt.steps, "must be at least 1");
  const bool kind_ok = opt.kind == sampler_kind::langevin ||
                       opt.kind == sampler_kind::annealed_langevin ||
                       opt.kind == sampler_kind::reverse_sde ||
                       opt.kind == sampler_kind::probability_flow_euler ||
                       opt.kind == sampler_kind::probability_flow_heun;
  SCOREPATH_EXPECTS(kind_ok, "sampler", static_cast<int>(opt.kind),
                    "must be langevin, annealed_langevin, reverse_sde, pf_euler or pf_heun");
  const auto& trained = score.trained_for;
  if (opt.kind == sampler_kind::langevin || opt.kind == sampler_kind::annealed_langevin) {
    SCOREPATH_EXPECTS(std::isfinite(opt.step_size) && opt.step_size > 0, "step_size",
                      opt.step_size, "must be positive and finite");
  }
  if (opt.kind == sampler_kind::langevin) {
    SCOREPATH_EXPECTS(std::isfinite(opt.initial_std) && opt.initial_std > 0, "initial_std",
                      opt.initial_std, "must be positive and finite");
    SCOREPATH_EXPECTS(!trained, "score", to_string(trained ? trained->kind : conditioning_kind::none),
                      "is conditioned on noise: plain Langevin needs an unconditioned score");
    return;
  }
  SCOREPATH_EXPECTS(score.takes_noise, "score", "unconditioned network",
                    "is not conditioned on noise: annealed Langevin, the reverse SDE and the "
                    "probability-flow ODE need the score at every noise level (train with "
                    "conditioning)");
  check_noise_conditioning(opt.process);
  if (opt.kind == sampler_kind::annealed_langevin) {
    SCOREPATH_EXPECTS(opt.process.kind == conditioning_kind::levels, "process",
                      to_string(opt.process.kind), "must be levels for annealed Langevin");
  } else {
    SCOREPATH_EXPECTS(opt.process.kind == conditioning_kind::vp ||
                          opt.process.kind == conditioning_kind::ve,
                      "process", to_string(opt.process.kind),
                      "must be vp or ve for the reverse SDE and the probability-flow ODE");
    SCOREPATH_EXPECTS(std::isfinite(opt.t_end) && opt.t_end > 0 && opt.t_end < 1, "t_end",
                      opt.t_end, "must lie in (0, 1)");
    SCOREPATH_EXPECTS(conditioning_sigma(opt.process, opt.t_end) > 0, "t_end", opt.t_end,
                      "gives a noise level sigma(t_end) that rounds to zero");
    SCOREPATH_EXPECTS(opt.corrector_steps <= 100, "corrector_steps", opt.corrector_steps,
                      "must be at most 100");
    SCOREPATH_EXPECTS(std::isfinite(opt.snr) && opt.snr > 0, "snr", opt.snr,
                      "must be positive and finite");
  }
  if (trained) {
    const noise_conditioning& a = *trained;
    const noise_conditioning& b = opt.process;
    const bool same = a.kind == b.kind &&
                      (a.kind != conditioning_kind::vp ||
                       (a.beta_min == b.beta_min && a.beta_max == b.beta_max)) &&
                      (a.kind != conditioning_kind::ve ||
                       (a.sigma_min == b.sigma_min && a.sigma_max == b.sigma_max)) &&
                      (a.kind != conditioning_kind::levels || a.levels == b.levels);
    SCOREPATH_EXPECTS(same, "process", to_string(b.kind),
                      std::string("must be the process the network was trained on (") +
                          to_string(a.kind) + " with its parameters)");
  }
}

/**
 * @brief Runs samples.size / D paths of the sampler @p opt with @p score and writes their final
 *        states (row-major) to @p samples. On a CPU context the paths run in tiles on its
 *        threads; on a CUDA context on its device (sampling/sampler_cuda.hpp), @p samples in host
 *        or device memory.
 * @throw invalid_argument_error naming `score` (unset; conditioned, for plain Langevin; not
 *        conditioned, for the other samplers),
 *        `samples size`, `samples space`, `steps`, `sampler`, `step_size`, `initial_std`,
 *        `process` (not vp/ve, not levels, or not the one a network was trained on), a field of
 *        the process (check_noise_conditioning), `t_end`, `corrector_steps` or `snr`; nothing is
 *        written then and the stream does not advance
 * @throw unavailable_error for a CUDA context and a score with no device form
 */
template <class T>
sampler_report sample_paths(const context& ctx, rng_stream& rng, const batch_score<T>& score,
                            const sampler_options& opt, output_span<T> samples) try {
  validate_sampler(ctx, score, opt, samples);
  const int d = score.dim;
  const std::uint64_t paths = samples.size / static_cast<std::size_t>(d);
  const std::uint64_t tiles = (paths + sampler_tile_paths - 1) / sampler_tile_paths;
  sampler_report report;
  report.paths = paths;
  (void)matrix_kernel();  // chooses (and loads) the kernel here, before the workers start
  const std::uint64_t seed = rng.seed();
  const std::uint64_t base = rng.reserve(paths);
  report.rng = rng_state{seed, base};
  report.score_evaluations = for_each_sampler_update(opt, [](const sampler_update&) {});
#if SCOREPATH_HAVE_CUDA
  if (ctx.kind() == backend::cuda) {
    report.non_finite_paths =
        detail::sample_paths_cuda(ctx, score, opt, seed, base, paths, samples.data,
                                  samples.space == memory_space::device);
    return report;
  }
#endif
  std::vector<std::uint64_t> non_finite(tiles);
  detail::cpu_for_each<detail::sampler_scratch<T>>(
      ctx, tiles, detail::cpu_block_schedule::even,
      [&](detail::sampler_scratch<T>& sc) { sc.evaluate = score.make_evaluator(); },
      [&](std::uint64_t t, detail::sampler_scratch<T>& sc) {
        const std::uint64_t first = t * sampler_tile_paths;
        const int n = static_cast<int>(std::min<std::uint64_t>(sampler_tile_paths, paths - first));
        non_finite[t] = detail::sample_tile(opt, d, seed, base, first, n, sc, samples.data);
      });
  for (std::uint64_t count : non_finite) report.non_finite_paths += count;
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sample_paths: memory for the call could not be allocated", __FILE__,
                            __LINE__);
}

}  // namespace scorepath
