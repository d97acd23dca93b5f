// CUDA kernels of simulate_em for the built-in SDEs: launches and explicit instantiations only.
#include "scorepath/em_cuda.cuh"
#include "scorepath/detail/builtin_em_types.hpp"

namespace scorepath::detail {
#define SCOREPATH_INSTANTIATE_CUDA(S, T, R) template SCOREPATH_EM_RUN_SIGNATURE(em_run_cuda, S, T, R)
SCOREPATH_FOR_EACH_BUILTIN_EM(SCOREPATH_INSTANTIATE_CUDA)
#undef SCOREPATH_INSTANTIATE_CUDA
}  // namespace scorepath::detail
