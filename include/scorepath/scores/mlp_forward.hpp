/**
 * @file scores/mlp_forward.hpp
 * @brief The forward pass of a multilayer perceptron, written once for the host and the device:
 *        affine layers and the hidden activation on any lane type (a scalar, a SIMD pack of
 *        samples, or their dual numbers), with the layer activations in caller-given scratch.
 *
 * Both forms of the MLP score model evaluate through mlp_forward: mlp_score (scores/mlp.hpp) with
 * a thread-local buffer on the CPU, and mlp_view (scores/mlp_view.hpp) with a per-thread local
 * array on a GPU. The layout of widths and parameters is described in scores/mlp.hpp.
 */
#pragma once

#include <cstddef>
#include <vector>

#include "scorepath/config.hpp"
#include "scorepath/dual.hpp"  // dual overloads of the activations must be visible here
#include "scorepath/math.hpp"
#include "scorepath/vec.hpp"

/// How mlp_forward is compiled. On a GPU thread it is inlined, so that its loops and the caller's
/// duals share one register allocation. On the host it stays one out-of-line function per
/// instantiation, which mlp_score and mlp_view both call: two inlined copies could be vectorised
/// differently (a vector math call for tanh or exp, say) and round differently, and the two forms
/// are meant to agree bit for bit. One call per evaluation of a whole network costs nothing.
#if defined(__CUDA_ARCH__)
#define SCOREPATH_MLP_FORWARD __host__ __device__ __forceinline__
#elif defined(__CUDACC__)
#define SCOREPATH_MLP_FORWARD __host__ __device__ __noinline__
#else
#define SCOREPATH_MLP_FORWARD __attribute__((noinline))
#endif

namespace scorepath {

/// Activation of the hidden layers.
enum class mlp_activation { softplus, tanh, silu, elu };

namespace detail {

/// Output rows of a layer computed together: as many accumulators as stay in vector registers
/// next to the input value they share (a pack is one register; a dual holds K + 1 of them).
template <class R>
inline constexpr int mlp_row_block = sizeof(R) <= 128 ? 8 : 4;

/// out = W·in + b for an n_out × n_in row-major W, mlp_row_block output rows at a time so that
/// each input is loaded once per block of rows.
template <class T, class R>
SCOREPATH_HDI void mlp_affine(const T* w, const T* b, int n_in, int n_out, const R* in, R* out) {
  constexpr int RB = mlp_row_block<R>;
  int j = 0;
  for (; j + RB <= n_out; j += RB) {
    const T* rows = w + static_cast<std::size_t>(j) * n_in;
    R acc[RB];
    SCOREPATH_HOST_UNROLL8
    SCOREPATH_UNROLL
    for (int r = 0; r < RB; ++r) acc[r] = R(b[j + r]);
    for (int i = 0; i < n_in; ++i) {
      const R h = in[i];
      SCOREPATH_HOST_UNROLL8
      SCOREPATH_UNROLL
      for (int r = 0; r < RB; ++r) {
        acc[r] = acc[r] + h * rows[static_cast<std::size_t>(r) * n_in + i];
      }
    }
    SCOREPATH_HOST_UNROLL8
    SCOREPATH_UNROLL
    for (int r = 0; r < RB; ++r) out[j + r] = acc[r];
  }
  for (; j < n_out; ++j) {
    const T* wj = w + static_cast<std::size_t>(j) * n_in;
    R a = R(b[j]);
    for (int i = 0; i < n_in; ++i) a = a + in[i] * wj[i];
    out[j] = a;
  }
}

/// Applies @p act to h[0, n).
template <class R>
SCOREPATH_HDI void mlp_activate(mlp_activation act, R* h, int n) {
  switch (act) {
    case mlp_activation::softplus:
      for (int j = 0; j < n; ++j) h[j] = math::softplus(h[j]);
      break;
    case mlp_activation::tanh:
      for (int j = 0; j < n; ++j) h[j] = math::tanh(h[j]);
      break;
    case mlp_activation::silu:
      for (int j = 0; j < n; ++j) h[j] = math::silu(h[j]);
      break;
    case mlp_activation::elu:
      for (int j = 0; j < n; ++j) h[j] = math::elu(h[j]);
      break;
  }
}

/// The calling host thread's buffer for the two layer buffers of a network at most @p widest
/// wide: 2·widest values of R, grown on demand and kept for the thread's next evaluation.
template <class R>
R* mlp_host_scratch(int widest) {
  thread_local std::vector<R> buffer;
  if (buffer.size() < 2 * static_cast<std::size_t>(widest)) buffer.resize(2 * widest);
  return buffer.data();
}

}  // namespace detail

/**
 * @brief S(x) of the network with widths w₀ = D, w₁ … w_L, w_{L+1} = D and flat parameters.
 *
 * @param parameters the flat buffer (W_l row-major, then b_l, layer after layer)
 * @param widths L + 2 widths, first and last equal to D
 * @param layers L + 1, the number of affine layers
 * @param act activation of the hidden layers (none after the last layer)
 * @param x the input, a sample or a pack of samples, plain or dual
 * @param scratch room for 2·@p stride values of R, the two layer buffers
 * @param stride at least the widest width
 */
template <class T, class R, int D>
SCOREPATH_MLP_FORWARD vec<R, D> mlp_forward(const T* parameters, const int* widths, int layers,
                                    mlp_activation act, const vec<R, D>& x, R* scratch,
                                    int stride) {
  R* in = scratch;
  R* out = scratch + stride;
  SCOREPATH_UNROLL
  for (int i = 0; i < D; ++i) in[i] = x[i];
  const T* p = parameters;
  for (int l = 0; l < layers; ++l) {
    const int n_in = widths[l];
    const int n_out = widths[l + 1];
    detail::mlp_affine(p, p + static_cast<std::size_t>(n_out) * n_in, n_in, n_out, in, out);
    p += static_cast<std::size_t>(n_out) * (n_in + 1);
    if (l + 1 < layers) detail::mlp_activate(act, out, n_out);
    R* const done = out;
    out = in;
    in = done;
  }
  vec<R, D> s;
  SCOREPATH_UNROLL
  for (int i = 0; i < D; ++i) s[i] = in[i];
  return s;
}

}  // namespace scorepath
