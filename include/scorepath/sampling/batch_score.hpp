/**
 * @file sampling/batch_score.hpp
 * @brief A score the samplers can evaluate on a tile of points at once, at a point (α, σ) of the
 *        forward diffusion: a trained mlp_network (as matrix products over the tile) or the exact
 *        score of a diagonal_mixture.
 */
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "scorepath/noise_conditioning.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/mlp_tape.hpp"

namespace scorepath {

/// Points per tile that a sampler hands to a batch_score at once.
inline constexpr int sampler_tile_paths = 64;

/**
 * @brief A score S(x; α, σ) evaluated on up to sampler_tile_paths points at a time.
 *
 * `make_evaluator()` gives one thread its own evaluator (with its own scratch); the evaluator
 * writes the scores of n points (row-major n × D) for the diffusion's α and σ. Each point's score
 * depends on that point alone.
 */
template <class T>
struct batch_score {
  /// Scores of n points: (points, n, alpha, sigma, scores).
  using evaluator = std::function<void(const T*, int, double, double, T*)>;

  int dim = 0;  ///< D
  /// The conditioning a network was trained with (its σ(t) is the one the samplers must use);
  /// empty for an exact score, which is valid at every (α, σ).
  std::optional<noise_conditioning> trained_for;
  std::function<evaluator()> make_evaluator;  ///< one thread's evaluator
};

/**
 * @brief The exact score of @p mix diffused to (α, σ) (sampling/diagonal_mixture.hpp).
 * @throw invalid_argument_error as check_diagonal_mixture
 */
template <class T>
batch_score<T> mixture_batch_score(diagonal_mixture mix) {
  check_diagonal_mixture(mix);
  auto shared = std::make_shared<const diagonal_mixture>(std::move(mix));
  batch_score<T> s;
  s.dim = shared->dim;
  s.make_evaluator = [shared]() -> typename batch_score<T>::evaluator {
    return [shared](const T* x, int n, double alpha, double sigma, T* out) {
      const int d = shared->dim;
      for (int p = 0; p < n; ++p) {
        diffused_mixture_score(*shared, alpha, sigma, x + static_cast<std::size_t>(p) * d,
                               out + static_cast<std::size_t>(p) * d);
      }
    };
  };
  return s;
}

/**
 * @brief The score of a trained network: N_θ(x) for an unconditioned one (α and σ unused), and
 *        N_θ([x, ¼ ln σ]) / σ for one conditioned on noise. The network is copied.
 */
template <class T>
batch_score<T> network_batch_score(const mlp_network<T>& net) {
  auto shared = std::make_shared<const mlp_network<T>>(net);
  batch_score<T> s;
  s.dim = net.dim();
  if (net.conditioning().conditioned()) s.trained_for = net.conditioning();
  s.make_evaluator = [shared]() -> typename batch_score<T>::evaluator {
    auto tape = std::make_shared<detail::mlp_tape<T>>();
    return [shared, tape](const T* x, int n, double, double sigma, T* out) {
      const mlp_network<T>& net = *shared;
      if (tape->samples != n) tape->size_for(net, n, 0);
      const int d = net.dim(), w_in = net.width(0);
      const bool conditioned = net.conditioning().conditioned();
      const T feature = conditioned ? static_cast<T>(noise_feature(sigma)) : T(0);
      T* in = tape->inputs[0].data();
      for (int p = 0; p < n; ++p) {
        T* col = in + static_cast<std::size_t>(p) * w_in;
        for (int i = 0; i < d; ++i) col[i] = x[static_cast<std::size_t>(p) * d + i];
        for (int i = d; i < w_in; ++i) col[i] = feature;
      }
      detail::tape_forward(net, *tape, false);
      const T scale = conditioned ? static_cast<T>(1.0 / sigma) : T(1);
      for (std::size_t e = 0; e < static_cast<std::size_t>(n) * d; ++e) {
        out[e] = tape->output[e] * scale;
      }
    };
  };
  return s;
}

}  // namespace scorepath
