/**
 * @file em_cuda.cuh
 * @brief The CUDA backend of simulate_em (include from a .cu file to get kernels for your SDE).
 *
 * One thread per path runs simulate_path (em_path.hpp), the same body the CPU backend runs on SIMD
 * packs, with the whole time loop in registers and normals drawn in the kernel. The CUDA driver
 * (detail/cuda_driver.cuh) runs the chunks and reduces each block of `statistics_block` paths
 * in summarize_block's order (detail/block_moments_kernel.cuh), so statistics equal the CPU's
 * bit for bit given equal path values.
 */
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/cuda_staging.cuh"
#include "scorepath/detail/em_cuda_launch.hpp"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/em_path.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// One thread per path of @p chunk; rows of @p scratch are chunk.size paths apart.
template <class Policy, class Sde, class T, class Reducer>
__global__ void __launch_bounds__(Policy::block_threads)
    em_paths_kernel(Sde sde, em_schedule<T> schedule, vec<T, Sde::dim> x0, Reducer reducer,
                    item_range chunk, T* scratch, std::int64_t final_row,
                    std::int64_t reducer_row) {
  grid_stride<Policy>(chunk.size, [&](std::uint64_t i) {
    std::uint32_t lo, hi;
    subsequence_lanes<T>(schedule.base_subsequence, chunk.begin + i, lo, hi);
    philox_normals<T> normals(schedule.seed, lo, hi);
    const em_sink<T> sink{scratch, chunk.size, i, final_row, reducer_row};
    simulate_path(sde, schedule, x0, normals, sink, reducer);
  });
}

/// Runs @p plan on the context's device: per chunk, the path kernel, the outputs copied out of
/// scratch, and the statistics folded into @p totals.
template <class Sde, class T, class Reducer>
void em_run_cuda(const context& ctx, const em_plan<T>& plan, const Sde& sde,
                 const vec<T, Sde::dim>& x0, const Reducer& reducer,
                 grouped_moments& totals) {
  using policy = em_paths_launch;
  constexpr int D = Sde::dim;
  const cuda_device_scope on_device(ctx.device());  // the caller's device again on return
  const cudaStream_t stream = cuda_stream_of(ctx);
  const block_decomposition run(plan.paths, plan.chunk_paths);

  device_staging inputs(stream);
  em_schedule<T> schedule = plan.schedule;
  schedule.save_steps = inputs.input(plan.save_steps.empty() ? nullptr : plan.save_steps.data(),
                                     false, plan.save_steps.size());

  const moment_rows stat_rows{plan.stat_rows(), plan.statistics ? plan.save_rows : 0u,
                              static_cast<std::uint32_t>(plan.reducer_row < 0 ? 0 : plan.reducer_row)};
  device_buffer scratch(checked_size_product(checked_size_product(plan.rows, plan.chunk_paths,
                                                                  "chunk_paths"),
                                             sizeof(T), "chunk_paths"),
                        stream);
  cuda_moments_fold fold(run, stat_rows.count, stream);

  cuda_run_chunks(
      run, stream,
      [&](const item_range& chunk) {
        T* rows = scratch.as<T>();
        launch_items<policy>(em_paths_kernel<policy, Sde, T, Reducer>, chunk.size, 0, stream, sde,
                             schedule, x0, reducer, chunk, rows, plan.final_row, plan.reducer_row);
        copy_rows_out(plan.saved_out == nullptr ? nullptr : plan.saved_out + chunk.begin,
                      plan.paths, rows, chunk.size, chunk.size, plan.save_rows,
                      plan.outputs_on_device, stream);
        if (plan.final_out != nullptr) {
          copy_rows_out(plan.final_out + chunk.begin, plan.paths, rows + plan.final_row * chunk.size,
                        chunk.size, chunk.size, D, plan.outputs_on_device, stream);
        }
        fold(rows, chunk.size, chunk, stat_rows, totals);
      },
      plan.progress);
  fold.finish();
}

}  // namespace scorepath::detail
