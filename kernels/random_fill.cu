// CUDA kernels of random_fill.hpp: one thread per subsequence, the shared Philox/Box–Muller code.
#include <cuda_runtime.h>

#include "scorepath/cuda_check.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/random_fill.hpp"

namespace scorepath::detail {

namespace {
constexpr int fill_block_threads = 256;

template <class T>
__global__ void __launch_bounds__(fill_block_threads)
    normals_kernel(std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                   std::uint64_t draws, T* out) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * fill_block_threads;
  for (std::uint64_t s = static_cast<std::uint64_t>(blockIdx.x) * fill_block_threads + threadIdx.x;
       s < streams; s += stride) {
    const std::uint64_t id = base + s;
    philox_normals<T> normals(seed, static_cast<std::uint32_t>(id),
                              static_cast<std::uint32_t>(id >> 32));
    for (std::uint64_t d = 0; d < draws; ++d) out[d * streams + s] = normals.next();
  }
}

__global__ void __launch_bounds__(fill_block_threads)
    words_kernel(std::uint64_t seed, std::uint64_t base, std::uint64_t streams,
                 std::uint64_t words, std::uint32_t* out) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * fill_block_threads;
  const auto k0 = static_cast<std::uint32_t>(seed);
  const auto k1 = static_cast<std::uint32_t>(seed >> 32);
  for (std::uint64_t s = static_cast<std::uint64_t>(blockIdx.x) * fill_block_threads + threadIdx.x;
       s < streams; s += stride) {
    const std::uint64_t id = base + s;
    const std::uint64_t blocks = words / 4 + (words % 4 != 0 ? 1 : 0);
    for (std::uint64_t block = 0; block < blocks; ++block) {
      const philox_block<std::uint32_t> r = philox4x32_10(
          philox_block<std::uint32_t>{static_cast<std::uint32_t>(block),
                                      static_cast<std::uint32_t>(block >> 32),
                                      static_cast<std::uint32_t>(id),
                                      static_cast<std::uint32_t>(id >> 32)},
          k0, k1);
      const std::uint32_t w[4] = {r.x, r.y, r.z, r.w};
      for (int j = 0; j < 4 && block * 4 + j < words; ++j) out[(block * 4 + j) * streams + s] = w[j];
    }
  }
}

unsigned grid_for(std::uint64_t streams) {
  const std::uint64_t blocks =
      streams / fill_block_threads + (streams % fill_block_threads != 0 ? 1 : 0);
  return static_cast<unsigned>(blocks < (1u << 30) ? blocks : (1u << 30));
}

/// Runs @p launch into device memory (the caller's, or a staging buffer copied back to host).
template <class T, class Launch>
void fill_via_device(const context& ctx, std::uint64_t count, T* out, bool out_on_device,
                     Launch launch) {
  SCOREPATH_CUDA_TRY(cudaSetDevice(ctx.device()));
  auto stream = static_cast<cudaStream_t>(ctx.stream());
  if (out_on_device) {
    launch(out, stream);
    SCOREPATH_CUDA_TRY(cudaGetLastError());
    SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
    return;
  }
  device_buffer staging(count * sizeof(T), stream);
  launch(staging.as<T>(), stream);
  SCOREPATH_CUDA_TRY(cudaGetLastError());
  SCOREPATH_CUDA_TRY(
      cudaMemcpyAsync(out, staging.data(), count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}
}  // namespace

template <class T>
void generate_normals_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                           std::uint64_t streams, std::uint64_t draws, T* out, bool out_on_device) {
  fill_via_device(ctx, streams * draws, out, out_on_device, [&](T* dst, cudaStream_t stream) {
    normals_kernel<T><<<grid_for(streams), fill_block_threads, 0, stream>>>(seed, base, streams,
                                                                           draws, dst);
  });
}
template void generate_normals_cuda<float>(const context&, std::uint64_t, std::uint64_t,
                                           std::uint64_t, std::uint64_t, float*, bool);
template void generate_normals_cuda<double>(const context&, std::uint64_t, std::uint64_t,
                                            std::uint64_t, std::uint64_t, double*, bool);

void generate_philox_words_cuda(const context& ctx, std::uint64_t seed, std::uint64_t base,
                                std::uint64_t streams, std::uint64_t words, std::uint32_t* out,
                                bool out_on_device) {
  fill_via_device(ctx, streams * words, out, out_on_device,
                  [&](std::uint32_t* dst, cudaStream_t stream) {
                    words_kernel<<<grid_for(streams), fill_block_threads, 0, stream>>>(
                        seed, base, streams, words, dst);
                  });
}

}  // namespace scorepath::detail
