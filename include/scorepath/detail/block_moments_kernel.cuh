/**
 * @file detail/block_moments_kernel.cuh
 * @brief The CUDA reduction every engine's statistics go through: summarize_block over each
 *        reduction block of each statistic row of a chunk's scratch, the CPU's reduction bit
 *        for bit.
 */
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// Which scratch rows of a chunk are reduced: statistic i < leading_rows reads row i, any later
/// one reads @p last_row (so EM can reduce its save rows and then its reducer row).
struct moment_rows {
  std::uint32_t count = 0;         ///< statistic rows
  std::uint32_t leading_rows = 0;  ///< statistics that read their own row index
  std::uint32_t last_row = 0;      ///< row of the statistics from leading_rows on
};

/// One thread per (reduction block, statistic row) of a chunk of @p chunk_n items whose rows lie
/// @p row_stride apart in @p scratch; out[b·rows.count + i] is statistic i of block b.
template <class Policy, class T>
__global__ void __launch_bounds__(Policy::block_threads)
    block_moments_kernel(const T* scratch, std::uint64_t row_stride, std::uint64_t chunk_n,
                         moment_rows rows, moment_accumulator* out, std::uint64_t blocks) {
  grid_stride<Policy>(blocks * rows.count, [&](std::uint64_t idx) {
    const std::uint64_t b = idx / rows.count;
    const std::uint32_t i = static_cast<std::uint32_t>(idx % rows.count);
    const std::uint32_t row = i < rows.leading_rows ? i : rows.last_row;
    const std::uint64_t first = b * statistics_block;
    const std::uint64_t n = chunk_n - first < statistics_block ? chunk_n - first : statistics_block;
    out[idx] = summarize_block(scratch + row * row_stride + first, n);
  });
}

/// Launches block_moments_kernel over the @p blocks blocks of a chunk on @p stream.
template <class T>
void launch_block_moments(const T* scratch, std::uint64_t row_stride, std::uint64_t chunk_n,
                          const moment_rows& rows, moment_accumulator* out, std::uint64_t blocks,
                          cudaStream_t stream) {
  using policy = block_moments_launch;
  block_moments_kernel<policy, T>
      <<<policy::grid_for(blocks * rows.count), policy::block_threads, 0, stream>>>(
          scratch, row_stride, chunk_n, rows, out, blocks);
  SCOREPATH_CUDA_TRY(cudaGetLastError());
}

}  // namespace scorepath::detail
