// CUDA side of the samplers: the CUDA driver of sample_paths (sampling/sampler_cuda.hpp) and the
// scores it evaluates on the device (sampling/device_scores.hpp). The arithmetic is the shared
// host/device code: draw_initial_state and apply_sampler_update (sampling/sampler_updates.hpp),
// diagonal_mixture_score (sampling/diagonal_mixture.hpp); a network's layers run through the
// device tape.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/cuda_device_scope.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/sampling/device_scores.hpp"
#include "scorepath/sampling/sampler_cuda.hpp"
#include "scorepath/sampling/sampler_updates.hpp"
#include "scorepath/training/mlp_device_tape.hpp"

namespace scorepath::detail {

namespace {
using policy = sampler_paths_launch;

template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    initial_states_kernel(std::uint64_t seed, std::uint64_t base, std::uint64_t first,
                          std::uint64_t n, int d, T scale, philox_normals<T>* noise, T* x) {
  grid_stride<policy>(n, [&](std::uint64_t p) {
    std::uint32_t lo, hi;
    subsequence_lanes<T>(base, first + p, lo, hi);
    philox_normals<T>* z = new (noise + p) philox_normals<T>(seed, lo, hi);
    draw_initial_state(d, scale, *z, x + p * d);
  });
}

template <class T, sampler_update_op Op>
__global__ void __launch_bounds__(policy::block_threads)
    update_kernel(sampler_update u, std::uint64_t n, int d, T* x, const T* score, T* slope,
                  T* trial, philox_normals<T>* noise) {
  grid_stride<policy>(n, [&](std::uint64_t p) {
    const std::uint64_t at = p * d;
    philox_normals<T> z = noise[p];  // in registers for the update, stored back after it
    apply_sampler_update_as<Op>(u, d, x + at, score + at, slope + at, trial + at, z);
    noise[p] = z;
  });
}

/// The update kernel of @p op.
template <class T>
auto update_kernel_for(sampler_update_op op) {
  using o = sampler_update_op;
  switch (op) {
    case o::langevin: return update_kernel<T, o::langevin>;
    case o::shift: return update_kernel<T, o::shift>;
    case o::predictor: return update_kernel<T, o::predictor>;
    case o::heun_trial: return update_kernel<T, o::heun_trial>;
    case o::heun_correct: return update_kernel<T, o::heun_correct>;
    case o::corrector: return update_kernel<T, o::corrector>;
    case o::tweedie: break;
  }
  return update_kernel<T, o::tweedie>;
}

template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    count_non_finite_kernel(std::uint64_t n, int d, const T* x, unsigned long long* count) {
  grid_stride<policy>(n, [&](std::uint64_t p) {
    if (!all_finite(d, x + p * d)) atomicAdd(count, 1ull);
  });
}

template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    mixture_scores_kernel(diagonal_mixture_factors_view f, std::uint64_t n, const T* x,
                          T* score, double* work) {
  grid_stride<policy>(n, [&](std::uint64_t p) {
    const std::uint64_t at = p * f.dim;
    diagonal_mixture_score(f, x + at, score + at, work + p * f.components);
  });
}

/// The network's input columns: point p's D coordinates, then the noise feature.
template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    network_inputs_kernel(std::uint64_t n, int d, int width, T feature, const T* x, T* in) {
  grid_stride<policy>(n * width, [&](std::uint64_t e) {
    const std::uint64_t p = e / width;
    const int i = static_cast<int>(e % width);
    in[e] = i < d ? x[p * d + i] : feature;
  });
}

template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    scale_kernel(std::uint64_t n, T scale, const T* in, T* out) {
  grid_stride<policy>(n, [&](std::uint64_t e) { out[e] = in[e] * scale; });
}
}  // namespace

// --- the exact mixture --------------------------------------------------------------------------

template <class T>
struct mixture_device_scores<T>::state {
  explicit state(const context& on) : ctx(on) {}
  context ctx;
  std::shared_ptr<const diagonal_mixture> mix;
  diagonal_mixture_factors factors;  // host, refilled at each call
  std::vector<double> packed;        // centre, inverse, offset, one host block
  device_buffer device_factors, work;
  std::uint64_t tile = 0;
};

template <class T>
mixture_device_scores<T>::mixture_device_scores(const context& ctx,
                                                std::shared_ptr<const diagonal_mixture> mix)
    : state_(std::make_shared<state>(ctx)) {
  state& st = *state_;
  st.mix = std::move(mix);
  const cuda_device_scope on_device(ctx.device());
  const cudaStream_t stream = cuda_stream_of(ctx);
  const std::size_t kd = st.mix->means.size();
  const std::size_t k = st.mix->weights.size();
  st.packed.resize(2 * kd + k);
  st.device_factors = device_buffer(st.packed.size() * sizeof(double), stream);
  st.tile = score_tile_points(k * sizeof(double));
  st.work = device_buffer(st.tile * k * sizeof(double), stream);
}

template <class T>
void mixture_device_scores<T>::operator()(const T* points, std::uint64_t n, double alpha,
                                          double sigma, T* scores) const {
  state& st = *state_;
  const cuda_device_scope on_device(st.ctx.device());
  const cudaStream_t stream = cuda_stream_of(st.ctx);
  factor_diagonal_mixture(*st.mix, alpha, sigma, st.factors);
  const std::size_t kd = st.factors.centre.size();
  std::copy(st.factors.centre.begin(), st.factors.centre.end(), st.packed.begin());
  std::copy(st.factors.inverse.begin(), st.factors.inverse.end(), st.packed.begin() + kd);
  std::copy(st.factors.offset.begin(), st.factors.offset.end(), st.packed.begin() + 2 * kd);
  // A copy from pageable memory returns once the host block is staged, so the next call may
  // refill it; the kernels of this call read the device copy in stream order.
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(st.device_factors.data(), st.packed.data(),
                                     st.packed.size() * sizeof(double), cudaMemcpyHostToDevice,
                                     stream));
  const double* base = st.device_factors.template as<double>();
  const diagonal_mixture_factors_view view{st.factors.dim, st.factors.components, base,
                                           base + kd, base + 2 * kd};
  const int d = st.factors.dim;
  for (std::uint64_t first = 0; first < n; first += st.tile) {
    const std::uint64_t count = std::min(st.tile, n - first);
    launch_items<policy>(mixture_scores_kernel<T>, count, 0, stream, view, count,
                         points + first * d, scores + first * d, st.work.template as<double>());
  }
}

// --- a trained network --------------------------------------------------------------------------

template <class T>
struct network_device_scores<T>::state {
  explicit state(const context& on) : ctx(on) {}
  context ctx;
  std::shared_ptr<const mlp_network<T>> net;
  std::unique_ptr<mlp_device_tape<T>> tape;
  device_buffer inputs, outputs;
  int tile = 0;
};

template <class T>
network_device_scores<T>::network_device_scores(const context& ctx,
                                                std::shared_ptr<const mlp_network<T>> net)
    : state_(std::make_shared<state>(ctx)) {
  state& st = *state_;
  st.net = std::move(net);
  const cuda_device_scope on_device(ctx.device());
  const cudaStream_t stream = cuda_stream_of(ctx);
  std::size_t per_point = static_cast<std::size_t>(st.net->width(0)) + st.net->dim();
  for (int l = 0; l <= st.net->layers(); ++l) per_point += 4 * st.net->width(l);
  st.tile = static_cast<int>(std::min<std::uint64_t>(score_tile_points(per_point * sizeof(T)),
                                                     std::uint64_t{1} << 16));
  st.tape = std::make_unique<mlp_device_tape<T>>(ctx, *st.net, st.tile, 0);
  st.inputs = device_buffer(static_cast<std::size_t>(st.tile) * st.net->width(0) * sizeof(T),
                            stream);
  st.outputs = device_buffer(static_cast<std::size_t>(st.tile) * st.net->dim() * sizeof(T),
                             stream);
}

template <class T>
void network_device_scores<T>::operator()(const T* points, std::uint64_t n, double,
                                          double sigma, T* scores) const {
  state& st = *state_;
  const cuda_device_scope on_device(st.ctx.device());
  const cudaStream_t stream = cuda_stream_of(st.ctx);
  const mlp_network<T>& net = *st.net;
  const int d = net.dim(), width = net.width(0);
  const bool conditioned = net.conditioning().conditioned();
  const T feature = conditioned ? static_cast<T>(noise_feature(sigma)) : T(0);
  const T scale = conditioned ? static_cast<T>(1.0 / sigma) : T(1);
  for (std::uint64_t first = 0; first < n; first += static_cast<std::uint64_t>(st.tile)) {
    const int count = static_cast<int>(std::min<std::uint64_t>(st.tile, n - first));
    const auto items = static_cast<std::uint64_t>(count);
    launch_items<policy>(network_inputs_kernel<T>, items * width, 0, stream, items, d, width,
                         feature, points + first * d, st.inputs.template as<T>());
    st.tape->forward(st.inputs.template as<T>(), count, st.outputs.template as<T>());
    launch_items<policy>(scale_kernel<T>, items * d, 0, stream, items * d, scale,
                         static_cast<const T*>(st.outputs.template as<T>()), scores + first * d);
  }
}

// --- the driver ---------------------------------------------------------------------------------

template <class T>
std::uint64_t sample_paths_cuda(const context& ctx, const batch_score<T>& score,
                                const sampler_options& opt, std::uint64_t seed,
                                std::uint64_t base, std::uint64_t paths, T* out,
                                bool out_on_device) {
  const cuda_device_scope on_device(ctx.device());
  const cudaStream_t stream = cuda_stream_of(ctx);
  const int d = score.dim;
  const std::size_t per_path = 4 * static_cast<std::size_t>(d) * sizeof(T) +
                               sizeof(philox_normals<T>);
  const std::uint64_t chunk = std::min<std::uint64_t>(
      paths, std::max<std::size_t>(1, cuda_sampler_chunk_bytes / per_path));
  const std::size_t values = static_cast<std::size_t>(chunk) * d;
  device_buffer x(values * sizeof(T), stream), s(values * sizeof(T), stream);
  device_buffer slope(values * sizeof(T), stream), trial(values * sizeof(T), stream);
  device_buffer noise(chunk * sizeof(philox_normals<T>), stream);
  device_buffer bad(sizeof(unsigned long long), stream);
  SCOREPATH_CUDA_TRY(cudaMemsetAsync(bad.data(), 0, sizeof(unsigned long long), stream));
  const typename batch_score<T>::device_evaluator evaluate = score.make_device_evaluator(ctx);
  const T scale = static_cast<T>(sampler_initial_scale(opt));
  auto* normals = noise.as<philox_normals<T>>();
  for (std::uint64_t first = 0; first < paths; first += chunk) {
    const std::uint64_t n = std::min(chunk, paths - first);
    launch_items<policy>(initial_states_kernel<T>, n, 0, stream, seed, base, first, n, d, scale,
                         normals, x.as<T>());
    for_each_sampler_update(opt, [&](const sampler_update& u) {
      evaluate(u.at_trial ? trial.as<T>() : x.as<T>(), n, u.alpha, u.sigma, s.as<T>());
      launch_items<policy>(update_kernel_for<T>(u.op), n, 0, stream, u, n, d, x.as<T>(),
                           static_cast<const T*>(s.as<T>()), slope.as<T>(), trial.as<T>(),
                           normals);
    });
    launch_items<policy>(count_non_finite_kernel<T>, n, 0, stream, n, d,
                         static_cast<const T*>(x.as<T>()), bad.as<unsigned long long>());
    SCOREPATH_CUDA_TRY(cudaMemcpyAsync(out + first * d, x.data(), n * d * sizeof(T),
                                       out_on_device ? cudaMemcpyDeviceToDevice
                                                     : cudaMemcpyDeviceToHost,
                                       stream));
    // The next chunk overwrites the states: a host output must have them first.
    SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
  }
  unsigned long long non_finite = 0;
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(&non_finite, bad.data(), sizeof(non_finite),
                                     cudaMemcpyDeviceToHost, stream));
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(stream));
  return non_finite;
}

template class mixture_device_scores<float>;
template class mixture_device_scores<double>;
template class network_device_scores<float>;
template class network_device_scores<double>;
template std::uint64_t sample_paths_cuda<float>(const context&, const batch_score<float>&,
                                                const sampler_options&, std::uint64_t,
                                                std::uint64_t, std::uint64_t, float*, bool);
template std::uint64_t sample_paths_cuda<double>(const context&, const batch_score<double>&,
                                                 const sampler_options&, std::uint64_t,
                                                 std::uint64_t, std::uint64_t, double*, bool);

}  // namespace scorepath::detail
