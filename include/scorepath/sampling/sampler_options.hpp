/**
 * @file sampling/sampler_options.hpp
 * @brief What a sampler is asked to do: the method (sampler_kind), its settings
 *        (sampler_options) and what a run reports (sampler_report).
 */
#pragma once

#include <cstdint>
#include <string>

#include "scorepath/error.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/rng_stream.hpp"

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

}  // namespace scorepath
