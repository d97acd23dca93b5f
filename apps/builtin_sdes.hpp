// The built-in SDEs as an sde_spec names them: one dispatch shared by the run and its checks.
#pragma once

#include <array>
#include <string>

#include "scorepath/ensemble.hpp"
#include "scorepath/error.hpp"
#include "sde_spec.hpp"

namespace scorepath::cli {

/// @throw invalid_argument_error naming `--dim`: @p spec's SDE is compiled for @p supported only
[[noreturn]] inline void unsupported_dim(const sde_spec& spec, const char* supported) {
  throw invalid_argument_error("--dim", std::to_string(spec.dim),
                               "the " + spec.name + " SDE is built for dim " + supported, __FILE__,
                               __LINE__);
}

/// An array of D copies of @p v in precision T.
template <class T, int D>
std::array<T, D> all(double v) {
  std::array<T, D> a;
  a.fill(static_cast<T>(v));
  return a;
}

/// Correlated GBM in D dimensions with every pairwise correlation @p spec.rho.
template <class T, int D>
correlated_gbm<T, D> make_cgbm(const sde_spec& spec) {
  std::array<T, D * D> rho;
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) rho[i * D + j] = static_cast<T>(i == j ? 1.0 : spec.rho);
  return correlated_gbm<T, D>(all<T, D>(spec.mu), all<T, D>(spec.sigma), rho);
}

/**
 * @brief Builds the SDE @p spec names in precision T and returns f(sde).
 * @throw invalid_argument_error naming `--sde` (unknown name) or `--dim` (a dimension the SDE is
 *        not compiled for), and whatever the SDE's constructor throws for its parameters
 */
template <class T, class F>
auto with_builtin_sde(const sde_spec& spec, F&& f) {
  const auto t = [](double v) { return static_cast<T>(v); };
  const std::string& n = spec.name;
  if (n == "bm") {
    if (spec.dim != 1) unsupported_dim(spec, "1");
    return f(brownian_motion<T, 1>(t(spec.mu), t(spec.sigma)));
  }
  if (n == "gbm") {
    if (spec.dim != 1) unsupported_dim(spec, "1 (use cgbm for several assets)");
    return f(geometric_brownian_motion<T>(t(spec.mu), t(spec.sigma)));
  }
  if (n == "cgbm") {
    if (spec.dim == 2) return f(make_cgbm<T, 2>(spec));
    if (spec.dim == 4) return f(make_cgbm<T, 4>(spec));
    unsupported_dim(spec, "2 or 4");
  }
  if (n == "ou") {
    if (spec.dim == 1) return f(ornstein_uhlenbeck<T, 1>(t(spec.theta), t(spec.mu), t(spec.sigma)));
    if (spec.dim == 8) return f(ornstein_uhlenbeck<T, 8>(t(spec.theta), t(spec.mu), t(spec.sigma)));
    unsupported_dim(spec, "1 or 8");
  }
  if (n == "vp") {
    if (spec.dim == 1) return f(vp_sde<T, 1>(t(spec.beta_min), t(spec.beta_max)));
    if (spec.dim == 2) return f(vp_sde<T, 2>(t(spec.beta_min), t(spec.beta_max)));
    unsupported_dim(spec, "1 or 2");
  }
  if (n == "ve") {
    if (spec.dim == 1) return f(ve_sde<T, 1>(t(spec.sigma_min), t(spec.sigma_max)));
    if (spec.dim == 2) return f(ve_sde<T, 2>(t(spec.sigma_min), t(spec.sigma_max)));
    unsupported_dim(spec, "1 or 2");
  }
  if (n == "langevin") {
    if (spec.dim != 2) unsupported_dim(spec, "2");
    const isotropic_gaussian_score<T, 2> score(all<T, 2>(spec.mu), t(spec.sigma));
    return f(langevin<isotropic_gaussian_score<T, 2>, 2>(score));
  }
  throw invalid_argument_error("--sde", n, "must be bm, gbm, cgbm, ou, vp, ve or langevin",
                               __FILE__, __LINE__);
}

}  // namespace scorepath::cli
