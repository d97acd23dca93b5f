/**
 * @file noise_conditioning.hpp
 * @brief How a score network is conditioned on the noise that perturbed its input: the VP or VE
 *        diffusion SDE (time t), a fixed list of noise levels, or none.
 *
 * A conditioned network models the score of the perturbed data x_t = α(t)·x + σ(t)·ε, ε ~ N(0, I):
 *
 *     S(x, t; θ) = N_θ([x, ¼ ln σ(t)]) / σ(t)
 *
 * with one extra input column, ¼ ln σ(t), and its output divided by σ(t) (the perturbation
 * kernel's score −ε/σ is then of unit size at every noise level). The perturbation is the one of
 * the library's forward SDEs (sdes/diffusion_model_sdes.hpp) started at t = 0, exactly:
 * - vp: ln α(t) = −¼t²(β_max − β_min) − ½tβ_min, σ(t)² = 1 − α(t)²;
 * - ve: α = 1, σ(t)² = σ_min²·((σ_max/σ_min)^{2t} − 1), the variance the VE SDE adds by time t;
 * - levels: α = 1 and σ one of σ₁ > … > σ_L (NCSN); t stands for the level's index.
 * Training draws t uniformly in [t_min, 1] (vp, ve) or a level uniformly (levels) and weights
 * each sample's loss by λ = σ².
 */
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace scorepath {

/// What a score network is conditioned on.
enum class conditioning_kind { none, vp, ve, levels };

/// The noise a score network is conditioned on, and how training draws it.
struct noise_conditioning {
  conditioning_kind kind = conditioning_kind::none;  ///< none, vp, ve or levels
  double beta_min = 0.1;     ///< vp: β(0), ≥ 0
  double beta_max = 20.0;    ///< vp: β(1), ≥ β_min, > 0
  double sigma_min = 0.01;   ///< ve: σ_min, > 0
  double sigma_max = 50.0;   ///< ve: σ_max, > σ_min
  std::vector<double> levels;  ///< levels: σ₁ > … > σ_L > 0, at most 4096
  double t_min = 1e-3;       ///< vp, ve: training times are drawn in [t_min, 1], 0 < t_min < 1

  /// Extra input columns of a network with this conditioning (0 or 1).
  int features() const { return kind == conditioning_kind::none ? 0 : 1; }
  /// True when the network takes a noise level.
  bool conditioned() const { return kind != conditioning_kind::none; }
};

/// Name of a kind ("none", "vp", "ve", "levels").
const char* to_string(conditioning_kind kind) noexcept;

/// @brief Parses a kind's name. @throw invalid_argument_error naming `conditioning`
conditioning_kind parse_conditioning_kind(const std::string& text);

/**
 * @brief Refuses settings outside the ranges documented on noise_conditioning.
 * @throw invalid_argument_error naming the field (`beta_min`, `beta_max`, `sigma_min`,
 *        `sigma_max`, `t_min`, `levels`, `levels[i]`, or `conditioning` for a kind out of range)
 */
void check_noise_conditioning(const noise_conditioning& cond);

/// α(t) of the perturbation (1 for ve and levels). Unchecked: t in [0, 1].
inline double conditioning_alpha(const noise_conditioning& cond, double t) {
  if (cond.kind != conditioning_kind::vp) return 1.0;
  return std::exp(-0.25 * t * t * (cond.beta_max - cond.beta_min) - 0.5 * t * cond.beta_min);
}

/**
 * @brief σ(t) of the perturbation; for levels, @p t is the level's index (0 … L − 1). Unchecked:
 *        t in [0, 1] (vp, ve), an index in range (levels); 0 for none.
 */
inline double conditioning_sigma(const noise_conditioning& cond, double t) {
  switch (cond.kind) {
    case conditioning_kind::vp: {
      const double log_alpha =
          -0.25 * t * t * (cond.beta_max - cond.beta_min) - 0.5 * t * cond.beta_min;
      return std::sqrt(-std::expm1(2.0 * log_alpha));
    }
    case conditioning_kind::ve:
      return cond.sigma_min *
             std::sqrt(std::expm1(2.0 * t * std::log(cond.sigma_max / cond.sigma_min)));
    case conditioning_kind::levels: return cond.levels[static_cast<std::size_t>(t)];
    case conditioning_kind::none: break;
  }
  return 0.0;
}

/// The extra input column of a network conditioned on noise σ: ¼ ln σ.
inline double noise_feature(double sigma) { return 0.25 * std::log(sigma); }

}  // namespace scorepath
