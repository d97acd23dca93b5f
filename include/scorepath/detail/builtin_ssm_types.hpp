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

/// Models with kernels on both backends, compiled in kernels/ssm_builtin.cu and
/// host/ssm_cpu_builtin.cpp: X(ModelAlias, T).
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_CUDA(X) \
  X(gauss2, float) X(gauss2, double)           \
  X(diag_gauss2, float) X(diag_gauss2, double) \
  X(diag_gauss16, float) X(diag_gauss16, double) \
  X(gmm2, float) X(gmm2, double)               \
  X(gmm16, float) X(gmm16, double)             \
  X(gmm64, float)
/// Models only the CPU backend runs: the 64-dimensional mixture in double spills a few bytes
/// per thread for the orthogonal probe law, whose basis of D probes lives in local memory.
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_CPU_ONLY(X) \
  X(gmm64, double)
/// The MLP models, compiled for the CPU in a translation unit of their own (host/ssm_cpu_mlp.cpp).
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP(X) \
  X(mlp2, float) X(mlp2, double) X(mlp64, float) X(mlp64, double)
/// The MLP models with CUDA kernels too (kernels/ssm_mlp.cu). The 64-dimensional ones run on the
/// CPU only: a GPU thread of sliced score matching holds a sample's input, probes and output
/// duals, at least 4·D = 256 values for D = 64, more registers than it has.
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP_CUDA(X) \
  X(mlp2, float) X(mlp2, double)
/// Every model the library compiles a CUDA kernel for.
#define SCOREPATH_FOR_EACH_BUILTIN_SSM_ON_CUDA(X) \
  SCOREPATH_FOR_EACH_BUILTIN_SSM_CUDA(X)        \
  SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP_CUDA(X)
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
