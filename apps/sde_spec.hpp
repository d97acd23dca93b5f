// The built-in SDEs as the command line names them, and their exact discrete-EM moments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scorepath/exact_em_moments.hpp"

namespace scorepath::cli {

/// Which built-in SDE to run and with which parameters (defaults are the documented ones).
struct sde_spec {
  std::string name = "gbm";   ///< bm, gbm, cgbm, ou, vp, ve, langevin
  int dim = 1;                ///< state dimension (each SDE supports the dims the library compiles)
  double mu = 0.05;           ///< drift (bm, gbm, cgbm), long-run mean (ou), score mean (langevin)
  double sigma = 0.2;         ///< noise scale (bm, gbm, cgbm, ou), score std (langevin)
  double theta = 1.0;         ///< reversion rate (ou)
  double rho = 0.5;           ///< pairwise correlation (cgbm)
  double beta_min = 0.1, beta_max = 20.0;    ///< vp
  double sigma_min = 0.01, sigma_max = 50.0; ///< ve
  std::vector<double> x0;     ///< initial state; empty means the SDE's default, repeated over dim
};

/// Mean and variance of one component.
using moments = em_chain_moments;

/**
 * @brief Exact mean and variance of the Euler–Maruyama chain (not of the continuous SDE) after
 *        @p steps steps of size @p h from @p t0, for component @p c, from the library's
 *        exact_em_moments.hpp; empty when there is no closed form.
 */
std::optional<moments> exact_em_moments(const sde_spec& spec, int c, std::uint64_t steps, double t0,
                                        double h);

/// Default initial value of a component for @p spec.
double default_x0(const sde_spec& spec);

}  // namespace scorepath::cli
