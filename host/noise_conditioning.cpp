#include "scorepath/noise_conditioning.hpp"

#include <cmath>
#include <string>

#include "scorepath/error.hpp"

namespace scorepath {

const char* to_string(conditioning_kind kind) noexcept {
  switch (kind) {
    case conditioning_kind::none: return "none";
    case conditioning_kind::vp: return "vp";
    case conditioning_kind::ve: return "ve";
    case conditioning_kind::levels: return "levels";
  }
  return "unknown";
}

conditioning_kind parse_conditioning_kind(const std::string& text) {
  for (conditioning_kind kind : {conditioning_kind::none, conditioning_kind::vp,
                                 conditioning_kind::ve, conditioning_kind::levels}) {
    if (text == to_string(kind)) return kind;
  }
  throw invalid_argument_error("conditioning", text, "must be none, vp, ve or levels", __FILE__,
                               __LINE__);
}

void check_noise_conditioning(const noise_conditioning& cond) {
  switch (cond.kind) {
    case conditioning_kind::none: return;
    case conditioning_kind::vp:
      SCOREPATH_EXPECTS(std::isfinite(cond.beta_min) && cond.beta_min >= 0, "beta_min",
                        cond.beta_min, "must be finite and non-negative");
      SCOREPATH_EXPECTS(std::isfinite(cond.beta_max) && cond.beta_max > 0 &&
                            cond.beta_max >= cond.beta_min,
                        "beta_max", cond.beta_max, "must be finite, positive and >= beta_min");
      break;
    case conditioning_kind::ve:
      SCOREPATH_EXPECTS(std::isfinite(cond.sigma_min) && cond.sigma_min > 0, "sigma_min",
                        cond.sigma_min, "must be positive and finite");
      SCOREPATH_EXPECTS(std::isfinite(cond.sigma_max) && cond.sigma_max > cond.sigma_min &&
                            std::isfinite(cond.sigma_max / cond.sigma_min),
                        "sigma_max", cond.sigma_max,
                        "must be finite and > sigma_min, with a finite ratio");
      SCOREPATH_EXPECTS(std::isfinite(conditioning_sigma(cond, 1.0)), "sigma_max", cond.sigma_max,
                        "gives a variance at t = 1 that overflows");
      break;
    case conditioning_kind::levels:
      SCOREPATH_EXPECTS(!cond.levels.empty() && cond.levels.size() <= 4096, "levels",
                        cond.levels.size(), "must list between 1 and 4096 noise levels");
      for (std::size_t i = 0; i < cond.levels.size(); ++i) {
        const double s = cond.levels[i];
        SCOREPATH_EXPECTS(std::isfinite(s) && s > 0, "levels[" + std::to_string(i) + "]", s,
                          "must be positive and finite");
        SCOREPATH_EXPECTS(i == 0 || s < cond.levels[i - 1], "levels[" + std::to_string(i) + "]",
                          s, "must be below the level before it (levels decrease)");
      }
      return;
    default:
      throw invalid_argument_error("conditioning", std::to_string(static_cast<int>(cond.kind)),
                                   "must be none, vp, ve or levels", __FILE__, __LINE__);
  }
  SCOREPATH_EXPECTS(std::isfinite(cond.t_min) && cond.t_min > 0 && cond.t_min < 1, "t_min",
                    cond.t_min, "must lie in (0, 1)");
  SCOREPATH_EXPECTS(conditioning_sigma(cond, cond.t_min) > 0, "t_min", cond.t_min,
                    "gives a noise level sigma(t_min) that rounds to zero");
}

}  // namespace scorepath
