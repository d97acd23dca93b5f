/**
 * @file detail/builtin_em.hpp
 * @brief Declares the library's compiled instantiations of the built-in SDEs (see
 *        builtin_em_types.hpp) so that callers link them instead of compiling their own.
 */
#pragma once

#include "scorepath/detail/builtin_em_types.hpp"
#include "scorepath/detail/em_cpu.hpp"
#include "scorepath/detail/em_cuda_launch.hpp"

namespace scorepath::detail {
#define SCOREPATH_EXTERN_CPU(S, T, R) extern template SCOREPATH_EM_RUN_SIGNATURE(em_run_cpu, S, T, R)
SCOREPATH_FOR_EACH_BUILTIN_EM(SCOREPATH_EXTERN_CPU)
#undef SCOREPATH_EXTERN_CPU

#if SCOREPATH_HAVE_CUDA
#define SCOREPATH_CUDA_COMPILED(S, T, R) \
  template <>                            \
  struct em_cuda_compiled<builtin::S<T>, T, R> : std::true_type {};
SCOREPATH_FOR_EACH_BUILTIN_EM(SCOREPATH_CUDA_COMPILED)
#undef SCOREPATH_CUDA_COMPILED
#endif
}  // namespace scorepath::detail
