/**
 * @file detail/cuda_driver.cuh
 * @brief The CUDA driver every engine runs through: the chunk loop over a block decomposition,
 *        kernel launches with the geometry of a launch policy, the per-block moments of each
 *        chunk reduced on the device and folded on the host in block order, and progress after
 *        each chunk.
 *
 * An engine supplies a kernel written against a policy (detail/launch_policy.hpp) that walks its
 * items with grid_stride (detail/grid_stride.cuh), and a per-chunk step that launches it, stages
 * outputs (detail/cuda_staging.cuh) and folds the chunk's statistics (cuda_moments_fold). Chunks,
 * blocks and the fold order are those of the CPU driver (detail/cpu_driver.hpp), so statistics
 * agree across backends given equal per-item values.
 */
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/block_moments_kernel.cuh"
#include "scorepath/detail/cuda_device_scope.hpp"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// The context's stream; an engine holds a cuda_device_scope on ctx.device() while it uses it.
inline cudaStream_t cuda_stream_of(const context& ctx) {
  return static_cast<cudaStream_t>(ctx.stream());
}

/**
 * @brief Launches @p kernel with Policy's geometry over @p items items (one thread each, the grid
 *        capped as the policy says) and checks the launch.
 */
template <class Policy, class... Params, class... Args>
void launch_items(void (*kernel)(Params...), std::uint64_t items, std::size_t shared_bytes,
                  cudaStream_t stream, Args&&... args) {
  kernel<<<Policy::grid_for(items), Policy::block_threads, shared_bytes, stream>>>(
      std::forward<Args>(args)...);
  SCOREPATH_CUDA_TRY(cudaGetLastError());
}

/// The per-block moments of a chunk: reduced on the device, copied to the host and folded into
/// the totals in block order. Sized once for the largest chunk of a run.
class cuda_moments_fold {
 public:
  /// Room for the blocks of a full chunk of @p run, @p rows statistics each.
  cuda_moments_fold(const block_decomposition& run, std::uint32_t rows, cudaStream_t stream)
      : stream_(stream),
        device_(std::max<std::size_t>(1, run.blocks_per_chunk() * rows) *
                    sizeof(moment_accumulator),
                stream) {}

  /**
   * @brief Reduces the @p rows.count statistic rows of @p chunk (rows @p row_stride elements
   *        apart in @p scratch) and folds them into @p totals; waits for the stream. Nothing
   *        happens for zero rows.
   */
  template <class T>
  void operator()(const T* scratch, std::uint64_t row_stride, const item_range& chunk,
                  const moment_rows& rows, grouped_moments& totals) {
    if (rows.count == 0) return;
    const std::uint64_t blocks = block_decomposition::block_count(chunk);
    const std::uint64_t results = blocks * rows.count;
    launch_block_moments(scratch, row_stride, chunk.size, rows,
                         device_.as<moment_accumulator>(), blocks, stream_);
    host_.resize(results);
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(host_.data(), device_.data(),
                                       results * sizeof(moment_accumulator),
                                       cudaMemcpyDeviceToHost, stream_));
    SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream_));
    totals.fold_blocks(host_.data(), block_decomposition::first_block(chunk), blocks);
  }

 private:
  cudaStream_t stream_;
  device_buffer device_;
  std::vector<moment_accumulator> host_;
};

/**
 * @brief Calls @p step(chunk) for every chunk of @p run in order; after each, when @p progress is
 *        set, waits for the stream and reports (items done, items). Returns once the stream has
 *        finished every chunk.
 */
template <class Step>
void cuda_run_chunks(const block_decomposition& run, cudaStream_t stream, Step&& step,
                     const std::function<void(std::uint64_t, std::uint64_t)>& progress = {}) {
  for (std::uint64_t c = 0; c < run.chunk_count(); ++c) {
    const item_range chunk = run.chunk(c);
    step(chunk);
    if (progress) {
      SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
      progress(chunk.end(), run.items());
    }
  }
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}

}  // namespace scorepath::detail
