// CUDA kernels of random_fill.hpp: one thread per subsequence, the shared Philox/Box–Muller code,
// launched and staged by the CUDA driver's helpers.
#include <cuda_runtime.h>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/cuda_staging.cuh"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
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

/// Runs @p kernel over @p streams streams into the caller's device memory, or into a staging
/// buffer copied back to the caller's host memory.
template <class T>
void fill_on_device(const context& ctx, void (*kernel)(std::uint64_t, std::uint64_t,
                                                       std::uint64_t, std::uint64_t, T*),
                    std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                    std::uint64_t per_stream, T* out, bool out_on_device) {
  const cuda_device_scope on_device(ctx.device());  // the caller's device again on return
  const cudaStream_t stream = cuda_stream_of(ctx);
  device_staging staging(stream);
  T* dst = staging.output(out, out_on_device, streams * per_stream);
  launch_items<policy>(kernel, streams, 0, stream, seed, base, streams, per_stream, dst);
  staging.copy_back();
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
