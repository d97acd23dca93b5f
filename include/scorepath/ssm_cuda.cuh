/**
 * @file ssm_cuda.cuh
 * @brief The CUDA backend of sliced_score_matching: one thread per sample runs ssm_one_sample
 *        (ssm_sample.hpp), the CPU's body, in the chunks of the CUDA driver
 *        (detail/cuda_driver.cuh); per-sample terms are reduced by the same block kernel as the
 *        path engine's statistics (detail/block_moments_kernel.cuh).
 *
 * The library compiles kernels for its built-in models (detail/builtin_ssm_types.hpp). A model of
 * your own gets one from a .cu file of yours that includes this header, explicitly instantiates
 * detail::ssm_run_cuda for the model, and specialises detail::ssm_cuda_compiled<Model> to true
 * where sliced_score_matching is called (kernels/ssm_builtin.cu and detail/builtin_ssm.hpp do
 * exactly that). A trivially copyable model is passed to the kernel as it is; one that owns host
 * memory specialises detail::ssm_cuda_model to give its device form (scores/mlp_cuda.cuh does so
 * for mlp_score).
 */
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/cuda_staging.cuh"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/detail/staging_chunks.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/dim_loop.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/ssm_sample.hpp"

namespace scorepath::detail {

/// Per-probe outputs of one sample: @p sample indexes the chunk's views of the spans.
template <class T, int D>
struct ssm_cuda_sink {
  const ssm_plan<T>* plan;
  std::uint64_t sample;
  SCOREPATH_HDI void on_probe(std::uint32_t j, const T& proj, const T& div,
                              const vec<T, D>& v) const {
    const std::uint64_t m = plan->probes;
    if (plan->projections) plan->projections[sample * m + j] = proj;
    if (plan->divergences) plan->divergences[sample * m + j] = div;
    if (plan->probe_values) {
      for_dims<D>([&](int i) { plan->probe_values[(sample * m + j) * D + i] = v[i]; });
    }
  }
};

/**
 * @brief How ssm_run_cuda hands a host model to its kernel. This default passes the model itself
 *        by value and stages nothing; it fits any trivially copyable model.
 *
 * A specialisation for a model that owns host memory provides the same members:
 * - `device_model`: a trivially copyable form with the model's `dim`, `scalar_type` and a
 *   `__host__ __device__` operator(), which the kernel runs through ssm_one_sample;
 * - `max_tangents`: the most tangents per dual evaluation a thread carries without spilling;
 * - `min_blocks_per_sm`: the kernel's second launch bound (0 for none). Without one, ptxas may
 *   trade registers for spills to raise occupancy; 1 lets a thread have all 255 registers;
 * - `stages`: whether kernels call `stage` (when false, `stage` is never compiled in);
 * - `binding bind(const Model&, cudaStream_t)`: called once per sliced_score_matching call; the
 *   binding owns whatever device memory the device form points to while the kernels run, and
 *   has members `model` (the device_model) and `stage_bytes` (bytes the kernel would like to
 *   stage in shared memory per block, 0 for none);
 * - `__device__ static void stage(device_model&, unsigned char* shared)`: called by every
 *   thread of a block before its first sample when ssm_run_cuda granted stage_bytes of dynamic
 *   shared memory (it does when they fit the device's opt-in per-block limit); it fills
 *   `shared`, synchronises the block, and points the model at it.
 */
template <class Model>
struct ssm_cuda_model {
  static_assert(std::is_trivially_copyable_v<Model>,
                "a model that owns memory needs an ssm_cuda_model specialisation for CUDA");
  using device_model = Model;
  static constexpr int max_tangents = cuda_max_tangents<Model::dim, typename Model::scalar_type>;
  static constexpr int min_blocks_per_sm = 0;
  static constexpr bool stages = false;
  /// The model by value; nothing to stage.
  struct binding {
    device_model model;
    std::size_t stage_bytes = 0;
  };
  static binding bind(const Model& model, cudaStream_t) { return {model, 0}; }
  __device__ static void stage(device_model&, unsigned char*) {}
};

/// One thread per sample of @p chunk; rows of @p scratch are chunk.size samples apart. The spans
/// of @p plan are the chunk's views (chunk_span): sample chunk.begin + i is their item i.
template <class Policy, probe_law Law, int K, class Form, class T>
__global__ void __launch_bounds__(Policy::block_threads, Form::min_blocks_per_sm)
    ssm_samples_kernel(typename Form::device_model model, ssm_plan<T> plan, item_range chunk,
                       T* scratch, bool staged) {
  using Model = typename Form::device_model;
  constexpr int D = Model::dim;
  if constexpr (Form::stages) {
    extern __shared__ __align__(16) unsigned char ssm_staged[];
    if (staged) Form::stage(model, ssm_staged);
  } else {
    (void)staged;
  }
  grid_stride<Policy>(chunk.size, [&](std::uint64_t i) {
    vec<T, D> x;
    for_dims<D>([&](int c) { x[c] = plan.samples[i * D + c]; });
    std::uint32_t lo, hi;
    subsequence_lanes<T>(plan.base_subsequence, chunk.begin + i, lo, hi);
    probe_generator<Law, T, D> gen(plan.probes, plan.seed, lo, hi);
    const ssm_cuda_sink<T, D> sink{&plan, i};
    const ssm_sample_terms<T> terms = ssm_one_sample<K>(model, x, plan.probes, gen, sink);
    const T scale = static_cast<T>(plan.scale);
    scratch[i] = terms.ssm;
    scratch[chunk.size + i] = terms.ssm_vr;
    if (plan.per_sample[0]) plan.per_sample[0][i] = terms.ssm * scale;
    if (plan.per_sample[1]) plan.per_sample[1][i] = terms.ssm_vr * scale;
    if (plan.ism) {
      const T ism = ism_one_sample<ism_tangents<D> < K ? ism_tangents<D> : K>(model, x);
      scratch[2 * chunk.size + i] = ism;
      if (plan.per_sample[2]) plan.per_sample[2][i] = ism * scale;
    }
  });
}

/**
 * @brief Runs @p plan on the device. Host inputs and outputs are staged through device memory
 *        one chunk at a time (chunk_span), the chunk shrunk to whole blocks that fit half the
 *        free device memory; device ones are used in place. The model reaches the kernels in its
 *        device form (ssm_cuda_model), bound once per call.
 */
template <class Model, class T>
void ssm_run_cuda(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                  grouped_moments& totals) {
  using policy = ssm_samples_launch;
  constexpr int D = Model::dim;
  using form = ssm_cuda_model<Model>;
  const cuda_device_scope on_device(ctx.device());  // the caller's device again on return
  const cudaStream_t stream = cuda_stream_of(ctx);
  const std::uint32_t rows = plan.rows();

  // The model's device form, and the shared memory it stages per block when that fits.
  const typename form::binding bound = form::bind(model, stream);
  std::size_t shared_bytes = 0;
  if (bound.stage_bytes > 0) {
    int optin = 0;
    SCOREPATH_CUDA_TRY(
        cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, ctx.device()));
    if (bound.stage_bytes <= static_cast<std::size_t>(optin)) shared_bytes = bound.stage_bytes;
  }

  // Elements per sample of each span: samples, projections, divergences, probe values, and the
  // three per-sample terms (the order of plan.on_device).
  const std::uint64_t m = plan.probes;
  const std::uint64_t widths[7] = {D, m, m, m * D, 1, 1, 1};
  std::uint64_t bytes_per_sample = std::uint64_t{rows} * sizeof(T);  // the statistics scratch
  bytes_per_sample += chunk_span<const T>::bytes_per_item(plan.samples, plan.on_device[0], D);
  T* const outputs[6] = {plan.projections,  plan.divergences,  plan.probe_values,
                         plan.per_sample[0], plan.per_sample[1], plan.per_sample[2]};
  for (int k = 0; k < 6; ++k) {
    bytes_per_sample +=
        chunk_span<T>::bytes_per_item(outputs[k], plan.on_device[1 + k], widths[1 + k]);
  }
  std::size_t free_bytes = 0, total_bytes = 0;
  SCOREPATH_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::uint64_t chunk = staged_chunk_items(plan.chunk, bytes_per_sample, free_bytes);
  const block_decomposition run(plan.count, chunk);

  chunk_span<const T> samples(plan.samples, plan.on_device[0], D, chunk, stream);
  std::vector<chunk_span<T>> spans;
  spans.reserve(6);
  for (int k = 0; k < 6; ++k) {
    spans.emplace_back(outputs[k], plan.on_device[1 + k], widths[1 + k], chunk, stream);
  }
  device_buffer scratch(
      checked_size_product(checked_size_product(rows, chunk, "chunk_samples"), sizeof(T),
                           "chunk_samples"),
      stream);
  cuda_moments_fold fold(run, rows, stream);
  const moment_rows stat_rows{rows, rows, 0};

  dispatch_law_and_tangents<form::max_tangents>(plan.law, plan.probes, [&](auto law_tag,
                                                                            auto k_tag) {
    constexpr probe_law Law = decltype(law_tag)::value;
    constexpr int K = decltype(k_tag)::value;
    const auto kernel = ssm_samples_kernel<policy, Law, K, form, T>;
    if (shared_bytes > 0) {
      SCOREPATH_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(shared_bytes)));
    }
    cuda_run_chunks(run, stream, [&](const item_range& chunk_items) {
      ssm_plan<T> view = plan;
      view.samples = samples.view(chunk_items);
      view.projections = spans[0].view(chunk_items);
      view.divergences = spans[1].view(chunk_items);
      view.probe_values = spans[2].view(chunk_items);
      for (int r = 0; r < 3; ++r) view.per_sample[r] = spans[3 + r].view(chunk_items);
      launch_items<policy>(kernel, chunk_items.size, shared_bytes, stream, bound.model, view,
                           chunk_items, scratch.as<T>(), shared_bytes > 0);
      for (chunk_span<T>& span : spans) span.copy_out(chunk_items);
      fold(scratch.as<T>(), chunk_items.size, chunk_items, stat_rows, totals);
    });
  });
  fold.finish();
}

}  // namespace scorepath::detail
