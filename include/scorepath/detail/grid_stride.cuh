/**
 * @file detail/grid_stride.cuh
 * @brief The grid-stride loop every kernel walks its items with.
 */
#pragma once

#include <cstdint>

namespace scorepath::detail {

/**
 * @brief Calls @p f(i) for every item i < @p items this thread owns: i = blockIdx.x·B +
 *        threadIdx.x, then onward in steps of the grid's thread count, B = Policy::block_threads
 *        (the kernel's launch must use that block size, detail/launch_policy.hpp).
 */
template <class Policy, class F>
__device__ __forceinline__ void grid_stride(std::uint64_t items, F&& f) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * Policy::block_threads;
  for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * Policy::block_threads + threadIdx.x;
       i < items; i += stride) {
    f(i);
  }
}

}  // namespace scorepath::detail
