/**
 * @file detail/launch_policy.hpp
 * @brief Launch geometry of the CUDA kernels as policy types: threads per block (also the
 *        kernel's `__launch_bounds__`) and the grid for a number of items.
 *
 * A kernel is written against a policy (`template <class Policy> __global__ void
 * __launch_bounds__(Policy::block_threads) k(...)`) and walks its items with the grid-stride loop
 * of detail/grid_stride.cuh, so a grid smaller than the items (the cap below) is still correct.
 * Plain C++: hosts and tests may read the numbers without a CUDA compiler.
 */
#pragma once

#include <cstdint>

namespace scorepath::detail {

/// One thread per item, @p BlockThreads threads per block, at most max_grid blocks.
template <int BlockThreads>
struct launch_policy {
  static_assert(BlockThreads > 0 && BlockThreads % 32 == 0, "whole warps per block");
  /// Threads per block.
  static constexpr int block_threads = BlockThreads;
  /// Most blocks a launch asks for; a grid-stride loop covers the rest.
  static constexpr std::uint64_t max_grid = std::uint64_t{1} << 30;
  /// Blocks for @p items items: enough for one thread per item, at least 1, at most max_grid.
  static constexpr unsigned grid_for(std::uint64_t items) {
    const std::uint64_t blocks = items / BlockThreads + (items % BlockThreads != 0 ? 1 : 0);
    return static_cast<unsigned>(blocks < 1 ? 1 : blocks < max_grid ? blocks : max_grid);
  }
};

/// Path kernel of simulate_em: one thread per path.
using em_paths_launch = launch_policy<128>;
/// Sample kernel of sliced_score_matching: one thread per sample.
using ssm_samples_launch = launch_policy<128>;
/// Reduction kernel: one thread per (block, statistic row).
using block_moments_launch = launch_policy<128>;
/// Random fill kernels: one thread per subsequence.
using random_fill_launch = launch_policy<256>;
/// Elementwise kernels of the device MLP tape: one thread per (sample, unit).
using mlp_elementwise_launch = launch_policy<256>;
/// Sampler kernels: one thread per path (updates) or per point (scores).
using sampler_paths_launch = launch_policy<128>;

}  // namespace scorepath::detail
