/**
 * @file sampling/device_scores.hpp
 * @brief The samplers' scores on a CUDA device: the exact diffused diagonal mixture (one thread
 *        per point, the host/device diagonal_mixture_score) and a trained network (its layers
 *        through the device tape, training/mlp_device_tape.hpp). Each evaluates points in device
 *        memory on the stream of its context, in tiles that keep its scratch within
 *        cuda_score_scratch_bytes.
 *
 * Defined in CUDA builds of the library only (SCOREPATH_HAVE_CUDA = 1); batch_score's
 * make_device_evaluator makes them.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "scorepath/context.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/training/mlp_network.hpp"

namespace scorepath::detail {

/// Device memory a score's scratch may take (per-point work, a network's tile).
inline constexpr std::size_t cuda_score_scratch_bytes = std::size_t{256} << 20;

/// Points per tile of a scratch of @p bytes_per_point bytes a point: at least 1.
inline std::uint64_t score_tile_points(std::size_t bytes_per_point) {
  const std::size_t per = bytes_per_point > 0 ? bytes_per_point : 1;
  const std::size_t fit = cuda_score_scratch_bytes / per;
  return fit > 0 ? fit : 1;
}

/// The exact score of a diffused diagonal mixture at points in device memory.
template <class T>
class mixture_device_scores {
 public:
  /// Copies nothing yet: the factors go to the device at each call (they depend on α and σ).
  mixture_device_scores(const context& ctx, std::shared_ptr<const diagonal_mixture> mix);
  /// Scores of the @p n points at @p points (row-major n × D, device) into @p scores (device).
  void operator()(const T* points, std::uint64_t n, double alpha, double sigma, T* scores) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

/// A trained network's score at points in device memory (see network_batch_score).
template <class T>
class network_device_scores {
 public:
  /// Copies @p net's parameters to the device of @p ctx.
  network_device_scores(const context& ctx, std::shared_ptr<const mlp_network<T>> net);
  /// Scores of the @p n points at @p points (row-major n × D, device) into @p scores (device).
  void operator()(const T* points, std::uint64_t n, double alpha, double sigma, T* scores) const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace scorepath::detail
