/**
 * @file detail/cuda_driver.cuh
 * @brief The CUDA driver every engine runs through: the chunk loop over a block decomposition,
 *        kernel launches with the geometry of a launch policy, the per-block moments of each
 *        chunk reduced on the device and folded on the host in block order one chunk behind,
 *        and progress after each chunk.
 *
 * An engine supplies a kernel written against a policy (detail/launch_policy.hpp) that walks its
 * items with grid_stride (detail/grid_stride.cuh), and a per-chunk step that launches it, stages
 * outputs (detail/cuda_staging.cuh) and folds the chunk's statistics (cuda_moments_fold, whose
 * finish() the engine calls after the last chunk). Chunks,
 * blocks and the fold order are those of the CPU driver (detail/cpu_driver.hpp), so statistics
 * agree across backends given equal per-item values.
 */
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
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

/// Page-locked host memory for @p count values of T, so copies from the device into it run
/// asynchronously; freed on destruction.
template <class T>
class pinned_host_array {
 public:
  explicit pinned_host_array(std::size_t count) {
    SCOREPATH_CUDA_TRY(cudaMallocHost(reinterpret_cast<void**>(&data_), count * sizeof(T)));
  }
  ~pinned_host_array() {
    if (data_ != nullptr) SCOREPATH_CUDA_TRY_NO_THROW(cudaFreeHost(data_));
  }
  pinned_host_array(const pinned_host_array&) = delete;
  pinned_host_array& operator=(const pinned_host_array&) = delete;
  T* data() const { return data_; }

 private:
  T* data_ = nullptr;
};

/// A CUDA event without timing, destroyed with its owner.
class cuda_event {
 public:
  cuda_event() { SCOREPATH_CUDA_TRY(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming)); }
  ~cuda_event() {
    if (event_ != nullptr) SCOREPATH_CUDA_TRY_NO_THROW(cudaEventDestroy(event_));
  }
  cuda_event(const cuda_event&) = delete;
  cuda_event& operator=(const cuda_event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

/**
 * @brief The per-block moments of each chunk: reduced on the device, copied to the host and folded
 *        into the totals in block order. A run of several chunks folds one chunk behind through
 *        page-locked memory (two slots, an event each), so the host folds chunk c − 1 while the
 *        device runs chunk c; a run of one chunk copies and folds at once, with no page-locked
 *        allocation. finish() folds the last chunk.
 */
class cuda_moments_fold {
 public:
  /// Room for the blocks of a full chunk of @p run, @p rows each: one device slot (the stream
  /// orders each chunk's reduction after the previous chunk's copy), two host slots when the
  /// run has several chunks.
  cuda_moments_fold(const block_decomposition& run, std::uint32_t rows, cudaStream_t stream)
      : stream_(stream),
        slot_size_(std::max<std::size_t>(1, run.blocks_per_chunk() * rows)),
        slots_(run.chunk_count() > 1 ? 2 : 1),
        device_(slot_size_ * sizeof(moment_accumulator), stream) {
    if (slots_ == 2) {
      check_host_request(
          checked_size_product(2 * slot_size_, sizeof(moment_accumulator), "chunk"), "chunk");
      pinned_.emplace(2 * slot_size_);
    } else {
      host_.resize(slot_size_);
    }
  }

  /// Waits for a copy still in flight (an exception left it pending) before the memory goes.
  ~cuda_moments_fold() {
    if (pending_.waiting) {
      SCOREPATH_CUDA_TRY_NO_THROW(cudaEventSynchronize(copied_[pending_.slot].get()));
    }
  }
  cuda_moments_fold(const cuda_moments_fold&) = delete;
  cuda_moments_fold& operator=(const cuda_moments_fold&) = delete;

  /**
   * @brief Reduces the @p rows.count statistic rows of @p chunk (rows @p row_stride elements
   *        apart in @p scratch) and folds them into @p totals: at once for a run of one chunk,
   *        else after folding the previous chunk (waiting for that chunk's copy only). Nothing
   *        happens for zero rows.
   */
  template <class T>
  void operator()(const T* scratch, std::uint64_t row_stride, const item_range& chunk,
                  const moment_rows& rows, grouped_moments& totals) {
    if (rows.count == 0) return;
    const std::uint64_t blocks = block_decomposition::block_count(chunk);
    const std::uint64_t bytes = blocks * rows.count * sizeof(moment_accumulator);
    const int slot = next_slot_;
    moment_accumulator* device = device_.as<moment_accumulator>();
    launch_block_moments(scratch, row_stride, chunk.size, rows, device, blocks, stream_);
    if (slots_ == 1) {
      SCOREPATH_CUDA_TRY(
          cudaMemcpyAsync(host_.data(), device, bytes, cudaMemcpyDeviceToHost, stream_));
      SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream_));
      totals.fold_blocks(host_.data(), block_decomposition::first_block(chunk), blocks);
      return;
    }
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(pinned_->data() + slot * slot_size_, device, bytes,
                                       cudaMemcpyDeviceToHost, stream_));
    SCOREPATH_CUDA_TRY(cudaEventRecord(copied_[slot].get(), stream_));
    fold_pending();
    pending_ = {true, slot, block_decomposition::first_block(chunk), blocks, &totals};
    next_slot_ = 1 - slot;
  }

  /// Folds the last chunk reduced, waiting for its copy; call once after the last chunk.
  void finish() { fold_pending(); }

 private:
  /// A chunk whose results are on their way to a page-locked slot and not yet folded.
  struct pending_chunk {
    bool waiting = false;
    int slot = 0;
    std::uint64_t first_block = 0;
    std::uint64_t blocks = 0;
    grouped_moments* totals = nullptr;
  };

  void fold_pending() {
    if (!pending_.waiting) return;
    SCOREPATH_CUDA_TRY(cudaEventSynchronize(copied_[pending_.slot].get()));
    const moment_accumulator* host = pinned_->data() + pending_.slot * slot_size_;
    pending_.totals->fold_blocks(host, pending_.first_block, pending_.blocks);
    pending_ = pending_chunk{};
  }

  cudaStream_t stream_;
  std::size_t slot_size_;
  int slots_;
  device_buffer device_;
  std::vector<moment_accumulator> host_;                         ///< a run of one chunk
  std::optional<pinned_host_array<moment_accumulator>> pinned_;  ///< a run of several
  cuda_event copied_[2];
  int next_slot_ = 0;
  pending_chunk pending_;
};

/**
 * @brief Calls @p step(chunk) for every chunk of @p run in order; after each, when @p progress is
 *        set, waits for the stream and reports (items done, items). Returns once the stream has
 *        finished every chunk.
 */
template <class Step>
void cuda_run_chunks(const block_decomposition& run, cudaStream_t stream, Step&& step,
                     const std::function<void(std::uint64_t, std::uint64_t)>& progress = {}) {
  try {
    for (std::uint64_t c = 0; c < run.chunk_count(); ++c) {
      const item_range chunk = run.chunk(c);
      step(chunk);
      if (progress) {
        SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
        progress(chunk.end(), run.items());
      }
    }
  } catch (...) {
    // Copies into the caller's memory may still be in flight: let them land before unwinding.
    SCOREPATH_CUDA_TRY_NO_THROW(cudaStreamSynchronize(stream));
    throw;
  }
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}

}  // namespace scorepath::detail
