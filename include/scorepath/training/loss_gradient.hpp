/**
 * @file training/loss_gradient.hpp
 * @brief A score-matching loss of an mlp_network on a batch of samples and its gradient in the
 *        network's parameters, by a reverse sweep over the recorded forward-mode pass
 *        (training/mlp_tape.hpp).
 *
 * Per sample x_s (D values), with S = S(x_s; θ) and, for the sliced losses, the M probes v_j that
 * sliced_score_matching draws for it (the same Philox subsequence rule, so the per-sample losses
 * agree with its per-sample outputs):
 * - ssm:    (1/M) Σ_j [(v_jᵀS)² + 2 v_jᵀ J v_j]
 * - ssm_vr: ‖S‖² + (2/M) Σ_j v_jᵀ J v_j
 * - ism:    ‖S‖² + 2 tr J (exact, D basis tangents)
 * - dsm:    ‖σ S(x_s + σε) + ε‖², ε ~ N(0, I) from the sample's subsequence: denoising score
 *           matching at noise σ, weighted by λ = σ² (its minimiser is the score of the data
 *           smoothed by N(0, σ²I))
 * A network conditioned on noise (noise_conditioning.hpp) is trained on perturbed samples: sample s
 * draws its time or level and ε (detail::draw_perturbation) and is replaced by α·x_s + σ·ε; its
 * score is the output over σ, and its loss is weighted by λ = σ² (dsm at that σ, with that weight
 * built in: ‖σS + ε‖²; `noise_scale` is then unused).
 * `half_scaling` halves every loss. The report gives the mean over samples and its standard
 * error; the gradient is that of the mean. The batch is cut into tiles of tile_samples samples,
 * tiles into at most gradient_groups groups by their order alone; a group's gradient is summed tile
 * by tile on one thread and the groups are added in order, so the gradient is bitwise the same for
 * any thread count.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "scorepath/config.hpp"
#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/training/gradient_columns.hpp"
#include "scorepath/training/loss_options.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/mlp_tape.hpp"
#include "scorepath/training/runtime_probes.hpp"
#if SCOREPATH_HAVE_CUDA
#include "scorepath/training/device_loss_gradient.hpp"
#endif

namespace scorepath {

/// What score_loss_gradient reports.
struct loss_gradient_report {
  loss_estimate loss;  ///< mean loss over the batch and its standard error
  rng_state rng;       ///< stream state the probes or noise were drawn from (replay)
  backend used = backend::cpu;  ///< where the layers ran
};

/// Samples per tile of the gradient engine.
inline constexpr int gradient_tile_samples = 16;
/// Most groups of tiles whose gradients are summed separately (memory: groups × parameters).
inline constexpr std::uint64_t gradient_groups = 64;

namespace detail {

/// What a thread keeps from tile to tile.
template <class T>
struct gradient_scratch {
  mlp_tape<T> tape;
  std::vector<T> basis;   ///< D·D for orthogonal probes
  std::vector<T> probes;  ///< M·D, a conditioned network's probes before they enter the columns
  std::vector<T> noise;   ///< tile·D: ε of dsm and of a conditioned network's perturbation
  std::vector<T> sigma;   ///< tile: each sample's noise level (conditioned networks)
};

/**
 * @brief Fills the tile's input columns, runs it forward and backward, writes its per-sample
 *        losses to @p losses and adds its gradient (scaled by the loss scale) to @p gradient
 *        (null: loss only). @p at says where its probes and noise are drawn from.
 */
template <class T>
void gradient_tile(const mlp_network<T>& net, const loss_gradient_options& opt, const T* samples,
                   std::uint64_t first, int n, const gradient_streams_at& at,
                   gradient_scratch<T>& scratch, double* losses, T* gradient) {
  const int d = net.dim();
  const int w_in = net.width(0);
  const int k = gradient_tangents(opt, d);
  const std::size_t stride = 1 + static_cast<std::size_t>(k);
  mlp_tape<T>& tape = scratch.tape;
  if (tape.samples != n || tape.tangents != k) tape.size_for(net, n, k);
  T* in = tape.inputs[0].data();
  const probe_buffers<T> buffers{scratch.basis.data(), scratch.probes.data()};
  for (int s = 0; s < n; ++s) {
    const std::uint64_t id = first + static_cast<std::uint64_t>(s);
    scratch.sigma[s] = fill_sample_columns(net, opt, samples + id * d, id, at, buffers,
                                           in + s * stride * w_in,
                                           scratch.noise.data() + static_cast<std::size_t>(s) * d);
  }
  tape_forward(net, tape);
  for (int s = 0; s < n; ++s) {
    const std::size_t c0 = s * stride;
    const T* eps = scratch.noise.data() + static_cast<std::size_t>(s) * d;
    losses[first + s] = sample_loss_adjoints(net, opt, in + c0 * w_in, tape.output.data() + c0 * d,
                                             tape.adjoint.data() + c0 * d, scratch.sigma[s], eps);
  }
  if (gradient != nullptr) tape_backward(net, tape, gradient);
}

}  // namespace detail

/**
 * @brief Every check score_loss_gradient makes before it draws or computes anything, alone.
 * @throw as score_loss_gradient
 */
template <class T>
void validate_loss_gradient(const context& ctx, const mlp_network<T>& net, input_span<T> samples,
                            const loss_gradient_options& opt, output_span<T> gradient = {}) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  const int d = net.dim();
  SCOREPATH_EXPECTS(samples.data != nullptr && samples.size > 0, "samples", "empty",
                    "must hold at least one sample");
  SCOREPATH_EXPECTS(samples.size % static_cast<std::size_t>(d) == 0, "samples size", samples.size,
                    "must be a multiple of the network dimension " + std::to_string(d));
  SCOREPATH_EXPECTS(samples.space == memory_space::host, "samples space", "device",
                    "the gradient engine reads and writes host memory");
  const bool loss_ok = opt.loss == score_loss::ssm || opt.loss == score_loss::ssm_vr ||
                       opt.loss == score_loss::ism || opt.loss == score_loss::dsm;
  SCOREPATH_EXPECTS(loss_ok, "loss", static_cast<int>(opt.loss),
                    "must be one of ssm, ssm_vr, ism, dsm");
  const bool sliced = opt.loss == score_loss::ssm || opt.loss == score_loss::ssm_vr;
  if (sliced) {
    SCOREPATH_EXPECTS(opt.probes >= 1 && opt.probes <= 1024, "probes", opt.probes,
                      "must be between 1 and 1024");
    SCOREPATH_EXPECTS(is_probe_law(opt.law), "law", static_cast<int>(opt.law),
                      "must be one of gaussian, rademacher, sphere, orthogonal");
  }
  if (opt.loss == score_loss::dsm && !net.conditioning().conditioned()) {
    SCOREPATH_EXPECTS(std::isfinite(opt.noise_scale) && opt.noise_scale > 0, "noise_scale",
                      opt.noise_scale, "must be positive and finite");
  }
  check_span_not_dangling(gradient, "gradient");
  const std::size_t params = net.parameters().size();
  if (gradient.wanted()) {
    SCOREPATH_EXPECTS(gradient.size == params, "gradient size", gradient.size,
                      "must equal the parameter count " + std::to_string(params));
    SCOREPATH_EXPECTS(gradient.space == memory_space::host, "gradient space", "device",
                      "the gradient engine reads and writes host memory");
  }
  detail::require_finite_rows("samples", samples.data, samples.size, static_cast<std::size_t>(d));
  (void)ctx;  // either backend runs the engine
}

namespace detail {

/// How the gradient engine cuts a batch of n samples: tiles of gradient_tile_samples, in at most
/// gradient_groups groups of consecutive tiles, by their order alone.
struct gradient_layout {
  explicit gradient_layout(std::uint64_t samples)
      : n(samples),
        tiles((samples + gradient_tile_samples - 1) / gradient_tile_samples),
        tiles_per_group((tiles + gradient_groups - 1) / gradient_groups),
        groups((tiles + tiles_per_group - 1) / tiles_per_group) {}
  std::uint64_t n;                ///< samples
  std::uint64_t tiles;            ///< tiles of gradient_tile_samples (the last may be short)
  std::uint64_t tiles_per_group;  ///< tiles summed into one group's gradient
  std::uint64_t groups;           ///< groups
  /// First sample of group @p g (n for g = groups).
  std::uint64_t first_sample(std::uint64_t g) const {
    return std::min(n, g * tiles_per_group * gradient_tile_samples);
  }
};

/// Subsequences one call reserves: N (probes or noise), 2N for a conditioned network.
template <class T>
std::uint64_t gradient_streams(const mlp_network<T>& net, std::uint64_t n) {
  return net.conditioning().conditioned() ? 2 * n : n;
}

/**
 * @brief Groups [first_group, first_group + count) of @p layout: each group's gradient summed tile
 *        by tile into its slice of @p group_gradients (count × parameters, group by group; null
 *        when no gradient is wanted), and the per-sample losses of its samples into
 *        @p losses[sample]. @p streams is where the call's reserved subsequences start.
 */
template <class T>
void compute_gradient_groups(const context& ctx, const mlp_network<T>& net, input_span<T> samples,
                             const loss_gradient_options& opt, const rng_state& streams,
                             const gradient_layout& layout, std::uint64_t first_group,
                             std::uint64_t count, T* group_gradients, double* losses) {
  const int d = net.dim();
  const std::size_t params = net.parameters().size();
  const int tangents = gradient_tangents(opt, d);
  const bool conditioned = net.conditioning().conditioned();
  const gradient_streams_at at{streams.seed, streams.next_subsequence,
                               streams.next_subsequence + layout.n};
  (void)matrix_kernel();  // chooses (and loads) the kernel here, before the workers start
  cpu_for_each<gradient_scratch<T>>(
      ctx, count, cpu_block_schedule::balanced,
      [&](gradient_scratch<T>& scratch) {
        scratch.tape.size_for(net, gradient_tile_samples, tangents);
        if (opt.law == probe_law::orthogonal) scratch.basis.resize(static_cast<std::size_t>(d) * d);
        if (conditioned) scratch.probes.resize(static_cast<std::size_t>(tangents) * d);
        scratch.noise.resize(static_cast<std::size_t>(gradient_tile_samples) * d);
        scratch.sigma.resize(gradient_tile_samples);
      },
      [&](std::uint64_t k, gradient_scratch<T>& scratch) {
        const std::uint64_t g = first_group + k;
        T* grad = group_gradients != nullptr ? group_gradients + k * params : nullptr;
        if (grad != nullptr) std::fill(grad, grad + params, T(0));
        const std::uint64_t last = std::min(layout.tiles, (g + 1) * layout.tiles_per_group);
        for (std::uint64_t t = g * layout.tiles_per_group; t < last; ++t) {
          const std::uint64_t first = t * gradient_tile_samples;
          const int tile = static_cast<int>(
              std::min<std::uint64_t>(gradient_tile_samples, layout.n - first));
          gradient_tile(net, opt, samples.data, first, tile, at, scratch, losses, grad);
        }
      });
}

/**
 * @brief The gradient: each parameter's @p groups group gradients added in group order (the same
 *        sums for any thread count), divided by @p n, over slices of the parameters in parallel.
 */
template <class T>
void sum_group_gradients(const context& ctx, const T* group_gradients, std::uint64_t groups,
                         std::size_t params, std::uint64_t n, T* gradient) {
  constexpr std::size_t slice = 4096;
  const std::uint64_t slices = (params + slice - 1) / slice;
  cpu_for_each<std::vector<double>>(
      ctx, slices, cpu_block_schedule::even,
      [&](std::vector<double>& sum) { sum.resize(slice); },
      [&](std::uint64_t c, std::vector<double>& sum) {
        const std::size_t first = c * slice, count = std::min(slice, params - first);
        std::fill(sum.begin(), sum.begin() + count, 0.0);
        for (std::uint64_t g = 0; g < groups; ++g) {
          const T* part = group_gradients + g * params + first;
          for (std::size_t k = 0; k < count; ++k) sum[k] += part[k];
        }
        for (std::size_t k = 0; k < count; ++k) {
          gradient[first + k] = static_cast<T>(sum[k] / static_cast<double>(n));
        }
      });
}

/// The per-sample losses reduced as sliced_score_matching reduces its terms: fixed blocks,
/// merged in order.
inline loss_estimate reduce_sample_losses(const double* losses, std::uint64_t n) {
  moment_accumulator total;
  for (std::uint64_t b = 0; b < n; b += statistics_block) {
    total.merge(summarize_block(losses + b, std::min(statistics_block, n - b)));
  }
  return to_loss(total, 1.0);
}

}  // namespace detail

/**
 * @brief The loss @p opt names of @p net on @p samples (row-major N×D), and its gradient in the
 *        parameters (the flat layout of scores/mlp.hpp) written to @p gradient when wanted.
 *
 * Sample s draws its probes (or its noise, for dsm) from subsequence `rng.reserve(N) + s`; a
 * conditioned network reserves 2N and draws sample s's perturbation from subsequence N + s after
 * the first. The numbers do not depend on the thread count. On a CUDA context the layers run on
 * the device (training/device_loss_gradient.hpp) and the samples and gradient stay in host memory;
 * the losses and gradient equal the CPU's to rounding, and are the same from run to run there.
 *
 * @throw invalid_argument_error naming the parameter (empty or non-finite samples, a size that is
 *        not a multiple of D, probes outside 1 … 1024, a law or loss out of range, a noise scale
 *        that is not positive and finite, a gradient of the wrong size, device memory); nothing
 *        is written then and the stream does not advance
 * @throw cuda_error when the device fails
 * @throw out_of_memory_error when the working memory cannot be allocated
 */
template <class T>
loss_gradient_report score_loss_gradient(const context& ctx, rng_stream& rng,
                                         const mlp_network<T>& net, input_span<T> samples,
                                         const loss_gradient_options& opt,
                                         output_span<T> gradient = {}) try {
  validate_loss_gradient(ctx, net, samples, opt, gradient);
  const std::uint64_t n = samples.size / net.dim();
  const detail::gradient_layout layout(n);
  const std::size_t params = net.parameters().size();
  std::vector<double> losses(n);
  loss_gradient_report report;
  report.used = ctx.kind();
#if SCOREPATH_HAVE_CUDA
  if (ctx.kind() == backend::cuda) {
    const std::uint64_t seed = rng.seed();
    const std::uint64_t base = rng.reserve(detail::gradient_streams(net, n));
    report.rng = rng_state{seed, base};
    detail::device_loss_gradient(ctx, net, samples.data, n, opt,
                                 detail::gradient_streams_at{seed, base, base + n},
                                 detail::device_tile_samples(
                                     net, detail::gradient_tangents(opt, net.dim()),
                                     detail::cuda_gradient_tile_samples),
                                 losses.data(),
                                 gradient.wanted() ? gradient.data : nullptr);
    report.loss = detail::reduce_sample_losses(losses.data(), n);
    return report;
  }
#endif
  std::vector<T> group_gradients;  // each group zeroes its own slice, on its own thread
  if (gradient.wanted()) group_gradients.resize(layout.groups * params);

  const std::uint64_t seed = rng.seed();
  const std::uint64_t base = rng.reserve(detail::gradient_streams(net, n));
  report.rng = rng_state{seed, base};
  detail::compute_gradient_groups(ctx, net, samples, opt, report.rng, layout, 0, layout.groups,
                                  gradient.wanted() ? group_gradients.data() : nullptr,
                                  losses.data());
  if (gradient.wanted()) {
    detail::sum_group_gradients(ctx, group_gradients.data(), layout.groups, params, n,
                                gradient.data);
  }
  report.loss = detail::reduce_sample_losses(losses.data(), n);
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("score_loss_gradient: memory for the call could not be allocated",
                            __FILE__, __LINE__);
}

}  // namespace scorepath
