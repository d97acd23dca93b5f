/**
 * @file detail/cuda_staging.cuh
 * @brief Output (and input) staging between the caller's memory and the device: the one place a
 *        CUDA engine decides whether a span is used in place or copied through device memory.
 *
 * A span the caller declared as device memory is used in place. A host span gets a device buffer:
 * an input is copied in when staged; an output is copied back by copy_back(). A chunked engine
 * whose items own contiguous rows of a span stages one chunk at a time with chunk_span, so a span
 * larger than the device's free memory still runs; one whose per-chunk results land in the
 * caller's arrays row by row uses copy_rows_out.
 */
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/copy_pitch.hpp"
#include "scorepath/memory.hpp"

namespace scorepath::detail {

/// Device views of a call's host and device spans, ordered on one stream.
class device_staging {
 public:
  explicit device_staging(cudaStream_t stream) : stream_(stream) {}

  /// Device view of @p count input elements at @p data (null stays null); host data is copied in.
  template <class T>
  const T* input(const T* data, bool on_device, std::uint64_t count) {
    if (data == nullptr || on_device) return data;
    T* device = allocate<T>(count);
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(device, data, count * sizeof(T), cudaMemcpyHostToDevice,
                                       stream_));
    return device;
  }

  /// Device view of @p count output elements at @p data (null stays null); a host output is
  /// copied back to @p data by copy_back().
  template <class T>
  T* output(T* data, bool on_device, std::uint64_t count) {
    if (data == nullptr || on_device) return data;
    T* device = allocate<T>(count);
    pending_.push_back({data, device, count * sizeof(T)});
    return device;
  }

  /// Copies every staged output back to the caller's host memory and waits for the stream.
  void copy_back() {
    for (const pending_copy& p : pending_) {
      SCOREPATH_CUDA_TRY(
          cudaMemcpyAsync(p.host, p.device, p.bytes, cudaMemcpyDeviceToHost, stream_));
    }
    pending_.clear();
    SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream_));
  }

 private:
  struct pending_copy {
    void* host;
    const void* device;
    std::size_t bytes;
  };
  template <class T>
  T* allocate(std::uint64_t count) {
    buffers_.emplace_back(count * sizeof(T), stream_);
    return buffers_.back().as<T>();
  }

  cudaStream_t stream_;
  std::vector<device_buffer> buffers_;
  std::vector<pending_copy> pending_;
};

/**
 * @brief One span of a chunked engine, @p width elements per item, as the kernel of one chunk sees
 *        it: the caller's device memory in place, from the chunk's first item, or, for host
 *        memory, a device buffer of one chunk, filled from the host before the chunk (an input:
 *        T is const) or copied back to it after the chunk (an output). A null span stays null.
 */
template <class T>
class chunk_span {
 public:
  using value_type = std::remove_const_t<T>;

  /// Device memory of @p chunk_items items when @p data is non-null host memory.
  chunk_span(T* data, bool on_device, std::uint64_t width, std::uint64_t chunk_items,
             cudaStream_t stream)
      : data_(data), width_(width), stream_(stream) {
    if (staged(data, on_device)) {
      buffer_.emplace(checked_size_product(checked_size_product(chunk_items, width, "chunk"),
                                           sizeof(value_type), "chunk"),
                      stream);
    }
  }

  /// Device bytes per item that a span at @p data takes: width elements when it is staged.
  static std::uint64_t bytes_per_item(const T* data, bool on_device, std::uint64_t width) {
    return staged(data, on_device) ? width * sizeof(value_type) : 0;
  }

  /// The device view of @p chunk's items; a staged input is copied in first (in stream order).
  T* view(const item_range& chunk) {
    if (data_ == nullptr) return nullptr;
    if (!buffer_) return data_ + chunk.begin * width_;
    value_type* device = buffer_->as<value_type>();
    if constexpr (std::is_const_v<T>) {
      SCOREPATH_CUDA_TRY(cudaMemcpyAsync(device, data_ + chunk.begin * width_,
                                         chunk.size * width_ * sizeof(value_type),
                                         cudaMemcpyHostToDevice, stream_));
    }
    return device;
  }

  /// Copies a staged output's @p chunk back to the caller's host memory (in stream order).
  void copy_out(const item_range& chunk) {
    if constexpr (!std::is_const_v<T>) {
      if (!buffer_) return;
      SCOREPATH_CUDA_TRY(cudaMemcpyAsync(data_ + chunk.begin * width_, buffer_->data(),
                                         chunk.size * width_ * sizeof(value_type),
                                         cudaMemcpyDeviceToHost, stream_));
    } else {
      (void)chunk;
    }
  }

 private:
  static bool staged(const T* data, bool on_device) { return data != nullptr && !on_device; }

  T* data_;
  std::uint64_t width_;
  cudaStream_t stream_;
  std::optional<device_buffer> buffer_;
};

/**
 * @brief Copies @p rows rows of @p width elements from device scratch (rows @p src_pitch elements
 *        apart) to the caller's array (rows @p dst_pitch elements apart), host or device memory.
 */
template <class T>
void copy_rows_out(T* dst, std::uint64_t dst_pitch, const T* src, std::uint64_t src_pitch,
                   std::uint64_t width, std::uint64_t rows, bool dst_on_device,
                   cudaStream_t stream) {
  if (dst == nullptr || rows == 0) return;
  const cudaMemcpyKind kind = dst_on_device ? cudaMemcpyDeviceToDevice : cudaMemcpyDeviceToHost;
  if (fits_one_pitched_copy(dst_pitch * sizeof(T), src_pitch * sizeof(T), width * sizeof(T))) {
    SCOREPATH_CUDA_TRY(cudaMemcpy2DAsync(dst, dst_pitch * sizeof(T), src, src_pitch * sizeof(T),
                                         width * sizeof(T), rows, kind, stream));
    return;
  }
  // Pitches of 2^31 bytes or more (copy_pitch.hpp): one plain copy per row.
  for (std::uint64_t r = 0; r < rows; ++r) {
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(dst + r * dst_pitch, src + r * src_pitch, width * sizeof(T),
                                       kind, stream));
  }
}

}  // namespace scorepath::detail
