// The exact moments of the Euler–Maruyama chain of the SDE an sde_spec names, from the library's
// closed forms (scorepath/exact_em_moments.hpp).
#include "sde_spec.hpp"

namespace scorepath::cli {

double default_x0(const sde_spec& spec) {
  if (spec.name == "gbm" || spec.name == "cgbm") return 1.0;
  return 0.0;
}

std::optional<moments> exact_em_moments(const sde_spec& spec, int c, std::uint64_t steps, double t0,
                                        double h) {
  // --x0 gives one value for every component or one per component.
  const double x0 = spec.x0.empty()       ? default_x0(spec)
                    : spec.x0.size() == 1 ? spec.x0[0]
                                          : spec.x0[static_cast<std::size_t>(c)];
  if (spec.name == "bm") return exact_em_moments_brownian_motion(x0, spec.mu, spec.sigma, steps, h);
  if (spec.name == "gbm" || spec.name == "cgbm") {
    return exact_em_moments_gbm(x0, spec.mu, spec.sigma, steps, h);
  }
  if (spec.name == "ou") {
    return exact_em_moments_ornstein_uhlenbeck(x0, spec.theta, spec.mu, spec.sigma, steps, h);
  }
  if (spec.name == "vp") return exact_em_moments_vp(x0, spec.beta_min, spec.beta_max, steps, t0, h);
  if (spec.name == "ve") {
    return exact_em_moments_ve(x0, spec.sigma_min, spec.sigma_max, steps, t0, h);
  }
  if (spec.name == "langevin") {
    return exact_em_moments_langevin_gaussian(x0, spec.mu, spec.sigma, steps, h);
  }
  return std::nullopt;
}

}  // namespace scorepath::cli
