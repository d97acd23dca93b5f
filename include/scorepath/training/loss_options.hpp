/**
 * @file training/loss_options.hpp
 * @brief The losses a score network is trained on and the options of the gradient engine
 *        (training/loss_gradient.hpp), on either backend.
 */
#pragma once

#include <cstdint>

#include "scorepath/probes.hpp"

namespace scorepath {

/// The loss a score network is trained on.
enum class score_loss { ssm, ssm_vr, ism, dsm };

/// Name of a loss ("ssm", "ssm_vr", "ism", "dsm").
inline const char* to_string(score_loss loss) noexcept {
  switch (loss) {
    case score_loss::ssm: return "ssm";
    case score_loss::ssm_vr: return "ssm_vr";
    case score_loss::ism: return "ism";
    case score_loss::dsm: return "dsm";
  }
  return "unknown";
}

/// What score_loss_gradient computes.
struct loss_gradient_options {
  score_loss loss = score_loss::ssm_vr;  ///< the loss
  std::uint32_t probes = 1;              ///< M probes per sample (ssm, ssm_vr), 1 … 1024
  probe_law law = probe_law::gaussian;   ///< probe law (ssm, ssm_vr)
  bool half_scaling = false;             ///< halve the loss (Song et al.'s ½p² + q)
  double noise_scale = 0.1;              ///< σ of dsm, > 0
};

namespace detail {

/// Tangents per sample for @p opt in dimension @p dim: M probes, D basis vectors (ism), none (dsm).
inline int gradient_tangents(const loss_gradient_options& opt, int dim) {
  switch (opt.loss) {
    case score_loss::ssm:
    case score_loss::ssm_vr: return static_cast<int>(opt.probes);
    case score_loss::ism: return dim;
    case score_loss::dsm: return 0;
  }
  return 0;
}

}  // namespace detail
}  // namespace scorepath
