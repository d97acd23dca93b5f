/**
 * @file sampling/sampler_updates.hpp
 * @brief Every sampler as one sequence of score evaluations, each followed by the same update of
 *        every path: the sequence is made on the host (for_each_sampler_update), the update of one
 *        path is host/device code (apply_sampler_update). The CPU and CUDA drivers of
 *        sample_paths both run these, so a sampler's arithmetic is written once.
 *
 * Path p keeps its state x (D values), its slope and trial point (Heun) and its own normals; an
 * update reads the score s evaluated at x, or at the trial point when `at_trial` is set, at the
 * update's (α, σ). With the coefficients a, b, c, r of the update:
 * - langevin:     x ← x + a·s + r·z, r = √(2a) (plain and annealed Langevin steps);
 * - shift:        x ← x + a·s (annealed Langevin's last denoising step);
 * - predictor:    slope ← a·x + b·s; x ← x + c·slope; then x ← x + r·z when `noisy` (the reverse
 *                 SDE's Euler–Maruyama step, or the probability flow's Euler step);
 * - heun_trial:   slope ← a·x + b·s; trial ← x + c·slope;
 * - heun_correct: x ← x + c·(slope + a·trial + b·s), s taken at the trial point;
 * - corrector:    z drawn; ε = 2·(a·‖z‖/‖s‖)²; x ← x + ε·s + √(2ε)·z (a: the signal-to-noise
 *                 ratio);
 * - tweedie:      x ← (x + a·s) / b (the reverse SDE's and ODE's final denoising).
 */
#pragma once

#include <cmath>
#include <cstdint>

#include "scorepath/config.hpp"
#include "scorepath/math.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/sampling/sampler_options.hpp"

namespace scorepath {

/// How one update changes a path (see the file's description).
enum class sampler_update_op : int { langevin, shift, predictor, heun_trial, heun_correct,
                                     corrector, tweedie };

/// One score evaluation and the update that follows it.
struct sampler_update {
  sampler_update_op op = sampler_update_op::langevin;  ///< what the update does
  double alpha = 1.0;    ///< α of the score's evaluation
  double sigma = 0.0;    ///< σ of the score's evaluation
  bool at_trial = false; ///< the score is evaluated at the trial point instead of x
  bool noisy = false;    ///< predictor: adds r·z
  double a = 0, b = 0, c = 0, r = 0;  ///< the coefficients of `op`
};

/// β(t) of vp, g(t)² of ve.
inline double diffusion_squared(const noise_conditioning& c, double t) {
  if (c.kind == conditioning_kind::vp) return c.beta_min + t * (c.beta_max - c.beta_min);
  const double log_ratio = std::log(c.sigma_max / c.sigma_min);
  return 2.0 * log_ratio * c.sigma_min * c.sigma_min * std::exp(2.0 * t * log_ratio);
}

/// The standard deviation of the initial states: initial_std (langevin), σ₁ (annealed
/// Langevin), 1 (vp) or σ(1) (ve). Unchecked (validate_sampler first).
inline double sampler_initial_scale(const sampler_options& opt) {
  switch (opt.kind) {
    case sampler_kind::langevin: return opt.initial_std;
    case sampler_kind::annealed_langevin: return opt.process.levels.front();
    default:
      return opt.process.kind == conditioning_kind::vp ? 1.0 : conditioning_sigma(opt.process, 1.0);
  }
}

/**
 * @brief Calls @p f(const sampler_update&) for each score evaluation of the sampler @p opt, in
 *        order (with f and g of the forward SDE, on the grid t_k = 1 − k·h of samplers.hpp).
 *        Unchecked (validate_sampler first).
 * @return the number of evaluations
 */
template <class F>
std::uint64_t for_each_sampler_update(const sampler_options& opt, F&& f) {
  std::uint64_t count = 0;
  auto emit = [&](const sampler_update& u) {
    f(u);
    ++count;
  };
  const noise_conditioning& proc = opt.process;
  if (opt.kind == sampler_kind::langevin) {
    sampler_update u;
    u.a = opt.step_size;
    u.r = std::sqrt(2.0 * u.a);
    for (std::uint64_t k = 0; k < opt.steps; ++k) emit(u);
    return count;
  }
  if (opt.kind == sampler_kind::annealed_langevin) {
    const double last = proc.levels.back();
    for (double level : proc.levels) {
      sampler_update u;
      u.sigma = level;
      u.a = opt.step_size * level * level / (last * last);
      u.r = std::sqrt(2.0 * u.a);
      for (std::uint64_t k = 0; k < opt.steps; ++k) emit(u);
    }
    if (opt.denoise) {
      sampler_update u;
      u.op = sampler_update_op::shift;
      u.sigma = last;
      u.a = last * last;
      emit(u);
    }
    return count;
  }
  const bool vp = proc.kind == conditioning_kind::vp;
  const bool sde = opt.kind == sampler_kind::reverse_sde;
  const double weight = sde ? 1.0 : 0.5;
  const double h = (1.0 - opt.t_end) / static_cast<double>(opt.steps);
  for (std::uint64_t k = 0; k < opt.steps; ++k) {
    const double t = 1.0 - static_cast<double>(k) * h;
    const double t_next = k + 1 == opt.steps ? opt.t_end : t - h;
    const double step = t - t_next;
    const double g2 = diffusion_squared(proc, t);
    sampler_update u;
    u.alpha = conditioning_alpha(proc, t);
    u.sigma = conditioning_sigma(proc, t);
    u.a = vp ? 0.5 * g2 : 0.0;  // −f = ½βx for vp
    u.b = weight * g2;
    u.c = step;
    if (opt.kind == sampler_kind::probability_flow_heun) {
      u.op = sampler_update_op::heun_trial;
      emit(u);
      const double g2_next = diffusion_squared(proc, t_next);
      sampler_update end;
      end.op = sampler_update_op::heun_correct;
      end.alpha = conditioning_alpha(proc, t_next);
      end.sigma = conditioning_sigma(proc, t_next);
      end.at_trial = true;
      end.a = vp ? 0.5 * g2_next : 0.0;
      end.b = weight * g2_next;
      end.c = 0.5 * step;
      emit(end);
      continue;
    }
    u.op = sampler_update_op::predictor;
    u.noisy = sde;
    u.r = sde ? std::sqrt(g2 * step) : 0.0;
    emit(u);
    for (std::uint32_t c = 0; sde && c < opt.corrector_steps; ++c) {
      sampler_update corr;
      corr.op = sampler_update_op::corrector;
      corr.alpha = conditioning_alpha(proc, t_next);
      corr.sigma = conditioning_sigma(proc, t_next);
      corr.a = opt.snr;
      emit(corr);
    }
  }
  if (opt.denoise) {
    sampler_update u;
    u.op = sampler_update_op::tweedie;
    u.alpha = conditioning_alpha(proc, opt.t_end);
    u.sigma = conditioning_sigma(proc, opt.t_end);
    u.a = u.sigma * u.sigma;
    u.b = u.alpha;
    emit(u);
  }
  return count;
}

/// Path p's initial state: D normals from its own stream @p z, times @p scale.
template <class T, class Normals>
SCOREPATH_HD void draw_initial_state(int d, T scale, Normals& z, T* x) {
  for (int i = 0; i < d; ++i) x[i] = scale * z.next();
}

/**
 * @brief Applies update @p u, whose op is @p Op, to one path: its state @p x, its score @p s (at
 *        x, or at the trial point when u.at_trial), its @p slope and @p trial (D values each) and
 *        its normals @p z. (A device kernel per op holds only that op's code.)
 */
template <sampler_update_op Op, class T, class Normals>
SCOREPATH_HD void apply_sampler_update_as(const sampler_update& u, int d, T* x, const T* s,
                                          T* slope, T* trial, Normals& z) {
  if constexpr (Op == sampler_update_op::langevin) {
    const T eps = static_cast<T>(u.a), root = static_cast<T>(u.r);
    for (int i = 0; i < d; ++i) x[i] += eps * s[i];
    for (int i = 0; i < d; ++i) x[i] += root * z.next();
  } else if constexpr (Op == sampler_update_op::shift) {
    const T a = static_cast<T>(u.a);
    for (int i = 0; i < d; ++i) x[i] += a * s[i];
  } else if constexpr (Op == sampler_update_op::predictor) {
    const T a = static_cast<T>(u.a), b = static_cast<T>(u.b), c = static_cast<T>(u.c);
    for (int i = 0; i < d; ++i) slope[i] = a * x[i] + b * s[i];
    for (int i = 0; i < d; ++i) x[i] += c * slope[i];
    if (!u.noisy) return;
    const T r = static_cast<T>(u.r);
    for (int i = 0; i < d; ++i) x[i] += r * z.next();
  } else if constexpr (Op == sampler_update_op::heun_trial) {
    const T a = static_cast<T>(u.a), b = static_cast<T>(u.b), c = static_cast<T>(u.c);
    for (int i = 0; i < d; ++i) slope[i] = a * x[i] + b * s[i];
    for (int i = 0; i < d; ++i) trial[i] = x[i] + c * slope[i];
  } else if constexpr (Op == sampler_update_op::heun_correct) {
    const T a = static_cast<T>(u.a), b = static_cast<T>(u.b), c = static_cast<T>(u.c);
    for (int i = 0; i < d; ++i) x[i] += c * (slope[i] + (a * trial[i] + b * s[i]));
  } else if constexpr (Op == sampler_update_op::corrector) {
    double zz = 0, ss = 0;
    for (int i = 0; i < d; ++i) {
      trial[i] = z.next();
      zz += static_cast<double>(trial[i]) * trial[i];
      ss += static_cast<double>(s[i]) * s[i];
    }
    const double ratio = ss > 0 ? u.a * math::sqrt(zz / ss) : 0.0;
    const T eps = static_cast<T>(2.0 * ratio * ratio);
    const T root = math::sqrt(T(2) * eps);
    for (int i = 0; i < d; ++i) x[i] += eps * s[i] + root * trial[i];
  } else {
    static_assert(Op == sampler_update_op::tweedie, "every op has a branch");
    for (int i = 0; i < d; ++i) {
      x[i] = static_cast<T>((static_cast<double>(x[i]) + u.a * s[i]) / u.b);
    }
  }
}

/// apply_sampler_update_as for the op of @p u.
template <class T, class Normals>
SCOREPATH_HD void apply_sampler_update(const sampler_update& u, int d, T* x, const T* s, T* slope,
                                       T* trial, Normals& z) {
  using op = sampler_update_op;
  switch (u.op) {
    case op::langevin: return apply_sampler_update_as<op::langevin>(u, d, x, s, slope, trial, z);
    case op::shift: return apply_sampler_update_as<op::shift>(u, d, x, s, slope, trial, z);
    case op::predictor: return apply_sampler_update_as<op::predictor>(u, d, x, s, slope, trial, z);
    case op::heun_trial:
      return apply_sampler_update_as<op::heun_trial>(u, d, x, s, slope, trial, z);
    case op::heun_correct:
      return apply_sampler_update_as<op::heun_correct>(u, d, x, s, slope, trial, z);
    case op::corrector: return apply_sampler_update_as<op::corrector>(u, d, x, s, slope, trial, z);
    case op::tweedie: return apply_sampler_update_as<op::tweedie>(u, d, x, s, slope, trial, z);
  }
}

/// True when every one of the @p d values at @p x is finite.
template <class T>
SCOREPATH_HD bool all_finite(int d, const T* x) {
  for (int i = 0; i < d; ++i) {
    if (!(x[i] - x[i] == T(0))) return false;  // NaN and ±∞ give NaN
  }
  return true;
}

}  // namespace scorepath
