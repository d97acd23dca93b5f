// CUDA kernels of sliced_score_matching for the built-in MLP models that have them: instantiations
// only (their device form is in scores/mlp_cuda.cuh). A file of their own compiles beside
// ssm_builtin.cu.
#include "scorepath/detail/builtin_ssm_types.hpp"
#include "scorepath/scores/mlp_cuda.cuh"
#include "scorepath/ssm_cuda.cuh"

namespace scorepath::detail {
#define SCOREPATH_INSTANTIATE_SSM_CUDA(M, T) template SCOREPATH_SSM_RUN_SIGNATURE(ssm_run_cuda, M, T)
SCOREPATH_FOR_EACH_BUILTIN_SSM_MLP_CUDA(SCOREPATH_INSTANTIATE_SSM_CUDA)
#undef SCOREPATH_INSTANTIATE_SSM_CUDA
}  // namespace scorepath::detail
