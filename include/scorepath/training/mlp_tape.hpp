/**
 * @file training/mlp_tape.hpp
 * @brief The forward pass of an mlp_network over a tile of samples with their tangents, recorded,
 *        and the reverse sweep over it that gives the gradient of a loss in the parameters.
 *
 * A tile holds n samples, each with K tangents (probe directions, or basis vectors for the exact
 * trace), as n·(1 + K) columns: column s·(1 + K) is sample s, columns s·(1 + K) + k (1 ≤ k ≤ K)
 * its tangents. Each layer is then one matrix product over all columns, the bias added to the
 * sample columns only; a hidden unit maps a sample column z to σ(z) and a tangent column ż to
 * σ'(z)·ż. The output's sample column is S(x), its tangent columns J_S(x)v.
 *
 * The reverse sweep takes the loss's adjoints of the output columns and, layer by layer, adds
 * Σ_c g_c h_cᵀ to ∂W, the sample columns' g to ∂b, and passes Wᵀg back; through a hidden unit the
 * sample column's adjoint is ḡ·σ'(z) + Σ_k ġ_k·σ''(z)·ż_k and a tangent column's is ġ_k·σ'(z).
 * Every product is one matrix product over the tile (matrix_product.hpp: OpenBLAS or the
 * library's own loops, on the calling thread); the order of every sum is fixed by the tile, never
 * by a thread.
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "scorepath/matrix_product.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/training/activation_rules.hpp"
#include "scorepath/training/mlp_network.hpp"
#if !defined(__CUDACC__)
#include "scorepath/simd_pack.hpp"
#endif

namespace scorepath::detail {

/// Packs of activations computed together in a row: their polynomials' dependency chains are
/// independent, so the core overlaps them.
inline constexpr int activation_packs_at_once = 4;

/**
 * @brief @p value(z) for the @p n values @p z into @p h: groups of activation_packs_at_once SIMD
 *        packs of the CPU's native width, then single packs, then the remainder lane by lane.
 *        @p value takes a pack or a scalar (a generic lambda).
 */
template <class T, class Value>
void activation_values_row(Value value, const T* z, T* h, int n) {
  int j = 0;
#if !defined(__CUDACC__)
  constexpr int W = std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes;
  constexpr int G = activation_packs_at_once;
  using P = simd::pack<T, W>;
  for (; j + G * W <= n; j += G * W) {
    P v[G];
    for (int g = 0; g < G; ++g) v[g] = value(P::load(z + j + g * W));
    for (int g = 0; g < G; ++g) v[g].store(h + j + g * W);
  }
  for (; j + W <= n; j += W) value(P::load(z + j)).store(h + j);
#endif
  for (; j < n; ++j) h[j] = value(z[j]);
}

/**
 * @brief σ, σ' and σ'' of the activation @p A for the @p n values @p z into @p h, @p d1, @p d2,
 *        in groups of packs like activation_values_row.
 */
template <mlp_activation A, class T>
void activation_rules_row_of(const T* z, T* h, T* d1, T* d2, int n) {
  int j = 0;
#if !defined(__CUDACC__)
  constexpr int W = std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes;
  constexpr int G = activation_packs_at_once;
  using P = simd::pack<T, W>;
  auto store = [&](const activation_rule<P>& r, int at) {
    r.value.store(h + at);
    r.first.store(d1 + at);
    r.second.store(d2 + at);
  };
  for (; j + G * W <= n; j += G * W) {
    activation_rule<P> r[G];
    for (int g = 0; g < G; ++g) r[g] = activation_rules_of<A>(P::load(z + j + g * W));
    for (int g = 0; g < G; ++g) store(r[g], j + g * W);
  }
  for (; j + W <= n; j += W) store(activation_rules_of<A>(P::load(z + j)), j);
#endif
  for (; j < n; ++j) {
    const activation_rule<T> r = activation_rules_of<A>(z[j]);
    h[j] = r.value;
    d1[j] = r.first;
    d2[j] = r.second;
  }
}

/**
 * @brief σ (into @p h) and, unless @p d1 is null, σ' and σ'' (into @p d1, @p d2) of the @p n
 *        pre-activations @p z, in SIMD packs of the CPU's native width and the remainder lane by
 *        lane: the same lanes take the same path whatever thread runs them. The activation is
 *        chosen once per row, so the loops over packs have no branch.
 */
template <class T>
void activation_rules_row(mlp_activation act, const T* z, T* h, T* d1, T* d2, int n) {
  auto row = [&](auto activation) {
    constexpr mlp_activation A = decltype(activation)::value;
    if (d1 == nullptr) {
      activation_values_row([](const auto& v) { return activation_value_of<A>(v); }, z, h, n);
    } else {
      activation_rules_row_of<A>(z, h, d1, d2, n);
    }
  };
  using kind = mlp_activation;
  switch (act) {
    case kind::softplus: return row(std::integral_constant<kind, kind::softplus>{});
    case kind::tanh: return row(std::integral_constant<kind, kind::tanh>{});
    case kind::silu: return row(std::integral_constant<kind, kind::silu>{});
    case kind::elu:
    default: return row(std::integral_constant<kind, kind::elu>{});
  }
}

/// A thread's record of one tile's forward pass, reused from tile to tile.
template <class T>
struct mlp_tape {
  int samples = 0;   ///< n
  int tangents = 0;  ///< K
  /// inputs[l]: the columns entering layer l, [c·w_l + i]; inputs[0] is filled by the caller.
  std::vector<std::vector<T>> inputs;
  /// pre[l]: layer l's pre-activations for hidden layers, [c·w_{l+1} + j].
  std::vector<std::vector<T>> pre;
  /// first[l], second[l]: σ' and σ'' at layer l's sample columns, [s·w_{l+1} + j].
  std::vector<std::vector<T>> first, second;
  /// The output columns S and J_S v, [c·D + i].
  std::vector<T> output;
  /// Adjoints flowing back, two buffers of the widest layer's columns.
  std::vector<T> adjoint, adjoint_next;

  int columns() const { return samples * (1 + tangents); }

  /// Sizes the tape for @p n samples with @p k tangents each; @p reverse false leaves out the
  /// adjoint buffers (a forward pass that no reverse sweep follows).
  void size_for(const mlp_network<T>& net, int n, int k, bool reverse = true) {
    samples = n;
    tangents = k;
    const int layers = net.layers();
    const auto cols = static_cast<std::size_t>(columns());
    inputs.resize(layers);
    pre.resize(layers);
    first.resize(layers);
    second.resize(layers);
    int widest = 0;
    for (int l = 0; l <= layers; ++l) widest = std::max(widest, net.width(l));
    for (int l = 0; l < layers; ++l) {
      inputs[l].resize(cols * net.width(l));
      if (l + 1 < layers) {
        pre[l].resize(cols * net.width(l + 1));
        first[l].resize(static_cast<std::size_t>(n) * net.width(l + 1));
        second[l].resize(static_cast<std::size_t>(n) * net.width(l + 1));
      }
    }
    output.resize(cols * net.dim());
    adjoint.resize(reverse ? cols * widest : 0);
    adjoint_next.resize(reverse ? cols * widest : 0);
  }
};

/// out[c·n_out + j] = Σ_i W[j·n_in + i]·in[c·n_in + i] (+ b[j] on sample columns): one matrix
/// product over the tile's columns (matrix_product.hpp), then the bias.
template <class T>
void tape_affine(const T* w, const T* b, int n_in, int n_out, int cols, int stride, const T* in,
                 T* out) {
  matrix_product(false, true, cols, n_out, n_in, in, n_in, w, n_in, T(0), out, n_out);
  for (int c = 0; c < cols; c += stride) {
    T* z = out + static_cast<std::size_t>(c) * n_out;
    for (int j = 0; j < n_out; ++j) z[j] += b[j];
  }
}

/**
 * @brief The forward pass over the tile whose input columns are in tape.inputs[0].
 * @param record_derivatives keep σ' and σ'' for a reverse sweep (and for tangent columns); false
 *        computes σ alone, for a tile without tangents that no sweep follows
 */
template <class T>
void tape_forward(const mlp_network<T>& net, mlp_tape<T>& tape, bool record_derivatives = true) {
  const int layers = net.layers();
  const int cols = tape.columns();
  const int stride = 1 + tape.tangents;
  const T* params = net.parameters().data();
  for (int l = 0; l < layers; ++l) {
    const int n_in = net.width(l), n_out = net.width(l + 1);
    const bool last = l + 1 == layers;
    T* z = last ? tape.output.data() : tape.pre[l].data();
    tape_affine(params + net.weights_offset(l), params + net.bias_offset(l), n_in, n_out, cols,
                stride, tape.inputs[l].data(), z);
    if (last) break;
    T* h = tape.inputs[l + 1].data();
    for (int s = 0; s < tape.samples; ++s) {
      const std::size_t c0 = static_cast<std::size_t>(s) * stride;
      const bool keep = record_derivatives || stride > 1;
      T* d1 = keep ? tape.first[l].data() + static_cast<std::size_t>(s) * n_out : nullptr;
      T* d2 = keep ? tape.second[l].data() + static_cast<std::size_t>(s) * n_out : nullptr;
      activation_rules_row(net.activation(), z + c0 * n_out, h + c0 * n_out, d1, d2, n_out);
      for (int k = 1; k < stride; ++k) {
        const std::size_t c = (c0 + k) * n_out;
        for (int j = 0; j < n_out; ++j) h[c + j] = d1[j] * z[c + j];
      }
    }
  }
}

/**
 * @brief The scores of @p n points (row-major n × D) into @p out through @p tape (sized here when
 *        needed): N(x) for an unconditioned network, N([x, ¼ ln σ]) / σ for a conditioned one.
 */
template <class T>
void tape_scores(const mlp_network<T>& net, mlp_tape<T>& tape, const T* x, int n, double sigma,
                 T* out) {
  if (tape.samples != n || tape.tangents != 0) tape.size_for(net, n, 0, false);
  const int d = net.dim(), w_in = net.width(0);
  const bool conditioned = net.conditioning().conditioned();
  const T feature = conditioned ? static_cast<T>(noise_feature(sigma)) : T(0);
  T* in = tape.inputs[0].data();
  for (int p = 0; p < n; ++p) {
    T* col = in + static_cast<std::size_t>(p) * w_in;
    for (int i = 0; i < d; ++i) col[i] = x[static_cast<std::size_t>(p) * d + i];
    for (int i = d; i < w_in; ++i) col[i] = feature;
  }
  tape_forward(net, tape, false);
  const T scale = conditioned ? static_cast<T>(1.0 / sigma) : T(1);
  for (std::size_t e = 0; e < static_cast<std::size_t>(n) * d; ++e) out[e] = tape.output[e] * scale;
}

/**
 * @brief The reverse sweep: adds the tile's gradient to @p gradient (the flat parameter layout)
 *        for the output adjoints in tape.adjoint ([c·D + i]); tape.adjoint is consumed.
 */
template <class T>
void tape_backward(const mlp_network<T>& net, mlp_tape<T>& tape, T* gradient) {
  const int layers = net.layers();
  const int cols = tape.columns();
  const int stride = 1 + tape.tangents;
  const T* params = net.parameters().data();
  for (int l = layers - 1; l >= 0; --l) {
    const int n_in = net.width(l), n_out = net.width(l + 1);
    const T* g = tape.adjoint.data();
    const T* h = tape.inputs[l].data();
    T* dw = gradient + net.weights_offset(l);
    T* db = gradient + net.bias_offset(l);
    // ∂W_l += Gᵀ H over the tile's columns, ∂b_l += the sample columns' g.
    matrix_product(true, false, n_out, n_in, cols, g, n_out, h, n_in, T(1), dw, n_in);
    for (int c = 0; c < cols; c += stride) {
      const T* gc = g + static_cast<std::size_t>(c) * n_out;
      for (int j = 0; j < n_out; ++j) db[j] += gc[j];
    }
    if (l == 0) break;
    // Back through W_l: the adjoints of layer l's inputs (hidden activations), G W_l.
    const T* w = params + net.weights_offset(l);
    T* dh = tape.adjoint_next.data();
    matrix_product(false, false, cols, n_in, n_out, g, n_out, w, n_in, T(0), dh, n_in);
    // Back through the activation of layer l − 1 (width n_in), in place.
    const T* z = tape.pre[l - 1].data();
    for (int s = 0; s < tape.samples; ++s) {
      const std::size_t c0 = static_cast<std::size_t>(s) * stride;
      const T* d1 = tape.first[l - 1].data() + static_cast<std::size_t>(s) * n_in;
      const T* d2 = tape.second[l - 1].data() + static_cast<std::size_t>(s) * n_in;
      T* prim = dh + c0 * n_in;
      for (int i = 0; i < n_in; ++i) prim[i] *= d1[i];
      for (int k = 1; k < stride; ++k) {
        const std::size_t c = (c0 + k) * n_in;
        for (int i = 0; i < n_in; ++i) {
          prim[i] += dh[c + i] * d2[i] * z[c + i];
          dh[c + i] *= d1[i];
        }
      }
    }
    std::swap(tape.adjoint, tape.adjoint_next);
  }
}

}  // namespace scorepath::detail
