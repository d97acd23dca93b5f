/**
 * @file scores/mlp_view.hpp
 * @brief A non-owning, trivially copyable view of an MLP score network, evaluable in host and
 *        device code: the form in which the CUDA backend passes an mlp_score to its kernels.
 *
 * A view holds a pointer to the flat parameter buffer (host or device memory, owned elsewhere)
 * and the widths in a fixed-capacity array, and evaluates through mlp_forward, the body
 * mlp_score uses. On a GPU thread the two layer buffers are a local array of
 * 2·mlp_view_max_width values; on the host they are the thread's buffer, as for mlp_score.
 */
#pragma once

#include <cstddef>
#include <vector>

#include "scorepath/config.hpp"
#include "scorepath/scores/mlp_forward.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Most hidden layers a view holds.
inline constexpr int mlp_view_max_hidden = 8;
/// Widest layer a view evaluates: a GPU thread keeps two layer buffers of this many lane values
/// (dual numbers during sliced score matching) in its local memory.
inline constexpr int mlp_view_max_width = 256;

/**
 * @brief Checks that a network with these hidden widths fits an mlp_view.
 * @throw invalid_argument_error naming `hidden size` (more than mlp_view_max_hidden layers) or
 *        `hidden[l]` (below 1 or above mlp_view_max_width), with the value
 */
void check_mlp_view_widths(const std::vector<int>& hidden);

/// A view of an MLP score network in D dimensions with parameters in precision T.
template <class T, int D>
struct mlp_view {
  static_assert(D >= 1 && D <= mlp_view_max_width, "a view's input and output fit its width cap");
  static constexpr int dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  const T* parameters = nullptr;              ///< the flat buffer (scores/mlp.hpp), not owned
  std::size_t parameter_count = 0;            ///< its length
  int widths[mlp_view_max_hidden + 2] = {};   ///< D, w₁ … w_L, D
  int layers = 0;                             ///< L + 1 affine layers
  int widest = 0;                             ///< widest entry of widths
  mlp_activation activation = mlp_activation::softplus;  ///< hidden activation

  /**
   * @brief A view of the network with these widths and activation over @p parameters, which
   *        must hold the flat buffer the widths need and outlive the view.
   * @throw invalid_argument_error from check_mlp_view_widths
   */
  static mlp_view over(const T* parameters, const std::vector<int>& hidden, mlp_activation act) {
    check_mlp_view_widths(hidden);
    mlp_view v;
    v.parameters = parameters;
    v.activation = act;
    v.layers = static_cast<int>(hidden.size()) + 1;
    v.widths[0] = D;
    for (int l = 1; l < v.layers; ++l) v.widths[l] = hidden[l - 1];
    v.widths[v.layers] = D;
    for (int l = 0; l < v.layers; ++l) {
      const std::size_t n_in = static_cast<std::size_t>(v.widths[l]);
      v.parameter_count += static_cast<std::size_t>(v.widths[l + 1]) * (n_in + 1);
    }
    for (int l = 0; l <= v.layers; ++l) v.widest = v.widths[l] > v.widest ? v.widths[l] : v.widest;
    return v;
  }

  /// S(x) with the layer buffers in @p scratch (2·widest values).
  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x, R* scratch) const {
    return mlp_forward(parameters, widths, layers, activation, x, scratch, widest);
  }

  /// S(x) for a sample, a pack of samples, or their dual numbers.
  template <class R>
  SCOREPATH_HDI vec<R, D> operator()(const vec<R, D>& x) const {
#if defined(SCOREPATH_DEVICE_PASS)
    R scratch[2 * mlp_view_max_width];
    return (*this)(x, scratch);
#else
    return (*this)(x, detail::mlp_host_scratch<R>(widest));
#endif
  }
};

}  // namespace scorepath
