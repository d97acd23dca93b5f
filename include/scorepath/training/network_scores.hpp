/**
 * @file training/network_scores.hpp
 * @brief The score S(x) of an mlp_network (or S(x, σ) of a noise-conditioned one) at a batch of
 *        points, tile by tile as matrix products: what a sampler or a quality measure asks of a
 *        trained network.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/mlp_tape.hpp"

namespace scorepath {

/// Points per tile of network_scores.
inline constexpr int network_score_tile = 64;

/**
 * @brief Writes S(x_s) (row-major N×D) for the N points in @p points to @p scores; for a network
 *        conditioned on noise, S(x_s, σ) = N_θ([x_s, ¼ ln σ]) / σ at noise level @p sigma.
 *
 * Each point's score depends on that point alone, so results do not depend on the thread count.
 * Runs on the CPU backend.
 *
 * @param sigma the noise level: positive and finite for a conditioned network, 0 for another
 * @throw invalid_argument_error naming `points` (empty, or a value not finite), `points size`
 *        (not a multiple of D), `points space` (device memory), `scores size` (not equal to the
 *        points'), `scores space`, or `sigma` (not positive and finite for a conditioned network,
 *        not 0 for another); nothing is written then
 * @throw unavailable_error for a CUDA context
 * @throw out_of_memory_error when the working memory cannot be allocated
 */
template <class T>
void network_scores(const context& ctx, const mlp_network<T>& net, input_span<T> points,
                    output_span<T> scores, double sigma = 0.0) try {
  const int d = net.dim();
  SCOREPATH_EXPECTS(points.data != nullptr && points.size > 0, "points", "empty",
                    "must hold at least one point");
  SCOREPATH_EXPECTS(points.size % static_cast<std::size_t>(d) == 0, "points size", points.size,
                    "must be a multiple of the network dimension " + std::to_string(d));
  SCOREPATH_EXPECTS(points.space == memory_space::host, "points space", "device",
                    "network scores are computed on the CPU and need host memory");
  check_span_not_dangling(scores, "scores");
  SCOREPATH_EXPECTS(scores.size == points.size, "scores size", scores.size,
                    "must equal the points' size " + std::to_string(points.size));
  SCOREPATH_EXPECTS(scores.space == memory_space::host, "scores space", "device",
                    "network scores are computed on the CPU and need host memory");
  const bool conditioned = net.conditioning().conditioned();
  if (conditioned) {
    SCOREPATH_EXPECTS(std::isfinite(sigma) && sigma > 0, "sigma", sigma,
                      "must be positive and finite for a network conditioned on noise");
  } else {
    SCOREPATH_EXPECTS(sigma == 0.0, "sigma", sigma,
                      "must be 0: the network is not conditioned on noise");
  }
  detail::require_finite_rows("points", points.data, points.size, static_cast<std::size_t>(d));
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error("network_scores runs on the CPU backend", __FILE__, __LINE__);
  }

  const std::uint64_t n = points.size / d;
  const std::uint64_t tiles = (n + network_score_tile - 1) / network_score_tile;
  (void)matrix_kernel();  // chooses (and loads) the kernel here, before the workers start
  detail::cpu_for_each<detail::mlp_tape<T>>(
      ctx, tiles, detail::cpu_block_schedule::even,
      [&](detail::mlp_tape<T>& tape) { tape.size_for(net, network_score_tile, 0, false); },
      [&](std::uint64_t t, detail::mlp_tape<T>& tape) {
        const std::uint64_t first = t * network_score_tile;
        const int count = static_cast<int>(std::min<std::uint64_t>(network_score_tile, n - first));
        detail::tape_scores(net, tape, points.data + first * d, count, sigma,
                            scores.data + first * d);
      });
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("network_scores: memory for the call could not be allocated", __FILE__,
                            __LINE__);
}

}  // namespace scorepath
