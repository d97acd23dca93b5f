// CPU instantiations of sliced score matching for the built-in MLP models (library SIMD flags).
#include "scorepath/detail/builtin_ssm.hpp"

namespace scorepath::detail {
#define SCOREPATH_INSTANTIATE_SSM_CPU(M, T) template SCOREPATH_SSM_RUN_SIGNATURE(ssm_run_cpu, M, T)
SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP(SCOREPATH_INSTANTIATE_SSM_CPU)
#undef SCOREPATH_INSTANTIATE_SSM_CPU
}  // namespace scorepath::detail
