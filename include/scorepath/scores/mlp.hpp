/**
 * @file scores/mlp.hpp
 * @brief A multilayer perceptron score model S(x; θ) with run-time widths and one flat parameter
 *        buffer, evaluated with dual-number tangents on CPU packs of samples and on GPU threads.
 *
 * Widths are w₀ = D, w₁ … w_L (hidden), w_{L+1} = D. Layer l (0 ≤ l ≤ L) maps w_l → w_{l+1}:
 * z = W_l h + b_l, followed by the activation on every hidden layer and by nothing on the last one
 * (the output is the score). The flat buffer holds the layers in order, each as W_l row-major
 * (w_{l+1} rows of w_l entries, [j·w_l + i]) followed by b_l (w_{l+1} entries); its length is
 * Σ_l w_{l+1}(w_l + 1). The file format that stores a network is in mlp_file.hpp.
 *
 * The model evaluates through mlp_forward (scores/mlp_forward.hpp). On the CPU backend each thread
 * keeps its layer activations in a thread-local buffer, and every weight is applied to a whole
 * SIMD pack of samples and all their tangents at once, so a layer is a small matrix product rather
 * than one matrix-vector product per sample. The CUDA backend runs the same body on an mlp_view
 * (scores/mlp_view.hpp) of the network, one sample per thread (scores/mlp_cuda.cuh), for networks
 * of at most mlp_view_max_hidden hidden layers of width at most mlp_view_max_width; it refuses
 * larger ones with an invalid_argument_error naming `hidden size` or `hidden[l]`. The library
 * compiles CUDA kernels for D = 2; D = 64 runs on the CPU backend (detail/builtin_ssm_types.hpp).
 */
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/config.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/error.hpp"
#include "scorepath/math.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/scores/mlp_forward.hpp"
#include "scorepath/scores/mlp_view.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// Name of an activation ("softplus", "tanh", "silu", "elu").
const char* to_string(mlp_activation act) noexcept;
/// @brief Parses an activation name. @throw invalid_argument_error naming `activation`
mlp_activation parse_mlp_activation(const std::string& text);

/**
 * @brief Checks that a network's widths chain and returns the flat parameter count.
 * @param dim output width D; the input width is D + @p features
 * @param hidden hidden widths (may be empty: one affine layer)
 * @param features extra input columns of a noise-conditioned network (noise_conditioning.hpp),
 *        0 … 64
 * @throw invalid_argument_error naming `dim` or `hidden[l]` for a width below 1, `features`
 *        outside 0 … 64, or `hidden` when the parameter count overflows
 */
std::size_t mlp_parameter_count(int dim, const std::vector<int>& hidden, int features = 0);

/**
 * @brief Weights drawn for tests, benchmarks and demonstrations: W ~ N(0, 1/w_l) (variance-scaled
 *        by the fan-in) and b ~ N(0, 0.1²), from Philox with key @p seed, as doubles.
 * @throw invalid_argument_error as mlp_parameter_count
 * @throw out_of_memory_error naming `hidden` when the parameters cannot be held in memory
 */
std::vector<double> mlp_random_parameters(int dim, const std::vector<int>& hidden,
                                          std::uint64_t seed, int features = 0);

/**
 * @brief Checks a flat parameter buffer against the widths (dim + features, hidden, dim).
 * @throw invalid_argument_error naming `dim`, `hidden[l]` or `features` (as mlp_parameter_count),
 *        `parameters size` (with the count the widths need) or `parameters[k]` (not finite)
 */
template <class T>
void check_mlp_parameters(int dim, const std::vector<int>& hidden, const std::vector<T>& parameters,
                          int features = 0) {
  const std::size_t need = mlp_parameter_count(dim, hidden, features);
  SCOREPATH_EXPECTS(parameters.size() == need, "parameters size", parameters.size(),
                    "must equal " + std::to_string(need) + " for these widths");
  for (std::size_t k = 0; k < parameters.size(); ++k) {
    SCOREPATH_EXPECTS(std::isfinite(static_cast<double>(parameters[k])),
                      "parameters[" + std::to_string(k) + "]", parameters[k], "must be finite");
  }
}

/// @brief Refuses an activation that is not one of the four. @throw invalid_argument_error
///        naming `activation`
inline void check_mlp_activation(mlp_activation act) {
  SCOREPATH_EXPECTS(act == mlp_activation::softplus || act == mlp_activation::tanh ||
                        act == mlp_activation::silu || act == mlp_activation::elu,
                    "activation", static_cast<int>(act), "must be softplus, tanh, silu or elu");
}

/// An MLP score model in D dimensions with parameters in precision T.
template <class T, int D>
class mlp_score {
 public:
  static constexpr int dim = D;
  static constexpr bool vectorizable = true;
  using scalar_type = T;

  /**
   * @param hidden hidden widths w₁ … w_L
   * @param act activation of the hidden layers
   * @param parameters the flat buffer described in the file comment
   * @throw invalid_argument_error naming `activation` (not one of the four), `hidden[l]`,
   *        `parameters size` (with the count the widths need) or `parameters[k]` (not finite)
   */
  mlp_score(std::vector<int> hidden, mlp_activation act, std::vector<T> parameters)
      : hidden_(std::move(hidden)), act_(act), params_(std::move(parameters)) {
    check_mlp_activation(act_);
    check_mlp_parameters(D, hidden_, params_);
    widths_.push_back(D);
    widths_.insert(widths_.end(), hidden_.begin(), hidden_.end());
    widths_.push_back(D);
    for (int w : widths_) widest_ = w > widest_ ? w : widest_;
  }

  /**
   * @brief A network with mlp_random_parameters(D, hidden, seed) rounded to T.
   * @throw invalid_argument_error naming `hidden[l]` or `hidden` (widths below 1, or a parameter
   *        count beyond the address space)
   * @throw out_of_memory_error naming `hidden` when the parameters cannot be held in memory
   */
  static mlp_score random(std::vector<int> hidden, mlp_activation act, std::uint64_t seed) {
    const std::vector<double> p = mlp_random_parameters(D, hidden, seed);
    return mlp_score(std::move(hidden), act,
                     allocating("hidden", [&] { return std::vector<T>(p.begin(), p.end()); }));
  }

  const std::vector<int>& hidden_widths() const { return hidden_; }  ///< w₁ … w_L
  mlp_activation activation() const { return act_; }                ///< hidden activation
  const std::vector<T>& parameters() const { return params_; }      ///< the flat buffer

  /**
   * @brief A view of this network for host or device code (scores/mlp_view.hpp), over this
   *        model's parameters; valid while the model lives.
   * @throw invalid_argument_error naming `hidden size` or `hidden[l]` when the network exceeds
   *        the view's caps (mlp_view_max_hidden layers, mlp_view_max_width wide)
   */
  mlp_view<T, D> view() const { return mlp_view<T, D>::over(params_.data(), hidden_, act_); }

  /// S(x) for a sample, a pack of samples, or their dual numbers.
  template <class R>
  vec<R, D> operator()(const vec<R, D>& x) const {
    return mlp_forward(params_.data(), widths_.data(), static_cast<int>(widths_.size()) - 1, act_,
                       x, detail::mlp_host_scratch<R>(widest_), widest_);
  }

 private:
  std::vector<int> hidden_;
  mlp_activation act_;
  std::vector<T> params_;
  std::vector<int> widths_;  ///< D, w₁ … w_L, D
  int widest_ = 0;
};

}  // namespace scorepath
