/**
 * @file ssm_cuda.cuh
 * @brief The CUDA backend of sliced_score_matching: one thread per sample runs ssm_one_sample
 *        (ssm_sample.hpp), the CPU's body; per-sample terms are reduced by the same block
 *        kernel as the path engine's statistics.
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
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/em_cuda.cuh"
#include "scorepath/memory.hpp"
#include "scorepath/ssm_sample.hpp"

namespace scorepath::detail {

inline constexpr int ssm_block_threads = 128;

/// Per-probe outputs of one sample.
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
      for (int i = 0; i < D; ++i) plan->probe_values[(sample * m + j) * D + i] = v[i];
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

template <int BlockThreads, probe_law Law, int K, class Form, class T>
__global__ void __launch_bounds__(BlockThreads, Form::min_blocks_per_sm)
    ssm_samples_kernel(typename Form::device_model model, ssm_plan<T> plan,
                       std::uint64_t chunk_begin, std::uint64_t chunk_n, T* scratch,
                       bool staged) {
  using Model = typename Form::device_model;
  constexpr int D = Model::dim;
  if constexpr (Form::stages) {
    extern __shared__ __align__(16) unsigned char ssm_staged[];
    if (staged) Form::stage(model, ssm_staged);
  } else {
    (void)staged;
  }
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * BlockThreads;
  for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * BlockThreads + threadIdx.x;
       i < chunk_n; i += stride) {
    const std::uint64_t s = chunk_begin + i;
    vec<T, D> x;
    for (int c = 0; c < D; ++c) x[c] = plan.samples[s * D + c];
    const std::uint64_t id = plan.base_subsequence + s;
    probe_generator<Law, T, D> gen(plan.probes, plan.seed, static_cast<std::uint32_t>(id),
                                   static_cast<std::uint32_t>(id >> 32));
    const ssm_cuda_sink<T, D> sink{&plan, s};
    const ssm_sample_terms<T> terms = ssm_one_sample<K>(model, x, plan.probes, gen, sink);
    const T scale = static_cast<T>(plan.scale);
    scratch[i] = terms.ssm;
    scratch[chunk_n + i] = terms.ssm_vr;
    if (plan.per_sample[0]) plan.per_sample[0][s] = terms.ssm * scale;
    if (plan.per_sample[1]) plan.per_sample[1][s] = terms.ssm_vr * scale;
    if (plan.ism) {
      const T ism = ism_one_sample<ism_tangents<D> < K ? ism_tangents<D> : K>(model, x);
      scratch[2 * chunk_n + i] = ism;
      if (plan.per_sample[2]) plan.per_sample[2][s] = ism * scale;
    }
  }
}

/**
 * @brief Runs @p plan on the device. Host outputs are staged through device memory; device
 *        outputs and samples are used in place. The model reaches the kernels in its device form
 *        (ssm_cuda_model), bound once per call.
 */
template <class Model, class T>
void ssm_run_cuda(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                  grouped_moments& totals) {
  constexpr int D = Model::dim;
  using form = ssm_cuda_model<Model>;
  SCOREPATH_CUDA_TRY(cudaSetDevice(ctx.device()));
  cudaStream_t stream = static_cast<cudaStream_t>(ctx.stream());
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

  // Stage host inputs and outputs (as their spans declared them) through device memory.
  ssm_plan<T> dev = plan;
  std::vector<device_buffer> staging;
  auto stage = [&](T*& ptr, bool on_device, std::uint64_t count, bool copy_in) {
    if (ptr == nullptr || on_device) return;
    staging.emplace_back(count * sizeof(T), stream);
    if (copy_in) {
      SCOREPATH_CUDA_TRY(cudaMemcpyAsync(staging.back().data(), ptr, count * sizeof(T),
                                         cudaMemcpyHostToDevice, stream));
    }
    ptr = staging.back().as<T>();
  };
  T* samples = const_cast<T*>(plan.samples);
  stage(samples, plan.on_device[0], plan.count * D, true);
  dev.samples = samples;
  const std::uint64_t nm = plan.count * plan.probes;
  stage(dev.projections, plan.on_device[1], nm, false);
  stage(dev.divergences, plan.on_device[2], nm, false);
  stage(dev.probe_values, plan.on_device[3], nm * D, false);
  for (int r = 0; r < 3; ++r) stage(dev.per_sample[r], plan.on_device[4 + r], plan.count, false);

  const std::uint64_t max_blocks = (plan.chunk + statistics_block - 1) / statistics_block;
  device_buffer scratch(
      checked_size_product(checked_size_product(rows, plan.chunk, "chunk_samples"), sizeof(T),
                           "chunk_samples"),
      stream);
  device_buffer block_acc(max_blocks * rows * sizeof(moment_accumulator), stream);
  std::vector<moment_accumulator> host_acc;

  dispatch_law_and_tangents<form::max_tangents>(plan.law, plan.probes, [&](auto law_tag,
                                                                            auto k_tag) {
    constexpr probe_law Law = decltype(law_tag)::value;
    constexpr int K = decltype(k_tag)::value;
    const auto kernel = ssm_samples_kernel<ssm_block_threads, Law, K, form, T>;
    if (shared_bytes > 0) {
      SCOREPATH_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(shared_bytes)));
    }
    for (std::uint64_t begin = 0; begin < plan.count; begin += plan.chunk) {
      const std::uint64_t n = std::min(plan.chunk, plan.count - begin);
      const std::uint64_t grid = (n + ssm_block_threads - 1) / ssm_block_threads;
      kernel<<<static_cast<unsigned>(std::min<std::uint64_t>(grid, 1u << 30)), ssm_block_threads,
               shared_bytes, stream>>>(bound.model, dev, begin, n, scratch.as<T>(),
                                       shared_bytes > 0);
      SCOREPATH_CUDA_TRY(cudaGetLastError());
      const std::uint64_t blocks = (n + statistics_block - 1) / statistics_block;
      const std::uint64_t threads = blocks * rows;
      block_moments_kernel<T><<<static_cast<unsigned>((threads + 127) / 128), 128, 0, stream>>>(
          scratch.as<T>(), n, n, rows, rows, 0, block_acc.as<moment_accumulator>(), blocks);
      SCOREPATH_CUDA_TRY(cudaGetLastError());
      host_acc.resize(threads);
      SCOREPATH_CUDA_TRY(cudaMemcpyAsync(host_acc.data(), block_acc.data(),
                                         threads * sizeof(moment_accumulator),
                                         cudaMemcpyDeviceToHost, stream));
      SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
      totals.fold_blocks(host_acc.data(), begin / statistics_block, blocks);
      if (n < plan.chunk) break;  // the last chunk: stepping on could wrap near 2^64
    }
  });

  // Copy staged outputs back to the caller's host memory.
  auto unstage = [&](T* host, T* device, std::uint64_t count) {
    if (host == nullptr || host == device) return;
    SCOREPATH_CUDA_TRY(
        cudaMemcpyAsync(host, device, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  };
  unstage(plan.projections, dev.projections, nm);
  unstage(plan.divergences, dev.divergences, nm);
  unstage(plan.probe_values, dev.probe_values, nm * D);
  for (int r = 0; r < 3; ++r) unstage(plan.per_sample[r], dev.per_sample[r], plan.count);
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
}

}  // namespace scorepath::detail
