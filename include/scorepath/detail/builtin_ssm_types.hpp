/**
 * @file detail/builtin_ssm_types.hpp
 * @brief The built-in score models the library compiles sliced score matching for (names only;
 *        host and device code can include this).
 */
#pragma once

#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath::detail::builtin {
template <class T> using gauss2 = gaussian_score<T, 2>;
template <class T> using diag_gauss2 = diagonal_gaussian_score<T, 2>;
template <class T> using diag_gauss16 = diagonal_gaussian_score<T, 16>;
template <class T> using gmm2 = gaussian_mixture_score<T, 2, 8>;
template <class T> using gmm16 = gaussian_mixture_score<T, 16, 8>;
template <class T> using gmm64 = gaussian_mixture_score<T, 64, 8>;
template <class T> using mlp2 = mlp_score<T, 2>;
template <class T> using mlp64 = mlp_score<T, 64>;
}  // namespace scorepath::detail::builtin

/// Models with kernels on both backends: X(ModelAlias, T).
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_CUDA(X) \
  X(gauss2, float) X(gauss2, double)           \
  X(diag_gauss2, float) X(diag_gauss2, double) \
  X(diag_gauss16, float) X(diag_gauss16, double) \
  X(gmm2, float) X(gmm2, double)               \
  X(gmm16, float)
/// Models only the CPU backend runs: the 16-dimensional mixture in double needs more registers
/// than a GPU thread has, and the 64-dimensional one more still.
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_CPU_ONLY(X) \
  X(gmm16, double) X(gmm64, float) X(gmm64, double)
/// The MLP models (CPU backend only; compiled in their own translation unit).
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP(X) \
  X(mlp2, float) X(mlp2, double) X(mlp64, float) X(mlp64, double)
/// Every model the library compiles for the CPU.
#define SCOREPATH_FOR_EACH_BUILTIN_SSM(X)  \
  SCOREPATH_FOR_EACH_BUILTIN_SSM_CUDA(X)     \
  SCOREPATH_FOR_EACH_BUILTIN_SSM_CPU_ONLY(X) \
  SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP(X)

/// Signature of ssm_run_cpu / ssm_run_cuda for one model.
#define SCOREPATH_SSM_RUN_SIGNATURE(FN, M, T)                                                  \
  void FN<::scorepath::detail::builtin::M<T>, T>(                                             \
      const ::scorepath::context&, const ::scorepath::detail::ssm_plan<T>&,                   \
      const ::scorepath::detail::builtin::M<T>&, ::scorepath::grouped_moments&);
