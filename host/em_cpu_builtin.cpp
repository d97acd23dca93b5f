// CPU instantiations of the built-in SDEs, compiled with the library's SIMD flags.
#include "scorepath/detail/builtin_em.hpp"

namespace scorepath::detail {
#define SCOREPATH_INSTANTIATE_CPU(S, T, R) template SCOREPATH_EM_RUN_SIGNATURE(em_run_cpu, S, T, R)
SCOREPATH_FOR_EACH_BUILTIN_EM(SCOREPATH_INSTANTIATE_CPU)
#undef SCOREPATH_INSTANTIATE_CPU
}  // namespace scorepath::detail
