// CPU instantiations of sliced score matching for the built-in Gaussian and mixture models
// (library SIMD flags).
#include "scorepath/detail/builtin_ssm.hpp"

namespace scorepath::detail {
#define SCOREPATH_INSTANTIATE_SSM_CPU(M, T) template SCOREPATH_SSM_RUN_SIGNATURE(ssm_run_cpu, M, T)
SCOREPATH_FOR_EACH_BUILTIN_SSM_CUDA(SCOREPATH_INSTANTIATE_SSM_CPU)
SCOREPATH_FOR_EACH_BUILTIN_SSM_CPU_ONLY(SCOREPATH_INSTANTIATE_SSM_CPU)
#undef SCOREPATH_INSTANTIATE_SSM_CPU
}  // namespace scorepath::detail
