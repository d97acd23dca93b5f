/**
 * @file scores/mlp_cuda.cuh
 * @brief How the CUDA backend runs an mlp_score: its device form is an mlp_view over a device
 *        copy of the flat parameters, which each block stages in shared memory when they fit.
 *
 * Per sliced_score_matching call the parameters are copied to device memory once. A kernel
 * granted the shared memory (ssm_run_cuda grants it when the buffer fits the device's opt-in
 * per-block limit) copies them there, block by block, before its first sample; otherwise every
 * thread reads them from global memory, where all threads of a warp load the same weight at once.
 */
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "scorepath/cuda_check.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/scores/mlp_view.hpp"
#include "scorepath/ssm_cuda.cuh"

namespace scorepath::detail {

/// Most tangents per dual evaluation of an MLP on a GPU thread: 4 in float and 2 in double for
/// D = 2 (none of these kernels spills; checked by scripts/check_spills.sh), one for wider models.
/// The two layer buffers in local memory hold 2·mlp_view_max_width duals of K + 1 values, and
/// past 4 tangents the primal evaluation they share is already a small part of the work, so
/// more tangents would cost more local memory than they save arithmetic.
template <int D, class T>
inline constexpr int mlp_cuda_max_tangents = [] {
  constexpr int words = D * static_cast<int>(sizeof(T) / 4);
  return words <= 2 ? 4 : words <= 4 ? 2 : 1;
}();

/// The device form of mlp_score<T, D>: an mlp_view over a device copy of its parameters.
template <class T, int D>
struct ssm_cuda_model<mlp_score<T, D>> {
  using device_model = mlp_view<T, D>;
  static constexpr int max_tangents = mlp_cuda_max_tangents<D, T>;
  /// An explicit bound: without one, ptxas (CUDA 13.0) held the float kernels to 72 registers
  /// and spilled; with it they use 86 to 206 and spill nothing.
  static constexpr int min_blocks_per_sm = 1;
  static constexpr bool stages = true;

  /// The device copy of the parameters and the view over it.
  struct binding {
    device_buffer parameters;
    device_model model;
    std::size_t stage_bytes = 0;
  };

  /**
   * @brief Copies @p net's parameters to the device, ordered on @p stream.
   * @throw invalid_argument_error naming `hidden size` or `hidden[l]` for a network beyond the
   *        view's caps (before anything is allocated)
   */
  static binding bind(const mlp_score<T, D>& net, cudaStream_t stream) {
    binding b;
    b.model = net.view();
    const std::size_t bytes = b.model.parameter_count * sizeof(T);
    b.parameters = device_buffer(bytes, stream);
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(b.parameters.data(), net.parameters().data(), bytes,
                                       cudaMemcpyHostToDevice, stream));
    b.model.parameters = b.parameters.template as<T>();
    b.stage_bytes = bytes;
    return b;
  }

  /// Copies the parameters into the block's shared memory and points the view at them.
  __device__ static void stage(device_model& model, unsigned char* shared) {
    T* staged = reinterpret_cast<T*>(shared);
    const std::size_t count = model.parameter_count;
    for (std::size_t k = threadIdx.x; k < count; k += blockDim.x) staged[k] = model.parameters[k];
    __syncthreads();
    model.parameters = staged;
  }
};

}  // namespace scorepath::detail
