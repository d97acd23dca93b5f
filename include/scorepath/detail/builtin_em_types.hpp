/**
 * @file detail/builtin_em_types.hpp
 * @brief The (SDE, precision, reducer) combinations the library compiles for both backends
 *        (names only; host and device code can include this).
 *
 * For these, user code links the library's CPU instantiations (built with its SIMD flags) and,
 * in CUDA builds, its kernels. Any other SDE still runs: on the CPU from the header templates, and
 * on CUDA when the calling file is compiled by nvcc with scorepath/em_cuda.cuh.
 */
#pragma once

#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/em_plan.hpp"
#include "scorepath/reducers.hpp"
#include "scorepath/sdes/brownian_motion.hpp"
#include "scorepath/sdes/diffusion_model_sdes.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/sdes/langevin.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"

namespace scorepath::detail::builtin {
template <class T> using bm1 = brownian_motion<T, 1>;
template <class T> using gbm = geometric_brownian_motion<T>;
template <class T> using cgbm2 = correlated_gbm<T, 2>;
template <class T> using cgbm4 = correlated_gbm<T, 4>;
template <class T> using ou1 = ornstein_uhlenbeck<T, 1>;
template <class T> using ou8 = ornstein_uhlenbeck<T, 8>;
template <class T> using vp1 = vp_sde<T, 1>;
template <class T> using vp2 = vp_sde<T, 2>;
template <class T> using ve1 = ve_sde<T, 1>;
template <class T> using ve2 = ve_sde<T, 2>;
template <class T> using langevin2 = langevin<isotropic_gaussian_score<T, 2>, 2>;
template <class T> using call = discounted_call_payoff<T, 0>;
}  // namespace scorepath::detail::builtin

/// Calls X(SdeAlias, T, Reducer) for every built-in combination.
#define SCOREPATH_FOR_EACH_BUILTIN_EM_T(X, T)                                                  \
  X(bm1, T, ::scorepath::no_reducer)                                                           \
  X(gbm, T, ::scorepath::no_reducer)                                                           \
  X(gbm, T, ::scorepath::detail::builtin::call<T>)                                             \
  X(cgbm2, T, ::scorepath::no_reducer)                                                         \
  X(cgbm4, T, ::scorepath::no_reducer)                                                         \
  X(ou1, T, ::scorepath::no_reducer)                                                           \
  X(ou8, T, ::scorepath::no_reducer)                                                           \
  X(vp1, T, ::scorepath::no_reducer)                                                           \
  X(vp2, T, ::scorepath::no_reducer)                                                           \
  X(ve1, T, ::scorepath::no_reducer)                                                           \
  X(ve2, T, ::scorepath::no_reducer)                                                           \
  X(langevin2, T, ::scorepath::no_reducer)
#define SCOREPATH_FOR_EACH_BUILTIN_EM(X)  \
  SCOREPATH_FOR_EACH_BUILTIN_EM_T(X, float) \
  SCOREPATH_FOR_EACH_BUILTIN_EM_T(X, double)

/// Signature of em_run_cpu / em_run_cuda for one combination.
#define SCOREPATH_EM_RUN_SIGNATURE(FN, S, T, R)                                               \
  void FN<::scorepath::detail::builtin::S<T>, T, R>(                                          \
      const ::scorepath::context&, const ::scorepath::detail::em_plan<T>&,                    \
      const ::scorepath::detail::builtin::S<T>&,                                              \
      const ::scorepath::vec<T, ::scorepath::detail::builtin::S<T>::dim>&, const R&,          \
      ::scorepath::grouped_moments&);

