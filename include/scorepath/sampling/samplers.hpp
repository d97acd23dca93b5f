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
 * exact score, for any n₁: its paths do not share arithmetic).
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

namespace scorepath {

/// The sampling method.
enum class sampler_kind { langevin, annealed_langevin, reverse_sde, probability_flow_euler,
                          probability_flow_heun };

/// Name of a sampler ("langevin", "annealed_langevin", "reverse_sde", "pf_euler", "pf_heun").
inline const char* to_string(sampler_kind kind) noexcept {
  switch (kind) {
    case sampler_kind::langevin: return "langevin";
    case sampler_kind::annealed_langevin: return "annealed_langevin";
    case sampler_kind::reverse_sde: return "reverse_sde";
    case sampler_kind::probability_flow_euler: return "pf_euler";
    case sampler_kind::probability_flow_heun: return "pf_heun";
  }
  return "unknown";
}

/// @brief Parses a sampler name as to_string writes it. @throw invalid_argument_error naming
///        `sampler`
inline sampler_kind parse_sampler_kind(const std::string& text) {
  for (sampler_kind k : {sampler_kind::langevin, sampler_kind::annealed_langevin,
                         sampler_kind::reverse_sde, sampler_kind::probability_flow_euler,
                         sampler_kind::probability_flow_heun}) {
    if (text == to_string(k)) return k;
  }
  throw invalid_argument_error("sampler", text,
                               "must be langevin, annealed_langevin, reverse_sde, pf_euler or "
                               "pf_heun",
                               __FILE__, __LINE__);
}

/// What sample_paths does.
struct sampler_options {
  sampler_kind kind = sampler_kind::reverse_sde;  ///< the method
  /// The forward process: vp or ve (reverse_sde, probability flow), levels (annealed_langevin);
  /// unused by langevin.
  noise_conditioning process;
  std::uint64_t steps = 500;       ///< time steps, or Langevin steps (per level), ≥ 1
  double t_end = 1e-3;             ///< last time of the reverse SDE and ODE, in (0, 1)
  double step_size = 1e-3;         ///< ε of langevin and annealed_langevin, > 0
  double initial_std = 1.0;        ///< langevin: the initial states' standard deviation, > 0
  std::uint32_t corrector_steps = 0;  ///< reverse_sde: Langevin corrector steps per step, ≤ 100
  double snr = 0.16;               ///< the corrector's signal-to-noise ratio, > 0
  bool denoise = true;             ///< the final Tweedie step
};

/// What sample_paths reports.
struct sampler_report {
  std::uint64_t paths = 0;             ///< paths run
  std::uint64_t non_finite_paths = 0;  ///< paths that ended with a coordinate not finite
  std::uint64_t score_evaluations = 0; ///< per path
  rng_state rng;                       ///< where the paths' subsequences start (replay)
};

/**
 * @brief Every check sample_paths makes, alone.
 * @throw as sample_paths
 */
template <class T>
void validate_sampler(const context& ctx, const batch_score<T>& score, const sampler_options& opt,
                      output_span<T> samples);

namespace detail {

/// β(t) of vp, g(t)² of ve.
inline double diffusion_squared(const noise_conditioning& c, double t) {
  if (c.kind == conditioning_kind::vp) return c.beta_min + t * (c.beta_max - c.beta_min);
  const double log_ratio = std::log(c.sigma_max / c.sigma_min);
  return 2.0 * log_ratio * c.sigma_min * c.sigma_min * std::exp(2.0 * t * log_ratio);
}

/// One thread's state for a tile of paths.
template <class T>
struct sampler_scratch {
  typename batch_score<T>::evaluator evaluate;
  std::vector<T> x, score, slope, trial;
  std::vector<philox_normals<T>> noise;
};

/// Runs the tile of paths [first, first + n) and writes their samples.
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
  const noise_conditioning& proc = opt.process;
  auto draw_into = [&](std::vector<T>& v, T scale) {
    for (int p = 0; p < n; ++p)
      for (int i = 0; i < d; ++i) v[static_cast<std::size_t>(p) * d + i] = scale * sc.noise[p].next();
  };
  auto score_at = [&](const std::vector<T>& at, double alpha, double sigma) {
    sc.evaluate(at.data(), n, alpha, sigma, sc.score.data());
  };
  auto langevin_step = [&](T eps) {
    const T root = std::sqrt(T(2) * eps);
    for (std::size_t e = 0; e < size; ++e) sc.x[e] += eps * sc.score[e];
    for (int p = 0; p < n; ++p)
      for (int i = 0; i < d; ++i) sc.x[static_cast<std::size_t>(p) * d + i] += root * sc.noise[p].next();
  };

  std::uint64_t evaluations = 0;
  if (opt.kind == sampler_kind::langevin) {
    draw_into(sc.x, static_cast<T>(opt.initial_std));
    for (std::uint64_t k = 0; k < opt.steps; ++k) {
      score_at(sc.x, 1.0, 0.0);
      langevin_step(static_cast<T>(opt.step_size));
    }
    evaluations = opt.steps;
  } else if (opt.kind == sampler_kind::annealed_langevin) {
    const double last = proc.levels.back();
    draw_into(sc.x, static_cast<T>(proc.levels.front()));
    for (double level : proc.levels) {
      const T eps = static_cast<T>(opt.step_size * level * level / (last * last));
      for (std::uint64_t k = 0; k < opt.steps; ++k) {
        score_at(sc.x, 1.0, level);
        langevin_step(eps);
      }
    }
    evaluations = opt.steps * proc.levels.size();
    if (opt.denoise) {
      score_at(sc.x, 1.0, last);
      for (std::size_t e = 0; e < size; ++e) sc.x[e] += static_cast<T>(last * last) * sc.score[e];
      ++evaluations;
    }
  } else {
    const bool vp = proc.kind == conditioning_kind::vp;
    draw_into(sc.x, vp ? T(1) : static_cast<T>(conditioning_sigma(proc, 1.0)));
    const double h = (1.0 - opt.t_end) / static_cast<double>(opt.steps);
    // The ODE's or SDE's drift of the reverse step at time t, into `out` (the score is in sc.score).
    auto reverse_drift = [&](const std::vector<T>& at, double t, double score_weight,
                             std::vector<T>& out) {
      const double g2 = diffusion_squared(proc, t);
      const T shrink = vp ? static_cast<T>(0.5 * g2) : T(0);  // −f = ½βx for vp
      const T w = static_cast<T>(score_weight * g2);
      for (std::size_t e = 0; e < size; ++e) out[e] = shrink * at[e] + w * sc.score[e];
    };
    const bool sde = opt.kind == sampler_kind::reverse_sde;
    const double weight = sde ? 1.0 : 0.5;
    for (std::uint64_t k = 0; k < opt.steps; ++k) {
      const double t = 1.0 - static_cast<double>(k) * h;
      const double t_next = k + 1 == opt.steps ? opt.t_end : t - h;
      const double step = t - t_next;
      score_at(sc.x, conditioning_alpha(proc, t), conditioning_sigma(proc, t));
      ++evaluations;
      reverse_drift(sc.x, t, weight, sc.slope);
      if (opt.kind == sampler_kind::probability_flow_heun) {
        for (std::size_t e = 0; e < size; ++e) sc.trial[e] = sc.x[e] + static_cast<T>(step) * sc.slope[e];
        score_at(sc.trial, conditioning_alpha(proc, t_next), conditioning_sigma(proc, t_next));
        ++evaluations;
        reverse_drift(sc.trial, t_next, weight, sc.score);  // the end slope, in place
        for (std::size_t e = 0; e < size; ++e) {
          sc.x[e] += static_cast<T>(0.5 * step) * (sc.slope[e] + sc.score[e]);
        }
        continue;
      }
      for (std::size_t e = 0; e < size; ++e) sc.x[e] += static_cast<T>(step) * sc.slope[e];
      if (!sde) continue;
      const T root = static_cast<T>(std::sqrt(diffusion_squared(proc, t) * step));
      for (int p = 0; p < n; ++p)
        for (int i = 0; i < d; ++i) sc.x[static_cast<std::size_t>(p) * d + i] += root * sc.noise[p].next();
      for (std::uint32_t c = 0; c < opt.corrector_steps; ++c) {
        score_at(sc.x, conditioning_alpha(proc, t_next), conditioning_sigma(proc, t_next));
        ++evaluations;
        for (int p = 0; p < n; ++p) {
          T* xp = sc.x.data() + static_cast<std::size_t>(p) * d;
          const T* sp = sc.score.data() + static_cast<std::size_t>(p) * d;
          T* zp = sc.trial.data() + static_cast<std::size_t>(p) * d;
          double zz = 0, ss = 0;
          for (int i = 0; i < d; ++i) {
            zp[i] = sc.noise[p].next();
            zz += static_cast<double>(zp[i]) * zp[i];
            ss += static_cast<double>(sp[i]) * sp[i];
          }
          const double ratio = ss > 0 ? opt.snr * std::sqrt(zz / ss) : 0.0;
          const T eps = static_cast<T>(2.0 * ratio * ratio);
          const T root_eps = std::sqrt(T(2) * eps);
          for (int i = 0; i < d; ++i) xp[i] += eps * sp[i] + root_eps * zp[i];
        }
      }
    }
    if (opt.denoise) {
      const double a = conditioning_alpha(proc, opt.t_end), s = conditioning_sigma(proc, opt.t_end);
      score_at(sc.x, a, s);
      ++evaluations;
      for (std::size_t e = 0; e < size; ++e) {
        sc.x[e] = static_cast<T>((static_cast<double>(sc.x[e]) + s * s * sc.score[e]) / a);
      }
    }
  }
  std::copy(sc.x.begin(), sc.x.end(), samples + first * d);
  return evaluations;
}

}  // namespace detail

template <class T>
void validate_sampler(const context& ctx, const batch_score<T>& score, const sampler_options& opt,
                      output_span<T> samples) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error("sample_paths runs on the CPU backend", __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(score.dim >= 1 && score.make_evaluator, "score", score.dim,
                    "must be a batch score of dimension at least 1");
  check_span_not_dangling(samples, "samples");
  const std::size_t d = static_cast<std::size_t>(score.dim);
  SCOREPATH_EXPECTS(samples.data != nullptr && samples.size > 0 && samples.size % d == 0,
                    "samples size", samples.size,
                    "must be a positive multiple of the dimension " + std::to_string(d));
  SCOREPATH_EXPECTS(samples.space == memory_space::host, "samples space", "device",
                    "the samplers run on the CPU and need host memory");
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
 *        states (row-major) to @p samples. Runs on the CPU backend.
 * @throw invalid_argument_error naming `score` (unset; conditioned, for plain Langevin; not
 *        conditioned, for the other samplers),
 *        `samples size`, `samples space`, `steps`, `sampler`, `step_size`, `initial_std`,
 *        `process` (not vp/ve, not levels, or not the one a network was trained on), a field of
 *        the process (check_noise_conditioning), `t_end`, `corrector_steps` or `snr`; nothing is
 *        written then and the stream does not advance
 * @throw unavailable_error for a CUDA context
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
  std::vector<std::uint64_t> evaluations(tiles), non_finite(tiles);
  detail::cpu_for_each<detail::sampler_scratch<T>>(
      ctx, tiles, detail::cpu_block_schedule::even,
      [&](detail::sampler_scratch<T>& sc) { sc.evaluate = score.make_evaluator(); },
      [&](std::uint64_t t, detail::sampler_scratch<T>& sc) {
        const std::uint64_t first = t * sampler_tile_paths;
        const int n = static_cast<int>(std::min<std::uint64_t>(sampler_tile_paths, paths - first));
        evaluations[t] = detail::sample_tile(opt, d, seed, base, first, n, sc, samples.data);
        // Each tile counts its own paths that ended with a coordinate not finite.
        for (int p = 0; p < n; ++p) {
          const T* x = samples.data + (first + p) * d;
          non_finite[t] += std::all_of(x, x + d, [](T v) { return std::isfinite(v); }) ? 0 : 1;
        }
      });
  report.score_evaluations = tiles > 0 ? evaluations[0] : 0;
  for (std::uint64_t count : non_finite) report.non_finite_paths += count;
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sample_paths: memory for the call could not be allocated", __FILE__,
                            __LINE__);
}

}  // namespace scorepath
