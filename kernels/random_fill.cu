// CUDA kernels of random_fill.hpp: one thread per subsequence, the shared Philox/Box–Muller code,
// launched by the CUDA driver's helpers; host outputs staged through the device in chunks.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/cuda_staging.cuh"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/detail/staging_chunks.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/random_fill.hpp"

namespace scorepath::detail {

namespace {
using policy = random_fill_launch;

template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    normals_kernel(std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                   std::uint64_t draws, T* out) {
  grid_stride<policy>(streams, [&](std::uint64_t s) {
    std::uint32_t lo, hi;
    subsequence_lanes<T>(base, s, lo, hi);
    philox_normals<T> normals(seed, lo, hi);
    for (std::uint64_t d = 0; d < draws; ++d) out[d * streams + s] = normals.next();
  });
}

__global__ void __launch_bounds__(policy::block_threads)
    words_kernel(std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                 std::uint64_t words, std::uint32_t* out) {
  grid_stride<policy>(streams, [&](std::uint64_t s) {
    std::uint32_t lo, hi;
    subsequence_lanes<std::uint32_t>(base, s, lo, hi);
    philox_words<std::uint32_t> draws(seed, lo, hi);
    for (std::uint64_t w = 0; w < words; ++w) out[w * streams + s] = draws.next();
  });
}

/// Runs @p kernel over @p streams streams into the caller's device memory in place, or, for host
/// memory, in chunks of streams staged through a device buffer (detail/staging_chunks.hpp): the
/// output is [draw · streams + stream], so each chunk's rows go back with one pitched copy.
template <class T>
void fill_on_device(const context& ctx, void (*kernel)(std::uint64_t, std::uint64_t,
                                                       std::uint64_t, std::uint64_t, T*),
                    std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                    std::uint64_t per_stream, T* out, bool out_on_device) {
  const cuda_device_scope on_device(ctx.device());  // the caller's device again on return
  const cudaStream_t stream = cuda_stream_of(ctx);
  if (out_on_device) {
    launch_items<policy>(kernel, streams, 0, stream, seed, base, streams, per_stream, out);
    SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
    return;
  }
  std::size_t free_bytes = 0, total_bytes = 0;
  SCOREPATH_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::uint64_t chunk =
      staged_streams_per_chunk(streams, per_stream * sizeof(T), free_bytes);
  device_buffer scratch(std::max<std::uint64_t>(1, chunk * per_stream) * sizeof(T), stream);
  for (std::uint64_t first = 0; first < streams; first += chunk) {
    const std::uint64_t count = std::min(chunk, streams - first);
    launch_items<policy>(kernel, count, 0, stream, seed, base + first, count, per_stream,
                         scratch.as<T>());
    copy_rows_out(out + first, streams, scratch.as<T>(), count, count, per_stream, false, stream);
  }
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}
}  // namespace

template <class T>
void generate_normals_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                           std::uint64_t streams, std::uint64_t draws, T* out, bool out_on_device) {
  fill_on_device(ctx, normals_kernel<T>, seed, base, streams, draws, out, out_on_device);
}
template void generate_normals_cuda<float>(const context&, std::uint64_t, std::uint64_t,
                                           std::uint64_t, std::uint64_t, float*, bool);
template void generate_normals_cuda<double>(const context&, std::uint64_t, std::uint64_t,
                                            std::uint64_t, std::uint64_t, double*, bool);

void generate_philox_words_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                                std::uint64_t streams, std::uint64_t words, std::uint32_t* out,
                                bool out_on_device) {
  fill_on_device(ctx, words_kernel, seed, base, streams, words, out, out_on_device);
}

}  // namespace scorepath::detail
