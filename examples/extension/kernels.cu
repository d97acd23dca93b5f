// CUDA kernels of scorepath's engines for this project's own SDE and score model.
#include <scorepath/em_cuda.cuh>
#include <scorepath/ssm_cuda.cuh>

#include "models.hpp"

SCOREPATH_DEFINE_EM_CUDA_KERNELS(example::growing_noise_ou, float, scorepath::no_reducer)
SCOREPATH_DEFINE_SSM_CUDA_KERNELS(example::logistic_score)
