/**
 * @file detail/block_moments_kernel.cuh
 * @brief The CUDA reduction every engine's statistics go through: each reduction block of each
 *        statistic row of a chunk's scratch reduced by one warp in summarize_block's order, the
 *        CPU's reduction bit for bit.
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

/// Folds the lane values of a warp pairwise as summarize_block folds its lanes (lane j takes in
/// lane j + w for w = 16, 8, 4, 2, 1); lane 0 ends with the CPU's result.
__device__ __forceinline__ void fold_warp_lanes(lane_moments& m) {
  for (int w = reduction_lanes / 2; w >= 1; w /= 2) {
    lane_moments other;
    other.sum = __shfl_down_sync(0xffffffffu, m.sum, w);
    other.min = __shfl_down_sync(0xffffffffu, m.min, w);
    other.max = __shfl_down_sync(0xffffffffu, m.max, w);
    m.fold(other);
  }
}

/// Folds one double per lane like fold_warp_lanes.
__device__ __forceinline__ double fold_warp_sum(double v) {
  for (int w = reduction_lanes / 2; w >= 1; w /= 2) v += __shfl_down_sync(0xffffffffu, v, w);
  return v;
}

/// One warp per (reduction block, statistic row) of a chunk of @p chunk_n items whose rows lie
/// @p row_stride apart in @p scratch; out[b·rows.count + i] is statistic i of block b. Lane j of
/// the warp reads the block's values j, j + 32, … (consecutive lanes, consecutive addresses), and
/// the warp folds its lanes as summarize_block does, so the statistics equal the CPU's bit for bit.
template <class Policy, class T>
__global__ void __launch_bounds__(Policy::block_threads)
    block_moments_kernel(const T* scratch, std::uint64_t row_stride, std::uint64_t chunk_n,
                         moment_rows rows, moment_accumulator* out, std::uint64_t blocks) {
  static_assert(Policy::block_threads % reduction_lanes == 0, "whole warps per thread block");
  // Every lane of a warp has the same statistic index (the item count is a multiple of 32 and
  // the grid's stride too), so all 32 lanes take part in each shuffle.
  grid_stride<Policy>(blocks * rows.count * reduction_lanes, [&](std::uint64_t thread) {
    const std::uint64_t idx = thread / reduction_lanes;
    const int lane = static_cast<int>(thread % reduction_lanes);
    const std::uint64_t b = idx / rows.count;
    const std::uint32_t i = static_cast<std::uint32_t>(idx % rows.count);
    const std::uint32_t row = i < rows.leading_rows ? i : rows.last_row;
    const std::uint64_t first = b * statistics_block;
    const std::uint64_t n = chunk_n - first < statistics_block ? chunk_n - first : statistics_block;
    const T* values = scratch + row * row_stride + first;
    lane_moments m = lane_first_pass(values, n, 1, lane);
    fold_warp_lanes(m);
    const double mean = __shfl_sync(0xffffffffu, m.sum, 0) / static_cast<double>(n);
    const double m2 = fold_warp_sum(lane_second_pass(values, n, 1, lane, mean));
    if (lane == 0) out[idx] = block_accumulator(n, m, mean, m2);
  });
}

/// Launches block_moments_kernel over the @p blocks blocks of a chunk on @p stream.
template <class T>
void launch_block_moments(const T* scratch, std::uint64_t row_stride, std::uint64_t chunk_n,
                          const moment_rows& rows, moment_accumulator* out, std::uint64_t blocks,
                          cudaStream_t stream) {
  using policy = block_moments_launch;
  block_moments_kernel<policy, T>
      <<<policy::grid_for(blocks * rows.count * reduction_lanes), policy::block_threads, 0,
         stream>>>(
          scratch, row_stride, chunk_n, rows, out, blocks);
  SCOREPATH_CUDA_TRY(cudaGetLastError());
}

}  // namespace scorepath::detail
