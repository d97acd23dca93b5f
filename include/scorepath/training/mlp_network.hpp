/**
 * @file training/mlp_network.hpp
 * @brief A multilayer perceptron score network whose dimension D, like its hidden widths, is
 *        chosen at run time: the form the training engine (training/loss_gradient.hpp) works on.
 *
 * The layout of the flat parameter buffer is the one of mlp_score (scores/mlp.hpp): layer l maps
 * w_l → w_{l+1} with W_l row-major ([j·w_l + i]) followed by b_l, widths D, w₁ … w_L, D. So a
 * trained network's parameters build an mlp_score<T, D> for a compiled D unchanged, and the
 * weights file format (mlp_file.hpp) stores either.
 *
 * A network conditioned on noise (noise_conditioning.hpp) takes F = cond.features() extra input
 * columns after the D sample values: its widths are D + F, w₁ … w_L, D, and its score is its
 * output divided by the noise level σ.
 */
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath {

/// An MLP score network with run-time dimension and widths, parameters in precision T.
template <class T>
class mlp_network {
 public:
  using scalar_type = T;

  /**
   * @param dim D, the sample dimension and output width (≥ 1)
   * @param hidden hidden widths w₁ … w_L (may be empty: one affine layer)
   * @param act activation of the hidden layers
   * @param parameters the flat buffer (scores/mlp.hpp), for input width D + cond.features()
   * @param cond the noise the network is conditioned on (none by default)
   * @throw invalid_argument_error naming `activation` (not one of the four), a field of @p cond
   *        (check_noise_conditioning), `dim`, `hidden[l]`, `parameters size` (with the count the
   *        widths need) or `parameters[k]` (not finite)
   */
  mlp_network(int dim, std::vector<int> hidden, mlp_activation act, std::vector<T> parameters,
              noise_conditioning cond = {})
      : hidden_(std::move(hidden)), act_(act), params_(std::move(parameters)),
        cond_(std::move(cond)) {
    check_mlp_activation(act_);
    check_noise_conditioning(cond_);
    check_mlp_parameters(dim, hidden_, params_, cond_.features());
    widths_.push_back(dim + cond_.features());
    widths_.insert(widths_.end(), hidden_.begin(), hidden_.end());
    widths_.push_back(dim);
    std::size_t offset = 0;
    for (int l = 0; l + 1 < static_cast<int>(widths_.size()); ++l) {
      offsets_.push_back(offset);
      offset += static_cast<std::size_t>(widths_[l + 1]) * (widths_[l] + 1);
    }
  }

  /**
   * @brief A network with mlp_random_parameters(dim, hidden, seed, cond.features()) rounded to T.
   * @throw as the constructor and mlp_random_parameters
   */
  static mlp_network random(int dim, std::vector<int> hidden, mlp_activation act,
                            std::uint64_t seed, noise_conditioning cond = {}) {
    check_noise_conditioning(cond);
    const std::vector<double> p = mlp_random_parameters(dim, hidden, seed, cond.features());
    return mlp_network(dim, std::move(hidden), act,
                       allocating("hidden", [&] { return std::vector<T>(p.begin(), p.end()); }),
                       std::move(cond));
  }

  int dim() const { return widths_.back(); }                           ///< D
  /// The noise the network is conditioned on.
  const noise_conditioning& conditioning() const { return cond_; }
  const std::vector<int>& hidden_widths() const { return hidden_; }    ///< w₁ … w_L
  mlp_activation activation() const { return act_; }                  ///< hidden activation
  int layers() const { return static_cast<int>(offsets_.size()); }    ///< affine layers, L + 1
  int width(int l) const { return widths_[l]; }  ///< w_l, 0 ≤ l ≤ L + 1 (w₀ = D + features)
  const std::vector<T>& parameters() const { return params_; }        ///< the flat buffer
  std::size_t weights_offset(int l) const { return offsets_[l]; }     ///< where W_l starts
  /// Where b_l starts.
  std::size_t bias_offset(int l) const {
    return offsets_[l] + static_cast<std::size_t>(widths_[l + 1]) * widths_[l];
  }

  /**
   * @brief Replaces the parameters (an optimizer's step).
   * @throw invalid_argument_error naming `parameters size` or `parameters[k]` (not finite); the
   *        network is unchanged then
   */
  void set_parameters(std::vector<T> parameters) {
    check_mlp_parameters(dim(), hidden_, parameters, cond_.features());
    params_ = std::move(parameters);
  }

 private:
  std::vector<int> hidden_;
  mlp_activation act_;
  std::vector<T> params_;
  noise_conditioning cond_;
  std::vector<int> widths_;            ///< D + features, w₁ … w_L, D
  std::vector<std::size_t> offsets_;  ///< start of each layer in params_
};

}  // namespace scorepath
