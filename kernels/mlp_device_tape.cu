// The device MLP tape (training/mlp_device_tape.hpp): each layer of a tile as one cuBLAS product
// over its columns (cuBLAS loaded at the first tape), the bias, activation and their reverse as
// elementwise kernels over (sample, unit), the activation rules shared with the CPU.
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "scorepath/cuda_check.hpp"
#include "scorepath/detail/cuda_device_scope.hpp"
#include "scorepath/detail/cuda_driver.cuh"
#include "scorepath/detail/grid_stride.cuh"
#include "scorepath/detail/launch_policy.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/training/activation_rules.hpp"
#include "scorepath/training/mlp_device_tape.hpp"

namespace scorepath::detail {

namespace {
using policy = mlp_elementwise_launch;

/**
 * The cuBLAS entry points the tape uses, loaded when the first tape is made: a process that never
 * trains on a device never maps cuBLAS (hundreds of MB of code, which would also count against an
 * address-space limit such as `ulimit -v`).
 */
struct cublas_api {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  decltype(&cublasDgemm_v2) dgemm = nullptr;
  decltype(&cublasGetStatusString) status_string = nullptr;
};

/// The loaded entry points. @throw unavailable_error when cuBLAS cannot be loaded
const cublas_api& cublas() {
  static const cublas_api api = [] {
    const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      throw unavailable_error("the CUDA training engine needs " + name +
                                  ", which could not be loaded: " + (why ? why : "unknown"),
                              __FILE__, __LINE__);
    }
    cublas_api loaded;
    auto bind = [&](auto& entry, const char* symbol) {
      entry = reinterpret_cast<std::remove_reference_t<decltype(entry)>>(dlsym(library, symbol));
      if (entry == nullptr) {
        throw unavailable_error(name + " has no " + symbol, __FILE__, __LINE__);
      }
    };
    bind(loaded.create, "cublasCreate_v2");
    bind(loaded.destroy, "cublasDestroy_v2");
    bind(loaded.set_stream, "cublasSetStream_v2");
    bind(loaded.set_math_mode, "cublasSetMathMode");
    bind(loaded.sgemm, "cublasSgemm_v2");
    bind(loaded.dgemm, "cublasDgemm_v2");
    bind(loaded.status_string, "cublasGetStatusString");
    return loaded;
  }();
  return api;
}

void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  const std::string what = std::string(call) + " failed: " + cublas().status_string(status);
  if (status == CUBLAS_STATUS_ALLOC_FAILED) throw out_of_memory_error(what, file, line);
  throw cuda_error(what, file, line);
}
#define SCOREPATH_CUBLAS_TRY(call) check_cublas((call), #call, __FILE__, __LINE__)

/// out[s·(1+K)·n_out + j] += b[j]: the bias on the sample columns.
template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    bias_kernel(const T* b, int n_out, std::uint64_t samples, int stride, T* out) {
  grid_stride<policy>(samples * n_out, [&](std::uint64_t e) {
    const std::uint64_t s = e / n_out;
    const auto j = static_cast<int>(e % n_out);
    out[s * stride * n_out + j] += b[j];
  });
}

/// A hidden unit of sample s: h = σ(z) on the sample column, σ'(z)·ż on its tangent columns;
/// σ' and σ'' kept at [s·n_out + j] for the reverse sweep.
template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    activation_kernel(mlp_activation act, const T* z, int n_out, std::uint64_t samples,
                      int stride, T* h, T* first, T* second) {
  grid_stride<policy>(samples * n_out, [&](std::uint64_t e) {
    const std::uint64_t s = e / n_out;
    const auto j = static_cast<int>(e % n_out);
    const std::uint64_t c0 = s * stride;
    const activation_rule<T> r = activation_rules(act, z[c0 * n_out + j]);
    h[c0 * n_out + j] = r.value;
    first[e] = r.first;
    second[e] = r.second;
    for (int k = 1; k < stride; ++k) {
      const std::uint64_t c = (c0 + k) * n_out + j;
      h[c] = r.first * z[c];
    }
  });
}

/// ∂b[j] += the sample columns' adjoints, summed in sample order (one thread per unit).
template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    bias_gradient_kernel(const T* g, int n_out, std::uint64_t samples, int stride, T* db) {
  grid_stride<policy>(static_cast<std::uint64_t>(n_out), [&](std::uint64_t j) {
    T sum = db[j];
    for (std::uint64_t s = 0; s < samples; ++s) sum += g[s * stride * n_out + j];
    db[j] = sum;
  });
}

/// Back through a hidden unit of sample s, in place: the sample column's adjoint becomes
/// ḡ·σ' + Σ_k ġ_k·σ''·ż_k, each tangent column's ġ_k·σ'.
template <class T>
__global__ void __launch_bounds__(policy::block_threads)
    activation_adjoint_kernel(const T* z, const T* first, const T* second, int n_in,
                              std::uint64_t samples, int stride, T* dh) {
  grid_stride<policy>(samples * n_in, [&](std::uint64_t e) {
    const std::uint64_t s = e / n_in;
    const auto i = static_cast<int>(e % n_in);
    const std::uint64_t c0 = s * stride;
    const T d1 = first[e], d2 = second[e];
    T prim = dh[c0 * n_in + i] * d1;
    for (int k = 1; k < stride; ++k) {
      const std::uint64_t c = (c0 + k) * n_in + i;
      prim += dh[c] * d2 * z[c];
      dh[c] *= d1;
    }
    dh[c0 * n_in + i] = prim;
  });
}

/// C = β·C + op(A)·op(B) in the row-major terms of matrix_product.hpp: cuBLAS, column-major,
/// computes Cᵀ = op(B)ᵀ·op(A)ᵀ over the same memory.
void device_product(cublasHandle_t handle, bool ta, bool tb, int m, int n, int k, const float* a,
                    int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  const float one = 1;
  SCOREPATH_CUBLAS_TRY(cublas().sgemm(handle, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                                   ta ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &one, b, ldb, a, lda,
                                   &beta, c, ldc));
}
void device_product(cublasHandle_t handle, bool ta, bool tb, int m, int n, int k,
                    const double* a, int lda, const double* b, int ldb, double beta, double* c,
                    int ldc) {
  const double one = 1;
  SCOREPATH_CUBLAS_TRY(cublas().dgemm(handle, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                                   ta ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &one, b, ldb, a, lda,
                                   &beta, c, ldc));
}

/// The values of type T in @p buffer.
template <class T>
T* at(const device_buffer& buffer) {
  return static_cast<T*>(buffer.data());
}

/// A device buffer of @p count values of T on @p stream.
template <class T>
device_buffer values(std::size_t count, cudaStream_t stream) {
  return device_buffer(std::max<std::size_t>(count, 1) * sizeof(T), stream);
}
}  // namespace

template <class T>
struct mlp_device_tape<T>::state {
  state(const context& c, const mlp_network<T>& n) : ctx(c), net(n) {}
  ~state() {
    if (handle != nullptr) cublas().destroy(handle);
  }
  context ctx;
  mlp_network<T> net;
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  int capacity = 0;  ///< most samples per tile
  int stride = 1;    ///< 1 + K
  int samples = 0;   ///< samples of the last forward pass
  device_buffer params, grad;
  std::vector<device_buffer> inputs, pre, first, second;
  device_buffer output, adjoint, adjoint_next;
};

template <class T>
mlp_device_tape<T>::mlp_device_tape(const context& ctx, const mlp_network<T>& net, int samples,
                                    int tangents)
    : state_(std::make_unique<state>(ctx, net)) {
  const cuda_device_scope on_device(ctx.device());
  // A failure below releases what was made while the tape's device is still current.
  struct release_on_failure {
    std::unique_ptr<state>& owned;
    bool done = false;
    ~release_on_failure() {
      if (!done) owned.reset();
    }
  } guard{state_};
  state& st = *state_;
  st.stream = cuda_stream_of(ctx);
  st.capacity = samples;
  st.stride = 1 + tangents;
  const int layers = net.layers();
  const std::size_t cols = static_cast<std::size_t>(samples) * st.stride;
  const std::size_t params = net.parameters().size();
  int widest = 0;
  for (int l = 0; l <= layers; ++l) widest = std::max(widest, net.width(l));
  st.params = values<T>(params, st.stream);
  st.grad = values<T>(params, st.stream);
  for (int l = 0; l < layers; ++l) {
    st.inputs.push_back(values<T>(cols * net.width(l), st.stream));
    const bool hidden = l + 1 < layers;
    const std::size_t out = hidden ? net.width(l + 1) : 0;
    st.pre.push_back(values<T>(cols * out, st.stream));
    st.first.push_back(values<T>(static_cast<std::size_t>(samples) * out, st.stream));
    st.second.push_back(values<T>(static_cast<std::size_t>(samples) * out, st.stream));
  }
  st.output = values<T>(cols * net.dim(), st.stream);
  st.adjoint = values<T>(cols * widest, st.stream);
  st.adjoint_next = values<T>(cols * widest, st.stream);
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(st.params.data(), net.parameters().data(), params * sizeof(T),
                                     cudaMemcpyHostToDevice, st.stream));
  SCOREPATH_CUDA_TRY(cudaMemsetAsync(st.grad.data(), 0, params * sizeof(T), st.stream));
  SCOREPATH_CUBLAS_TRY(cublas().create(&st.handle));
  SCOREPATH_CUBLAS_TRY(cublas().set_stream(st.handle, st.stream));
  SCOREPATH_CUBLAS_TRY(cublas().set_math_mode(st.handle, CUBLAS_DEFAULT_MATH));
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(st.stream));
  guard.done = true;
}

template <class T>
mlp_device_tape<T>::~mlp_device_tape() {
  if (!state_) return;
  try {
    const cuda_device_scope on_device(state_->ctx.device());
    SCOREPATH_CUDA_TRY_NO_THROW(cudaStreamSynchronize(state_->stream));
    state_.reset();  // the cuBLAS handle and the buffers go on their device
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorepath: releasing the device tape: %s\n", e.what());
  }
}

template <class T>
void mlp_device_tape<T>::forward(const T* inputs, int n, T* outputs) {
  state& st = *state_;
  SCOREPATH_EXPECTS(n >= 1 && n <= st.capacity, "tile samples", n,
                    "must be between 1 and " + std::to_string(st.capacity));
  const cuda_device_scope on_device(st.ctx.device());
  const mlp_network<T>& net = st.net;
  const int layers = net.layers();
  const int cols = n * st.stride;
  const auto samples = static_cast<std::uint64_t>(n);
  st.samples = n;
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(st.inputs[0].data(), inputs,
                                     static_cast<std::size_t>(cols) * net.width(0) * sizeof(T),
                                     cudaMemcpyDefault, st.stream));
  const T* params = at<T>(st.params);
  for (int l = 0; l < layers; ++l) {
    const int n_in = net.width(l), n_out = net.width(l + 1);
    const bool last = l + 1 == layers;
    T* z = last ? at<T>(st.output) : at<T>(st.pre[l]);
    device_product(st.handle, false, true, cols, n_out, n_in, at<T>(st.inputs[l]), n_in,
                   params + net.weights_offset(l), n_in, T(0), z, n_out);
    launch_items<policy>(bias_kernel<T>, samples * n_out, 0, st.stream,
                         params + net.bias_offset(l), n_out, samples, st.stride, z);
    if (last) break;
    launch_items<policy>(activation_kernel<T>, samples * n_out, 0, st.stream, net.activation(),
                         static_cast<const T*>(z), n_out, samples, st.stride,
                         at<T>(st.inputs[l + 1]), at<T>(st.first[l]), at<T>(st.second[l]));
  }
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(outputs, st.output.data(),
                                     static_cast<std::size_t>(cols) * net.dim() * sizeof(T),
                                     cudaMemcpyDefault, st.stream));
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(st.stream));
}

template <class T>
void mlp_device_tape<T>::backward(const T* adjoints) {
  state& st = *state_;
  const cuda_device_scope on_device(st.ctx.device());
  const mlp_network<T>& net = st.net;
  const int layers = net.layers();
  const int cols = st.samples * st.stride;
  const auto samples = static_cast<std::uint64_t>(st.samples);
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(st.adjoint.data(), adjoints,
                                     static_cast<std::size_t>(cols) * net.dim() * sizeof(T),
                                     cudaMemcpyHostToDevice, st.stream));
  const T* params = at<T>(st.params);
  T* gradient = at<T>(st.grad);
  T* g = at<T>(st.adjoint);
  T* dh = at<T>(st.adjoint_next);
  for (int l = layers - 1; l >= 0; --l) {
    const int n_in = net.width(l), n_out = net.width(l + 1);
    // ∂W_l += Gᵀ H over the tile's columns, ∂b_l += the sample columns' g.
    device_product(st.handle, true, false, n_out, n_in, cols, g, n_out, at<T>(st.inputs[l]),
                   n_in, T(1), gradient + net.weights_offset(l), n_in);
    launch_items<policy>(bias_gradient_kernel<T>, static_cast<std::uint64_t>(n_out), 0,
                         st.stream, static_cast<const T*>(g), n_out, samples, st.stride,
                         gradient + net.bias_offset(l));
    if (l == 0) break;
    // Back through W_l, then through the activation of layer l − 1 (width n_in).
    device_product(st.handle, false, false, cols, n_in, n_out, g, n_out,
                   params + net.weights_offset(l), n_in, T(0), dh, n_in);
    launch_items<policy>(activation_adjoint_kernel<T>, samples * n_in, 0, st.stream,
                         static_cast<const T*>(at<T>(st.pre[l - 1])),
                         static_cast<const T*>(at<T>(st.first[l - 1])),
                         static_cast<const T*>(at<T>(st.second[l - 1])), n_in, samples, st.stride,
                         dh);
    std::swap(g, dh);
  }
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(st.stream));
}

template <class T>
void mlp_device_tape<T>::gradient(T* gradient) const {
  const state& st = *state_;
  const cuda_device_scope on_device(st.ctx.device());
  SCOREPATH_CUDA_TRY(cudaMemcpyAsync(gradient, st.grad.data(),
                                     st.net.parameters().size() * sizeof(T),
                                     cudaMemcpyDeviceToHost, st.stream));
  SCOREPATH_CUDA_TRY(cudaStreamSynchronize(st.stream));
}

template class mlp_device_tape<float>;
template class mlp_device_tape<double>;

}  // namespace scorepath::detail
