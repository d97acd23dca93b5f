/**
 * @file detail/builtin_ssm.hpp
 * @brief Declares the library's compiled sliced score matching instantiations of the built-in
 *        models (builtin_ssm_types.hpp), so callers link them instead of compiling their own.
 */
#pragma once

#include "scorepath/detail/builtin_ssm_types.hpp"
#include "scorepath/detail/ssm_cpu.hpp"

namespace scorepath::detail {
#define SCOREPATH_EXTERN_SSM_CPU(M, T) extern template SCOREPATH_SSM_RUN_SIGNATURE(ssm_run_cpu, M, T)
SCOREPATH_FOR_EACH_BUILTIN_SSM(SCOREPATH_EXTERN_SSM_CPU)
#undef SCOREPATH_EXTERN_SSM_CPU

#if SCOREPATH_HAVE_CUDA
#define SCOREPATH_SSM_CUDA_COMPILED(M, T) \
  template <>                             \
  struct ssm_cuda_compiled<builtin::M<T>> : std::true_type {};
SCOREPATH_FOR_EACH_BUILTIN_SSM_ON_CUDA(SCOREPATH_SSM_CUDA_COMPILED)
#undef SCOREPATH_SSM_CUDA_COMPILED
#endif
}  // namespace scorepath::detail
