/**
 * @file training/device_loss_gradient.hpp
 * @brief The gradient engine on a CUDA device: the batch in tiles of cuda_gradient_tile_samples
 *        samples; per tile the host fills the input columns and turns the outputs into losses and
 *        adjoints (training/gradient_columns.hpp, the CPU engine's own per-sample code, on the
 *        context's CPU threads), and the device runs the layers and sums the gradient
 *        (training/mlp_device_tape.hpp).
 *
 * Probes and noise are drawn by the CPU engine's rule, so the per-sample losses equal the CPU's to
 * rounding. Tiles are summed in order on one stream: the gradient is the same from run to run on
 * one device. Used by score_loss_gradient for a CUDA context (CUDA builds only).
 */
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/error.hpp"
#include "scorepath/training/gradient_columns.hpp"
#include "scorepath/training/loss_options.hpp"
#include "scorepath/training/mlp_device_tape.hpp"
#include "scorepath/training/mlp_network.hpp"

namespace scorepath::detail {

/// Most samples per tile of the CUDA gradient engine.
inline constexpr int cuda_gradient_tile_samples = 4096;

/// Device memory one tile's columns may take: tiles shrink below cuda_gradient_tile_samples for
/// many tangents or wide layers.
inline constexpr std::size_t cuda_gradient_tile_bytes = std::size_t{256} << 20;

/**
 * @brief Samples per tile for @p net with @p tangents tangents per sample: at most @p most, and
 *        as many as keep the tape's columns (inputs, pre-activations, outputs, two adjoint
 *        buffers) and per-sample derivatives within cuda_gradient_tile_bytes; at least 1.
 */
template <class T>
int device_tile_samples(const mlp_network<T>& net, int tangents, int most) {
  std::size_t per_column = static_cast<std::size_t>(net.width(0)) + net.dim();
  std::size_t per_sample = 0;
  int widest = 0;
  for (int l = 0; l <= net.layers(); ++l) widest = std::max(widest, net.width(l));
  for (int l = 1; l < net.layers(); ++l) {
    per_column += 2 * static_cast<std::size_t>(net.width(l));  // input and pre-activation
    per_sample += 2 * static_cast<std::size_t>(net.width(l));  // σ' and σ''
  }
  per_column += 2 * static_cast<std::size_t>(widest);
  const std::size_t bytes = sizeof(T) * (per_column * (1 + static_cast<std::size_t>(tangents)) +
                                         per_sample);
  const std::size_t fit = cuda_gradient_tile_bytes / bytes;
  return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(fit, most)));
}

/// Samples whose columns one host thread fills or reads at a time.
inline constexpr int device_tile_block = 16;

/**
 * @brief The per-sample losses of the @p n samples (row-major n × D, host) into @p losses, and,
 *        unless @p gradient is null, the gradient of their mean into @p gradient, on the device
 *        of @p ctx in tiles of @p tile_samples samples (device_tile_samples).
 * @throw invalid_argument_error naming `samples` (n = 0) or `tile samples` (0)
 */
template <class T>
void device_loss_gradient(const context& ctx, const mlp_network<T>& net, const T* samples,
                          std::uint64_t n, const loss_gradient_options& opt,
                          const gradient_streams_at& at, int tile_samples, double* losses,
                          T* gradient) {
  SCOREPATH_EXPECTS(n >= 1, "samples", n, "must hold at least one sample");
  SCOREPATH_EXPECTS(tile_samples >= 1, "tile samples", tile_samples, "must be at least 1");
  const int d = net.dim();
  const std::size_t w_in = net.width(0);
  const int k = gradient_tangents(opt, d);
  const std::size_t stride = 1 + static_cast<std::size_t>(k);
  const int tile = static_cast<int>(std::min<std::uint64_t>(tile_samples, n));
  const auto cap = static_cast<std::size_t>(tile);
  mlp_device_tape<T> tape(ctx, net, tile, k);
  std::vector<T> in(cap * stride * w_in), out(cap * stride * d), adj(cap * stride * d);
  std::vector<T> noise(cap * d), sigma(cap);
  const std::size_t basis = static_cast<std::size_t>(d) * d;
  const std::size_t drawn = static_cast<std::size_t>(k) * d;
  for (std::uint64_t first = 0; first < n; first += cap) {
    const int count = static_cast<int>(std::min<std::uint64_t>(cap, n - first));
    const std::uint64_t blocks = (count + device_tile_block - 1) / device_tile_block;
    // Each block of samples: [begin, end) of this tile.
    auto block_of = [&](std::uint64_t b) {
      const int begin = static_cast<int>(b) * device_tile_block;
      return std::pair<int, int>(begin, std::min(count, begin + device_tile_block));
    };
    cpu_for_each<std::vector<T>>(
        ctx, blocks, cpu_block_schedule::even,
        [&](std::vector<T>& buffers) { buffers.resize(basis + drawn); },
        [&](std::uint64_t b, std::vector<T>& buffers) {
          const probe_buffers<T> scratch{buffers.data(), buffers.data() + basis};
          const auto [begin, end] = block_of(b);
          for (int s = begin; s < end; ++s) {
            const std::uint64_t id = first + static_cast<std::uint64_t>(s);
            sigma[s] = fill_sample_columns(net, opt, samples + id * d, id, at, scratch,
                                           in.data() + s * stride * w_in,
                                           noise.data() + static_cast<std::size_t>(s) * d);
          }
        });
    tape.forward(in.data(), count, out.data());
    cpu_for_each<int>(
        ctx, blocks, cpu_block_schedule::even, [](int&) {},
        [&](std::uint64_t b, int&) {
          const auto [begin, end] = block_of(b);
          for (int s = begin; s < end; ++s) {
            const std::size_t c0 = s * stride;
            losses[first + s] = sample_loss_adjoints(
                net, opt, in.data() + c0 * w_in, out.data() + c0 * d, adj.data() + c0 * d,
                sigma[s], noise.data() + static_cast<std::size_t>(s) * d);
          }
        });
    if (gradient != nullptr) tape.backward(adj.data());
  }
  if (gradient == nullptr) return;
  std::vector<T> sum(net.parameters().size());
  tape.gradient(sum.data());
  for (std::size_t p = 0; p < sum.size(); ++p) {
    gradient[p] = static_cast<T>(static_cast<double>(sum[p]) / static_cast<double>(n));
  }
}

}  // namespace scorepath::detail
