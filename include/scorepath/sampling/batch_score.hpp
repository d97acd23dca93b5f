/**
 * @file sampling/batch_score.hpp
 * @brief A score the samplers can evaluate on a tile of points at once, at a point (α, σ) of the
 *        forward diffusion: a trained mlp_network (as matrix products over the tile) or the exact
 *        score of a diagonal_mixture; in CUDA builds both can also evaluate points in device
 *        memory (sampling/device_scores.hpp), which the CUDA driver of sample_paths uses.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/sampling/device_scores.hpp"
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
  /// Scores of n points in device memory: (points, n, alpha, sigma, scores), on the stream of the
  /// context the evaluator was made for.
  using device_evaluator = std::function<void(const T*, std::uint64_t, double, double, T*)>;

  int dim = 0;  ///< D
  /// The conditioning a network was trained with (its σ(t) is the one the samplers must use);
  /// empty for an exact score, which is valid at every (α, σ), and for an unconditioned network.
  std::optional<noise_conditioning> trained_for;
  /// True when the score depends on the noise level (an exact score, a conditioned network):
  /// what every sampler but plain Langevin needs.
  bool takes_noise = true;
  std::function<evaluator()> make_evaluator;  ///< one thread's evaluator
  /// The evaluator on the device of a CUDA context; empty for a score with no device form (CPU
  /// builds, and scores given only as host code), which sample_paths then runs on the CPU only.
  std::function<device_evaluator(const context&)> make_device_evaluator;
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
    // What depends on (α, σ) alone is computed once per call (factor_diagonal_mixture); then each
    // point costs one quadratic form and one exponential per component.
    struct scratch {
      diagonal_mixture_factors factors;  // refilled in place: no allocation after the first call
      std::vector<double> work;
    };
    auto sc = std::make_shared<scratch>();
    sc->work.resize(shared->components());
    return [shared, sc](const T* x, int n, double alpha, double sigma, T* out) {
      factor_diagonal_mixture(*shared, alpha, sigma, sc->factors);
      const auto d = static_cast<std::size_t>(sc->factors.dim);
      for (int p = 0; p < n; ++p) {
        diagonal_mixture_score(sc->factors, x + p * d, out + p * d, sc->work.data());
      }
    };
  };
#if SCOREPATH_HAVE_CUDA
  s.make_device_evaluator = [shared](const context& ctx) {
    return typename batch_score<T>::device_evaluator(
        detail::mixture_device_scores<T>(ctx, shared));
  };
#endif
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
  s.takes_noise = net.conditioning().conditioned();
  s.make_evaluator = [shared]() -> typename batch_score<T>::evaluator {
    auto tape = std::make_shared<detail::mlp_tape<T>>();
    return [shared, tape](const T* x, int n, double, double sigma, T* out) {
      detail::tape_scores(*shared, *tape, x, n, sigma, out);
    };
  };
#if SCOREPATH_HAVE_CUDA
  s.make_device_evaluator = [shared](const context& ctx) {
    return typename batch_score<T>::device_evaluator(
        detail::network_device_scores<T>(ctx, shared));
  };
#endif
  return s;
}

}  // namespace scorepath
