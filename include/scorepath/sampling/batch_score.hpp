/**
 * @file sampling/batch_score.hpp
 * @brief A score the samplers can evaluate on a tile of points at once, at a point (α, σ) of the
 *        forward diffusion: a trained mlp_network (as matrix products over the tile) or the exact
 *        score of a diagonal_mixture.
 */
#pragma once

#include <algorithm>
#include <cmath>
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
  /// empty for an exact score, which is valid at every (α, σ), and for an unconditioned network.
  std::optional<noise_conditioning> trained_for;
  /// True when the score depends on the noise level (an exact score, a conditioned network):
  /// what every sampler but plain Langevin needs.
  bool takes_noise = true;
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
    // What depends on (α, σ) alone is computed once per call: the shifted means α·μ_k, the
    // inverse variances and each component's log-weight less ½Σ log v; then each point costs one
    // quadratic form and one exponential per component.
    struct scratch {
      std::vector<double> centre, inverse, offset, log_r;
    };
    auto work = std::make_shared<scratch>();
    return [shared, work](const T* x, int n, double alpha, double sigma, T* out) {
      const diagonal_mixture& m = *shared;
      const int d = m.dim, k_count = m.components();
      const std::size_t size = static_cast<std::size_t>(k_count) * d;
      work->centre.resize(size);
      work->inverse.resize(size);
      work->offset.resize(k_count);
      work->log_r.resize(k_count);
      for (int k = 0; k < k_count; ++k) {
        double offset = std::log(m.weights[k]);
        for (int i = 0; i < d; ++i) {
          const std::size_t j = static_cast<std::size_t>(k) * d + i;
          const double v = alpha * alpha * m.variances[j] + sigma * sigma;
          work->centre[j] = alpha * m.means[j];
          work->inverse[j] = 1.0 / v;
          offset -= 0.5 * std::log(v);
        }
        work->offset[k] = offset;
      }
      for (int p = 0; p < n; ++p) {
        const T* xp = x + static_cast<std::size_t>(p) * d;
        T* sp = out + static_cast<std::size_t>(p) * d;
        double largest = -INFINITY;
        for (int k = 0; k < k_count; ++k) {
          double q = 0;
          for (int i = 0; i < d; ++i) {
            const std::size_t j = static_cast<std::size_t>(k) * d + i;
            const double r = static_cast<double>(xp[i]) - work->centre[j];
            q += r * r * work->inverse[j];
          }
          work->log_r[k] = work->offset[k] - 0.5 * q;
          largest = std::max(largest, work->log_r[k]);
        }
        double total = 0;
        for (int k = 0; k < k_count; ++k) {
          work->log_r[k] = std::exp(work->log_r[k] - largest);
          total += work->log_r[k];
        }
        for (int i = 0; i < d; ++i) {
          double acc = 0;
          for (int k = 0; k < k_count; ++k) {
            const std::size_t j = static_cast<std::size_t>(k) * d + i;
            acc += work->log_r[k] * (work->centre[j] - static_cast<double>(xp[i])) * work->inverse[j];
          }
          sp[i] = static_cast<T>(acc / total);
        }
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
  s.takes_noise = net.conditioning().conditioned();
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
