/**
 * @file em_cuda.cuh
 * @brief The CUDA backend of simulate_em (include from a .cu file to get kernels for your SDE).
 *
 * One thread per path runs simulate_path (em_path.hpp), the same body the CPU backend runs on SIMD
 * packs, with the whole time loop in registers and normals drawn in the kernel. A second kernel
 * reduces each block of `statistics_block` paths with summarize_block, so statistics equal the
 * CPU's bit for bit given equal path values.
 */
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/em_cuda_launch.hpp"
#include "scorepath/em_path.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// Threads per block of the path kernel.
inline constexpr int em_block_threads = 128;

/// One thread per path of the chunk [chunk_begin, chunk_begin + chunk_n).
template <int BlockThreads, class Sde, class T, class Reducer>
__global__ void __launch_bounds__(BlockThreads)
    em_paths_kernel(Sde sde, em_schedule<T> schedule, vec<T, Sde::dim> x0, Reducer reducer,
                    std::uint64_t chunk_begin, std::uint64_t chunk_n, T* scratch,
                    std::int64_t final_row, std::int64_t reducer_row) {
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * BlockThreads;
  for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * BlockThreads + threadIdx.x;
       i < chunk_n; i += stride) {
    const std::uint64_t id = schedule.base_subsequence + chunk_begin + i;
    philox_normals<T> normals(schedule.seed, static_cast<std::uint32_t>(id),
                              static_cast<std::uint32_t>(id >> 32));
    const em_sink<T> sink{scratch, chunk_n, i, final_row, reducer_row};
    simulate_path(sde, schedule, x0, normals, sink, reducer);
  }
}

/// One thread per (reduction block, statistic row): summarize_block over that block's paths or
/// samples (the path engine and sliced score matching share it).
template <class T>
__global__ void block_moments_kernel(const T* scratch, std::uint64_t row_stride,
                                     std::uint64_t chunk_n, std::uint32_t stat_rows,
                                     std::uint32_t save_rows_in_stats, std::uint32_t last_row,
                                     moment_accumulator* out, std::uint64_t blocks) {
  const std::uint64_t idx = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= blocks * stat_rows) return;
  const std::uint64_t b = idx / stat_rows;
  const std::uint32_t i = static_cast<std::uint32_t>(idx % stat_rows);
  const std::uint32_t row = i < save_rows_in_stats ? i : last_row;
  const std::uint64_t first = b * statistics_block;
  const std::uint64_t n = chunk_n - first < statistics_block ? chunk_n - first : statistics_block;
  out[idx] = summarize_block(scratch + row * row_stride + first, n);
}

template <class Sde, class T, class Reducer>
void em_run_cuda(const context& ctx, const em_plan<T>& plan, const Sde& sde,
                 const vec<T, Sde::dim>& x0, const Reducer& reducer,
                 grouped_moments& totals) {
  constexpr int D = Sde::dim;
  SCOREPATH_CUDA_TRY(cudaSetDevice(ctx.device()));
  cudaStream_t stream = static_cast<cudaStream_t>(ctx.stream());

  device_buffer save_steps(std::max<std::size_t>(1, plan.save_steps.size()) * sizeof(std::uint64_t),
                           stream);
  if (!plan.save_steps.empty()) {
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(save_steps.data(), plan.save_steps.data(),
                                       plan.save_steps.size() * sizeof(std::uint64_t),
                                       cudaMemcpyHostToDevice, stream));
  }
  em_schedule<T> schedule = plan.schedule;
  schedule.save_steps = save_steps.as<std::uint64_t>();

  const std::uint32_t stat_rows = plan.stat_rows();
  const std::uint64_t max_blocks = (plan.chunk_paths + statistics_block - 1) / statistics_block;
  device_buffer scratch(checked_size_product(checked_size_product(plan.rows, plan.chunk_paths,
                                                                  "chunk_paths"),
                                             sizeof(T), "chunk_paths"),
                       stream);
  device_buffer block_acc(std::max<std::size_t>(1, max_blocks * stat_rows) *
                              sizeof(moment_accumulator),
                          stream);
  std::vector<moment_accumulator> host_acc;
  const cudaMemcpyKind out_kind =
      plan.outputs_on_device ? cudaMemcpyDeviceToDevice : cudaMemcpyDeviceToHost;

  for (std::uint64_t chunk_begin = 0; chunk_begin < plan.paths;) {
    const std::uint64_t chunk_n = std::min(plan.chunk_paths, plan.paths - chunk_begin);
    const std::uint64_t grid = (chunk_n + em_block_threads - 1) / em_block_threads;
    em_paths_kernel<em_block_threads><<<static_cast<unsigned>(std::min<std::uint64_t>(grid, 1u << 30)),
                                        em_block_threads, 0, stream>>>(
        sde, schedule, x0, reducer, chunk_begin, chunk_n, scratch.as<T>(), plan.final_row,
        plan.reducer_row);
    SCOREPATH_CUDA_TRY(cudaGetLastError());

    const std::size_t src_pitch = chunk_n * sizeof(T);
    const std::size_t dst_pitch = plan.paths * sizeof(T);
    if (plan.saved_out != nullptr && plan.save_rows > 0) {
      SCOREPATH_CUDA_TRY(cudaMemcpy2DAsync(plan.saved_out + chunk_begin, dst_pitch, scratch.as<T>(),
                                           src_pitch, src_pitch, plan.save_rows, out_kind, stream));
    }
    if (plan.final_out != nullptr) {
      SCOREPATH_CUDA_TRY(cudaMemcpy2DAsync(plan.final_out + chunk_begin, dst_pitch,
                                           scratch.as<T>() + plan.final_row * chunk_n, src_pitch,
                                           src_pitch, D, out_kind, stream));
    }
    if (stat_rows > 0) {
      const std::uint64_t blocks = (chunk_n + statistics_block - 1) / statistics_block;
      const std::uint64_t threads = blocks * stat_rows;
      block_moments_kernel<T><<<static_cast<unsigned>((threads + 127) / 128), 128, 0, stream>>>(
          scratch.as<T>(), chunk_n, chunk_n, stat_rows, plan.statistics ? plan.save_rows : 0u,
          static_cast<std::uint32_t>(plan.reducer_row < 0 ? 0 : plan.reducer_row),
          block_acc.as<moment_accumulator>(), blocks);
      SCOREPATH_CUDA_TRY(cudaGetLastError());
      host_acc.resize(threads);
      SCOREPATH_CUDA_TRY(cudaMemcpyAsync(host_acc.data(), block_acc.data(),
                                         threads * sizeof(moment_accumulator),
                                         cudaMemcpyDeviceToHost, stream));
      SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
      totals.fold_blocks(host_acc.data(), chunk_begin / statistics_block, blocks);
    }
    chunk_begin += chunk_n;  // never past plan.paths, so never wraps
    if (plan.progress) {
      SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
      plan.progress(chunk_begin, plan.paths);
    }
  }
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}

}  // namespace scorepath::detail
