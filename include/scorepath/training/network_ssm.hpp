/**
 * @file training/network_ssm.hpp
 * @brief Sliced score matching of a run-time network (training/mlp_network.hpp), any D ≥ 1: the
 *        losses of ssm.hpp with the network's layers as matrix products over tiles of samples and
 *        their probe tangents (the training engine's forward pass, training/mlp_tape.hpp).
 *
 * The same interface as for compiled models: `sliced_score_matching(ctx, rng, net, samples, opt,
 * out)` draws sample s's probes from subsequence `rng.reserve(N) + s` by the rule of probes.hpp,
 * so its numbers agree with those of an mlp_score<T, D> with the same parameters (to rounding);
 * `sliced_score_matching_with_probes(ctx, net, samples, probes, opt, out)` takes the caller's
 * probes in the layout of ssm_outputs::probes. Results do not depend on the thread count. Runs on
 * the CPU backend; a network conditioned on noise is refused (its losses are those of training,
 * training/loss_gradient.hpp).
 */
#pragma once

#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/ssm_sample_rows.hpp"
#include "scorepath/error.hpp"
#include "scorepath/matrix_product.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/mlp_tape.hpp"
#include "scorepath/training/runtime_probes.hpp"

namespace scorepath {

namespace detail {

/// Most probes per sample: a tile holds every probe's column.
inline constexpr std::uint32_t network_ssm_max_probes = 1024;
/// Basis vectors per forward pass of the exact trace (the D of them go in passes of this many).
inline constexpr int network_ism_chunk = 32;

/// Samples per tile: up to 64, fewer when each has many tangent columns.
inline int network_ssm_tile_samples(int tangents) {
  return std::max(1, std::min(64, 2048 / (1 + tangents)));
}

/// A thread's tapes and orthogonal-law scratch.
template <class T>
struct network_ssm_scratch {
  mlp_tape<T> tape;        ///< each sample and its M probes
  mlp_tape<T> trace_tape;  ///< each sample and a chunk of basis vectors (exact ISM)
  std::vector<T> basis;
};

/**
 * @brief Runs the tile's samples [first, first + n) forward with basis vectors e_{c0} …
 *        e_{c0+chunk−1} as their tangents (columns past D are zero): afterwards output column
 *        s·(1 + chunk) + 1 + t of @p tape holds J e_{c0+t} of sample s. An unconditioned network.
 */
template <class T>
void network_basis_forward(const mlp_network<T>& net, const T* samples, std::uint64_t first,
                           int n, int c0, int chunk, mlp_tape<T>& tape) {
  const int d = net.dim();
  const int stride = 1 + chunk;
  if (tape.samples != n || tape.tangents != chunk) tape.size_for(net, n, chunk, false);
  T* in = tape.inputs[0].data();
  for (int s = 0; s < n; ++s) {
    T* col = in + static_cast<std::size_t>(s) * stride * d;
    const T* x = samples + (first + s) * d;
    std::copy(x, x + d, col);
    for (int t = 0; t < chunk; ++t) {
      T* e = col + static_cast<std::size_t>(1 + t) * d;
      for (int i = 0; i < d; ++i) e[i] = T(i == c0 + t ? 1 : 0);
    }
  }
  tape_forward(net, tape, false);
}

/// tr J of the tile's samples into @p trace: the basis vectors in chunks of network_ism_chunk
/// (the last chunk padded with zero columns), the diagonal of J summed in coordinate order.
template <class T>
void network_tile_trace(const mlp_network<T>& net, const T* samples, std::uint64_t first, int n,
                        mlp_tape<T>& tape, T* trace) {
  const int d = net.dim();
  const int chunk = std::min(d, network_ism_chunk);
  const int stride = 1 + chunk;
  std::fill(trace, trace + n, T(0));
  for (int c0 = 0; c0 < d; c0 += chunk) {
    network_basis_forward(net, samples, first, n, c0, chunk, tape);
    for (int s = 0; s < n; ++s) {
      const std::size_t c = static_cast<std::size_t>(s) * stride;
      for (int t = 0; t < chunk && c0 + t < d; ++t) {
        trace[s] += tape.output[(c + 1 + t) * d + c0 + t];
      }
    }
  }
}

/**
 * @brief One tile of samples [first, first + n): fills the columns (x and its M probes), runs the
 *        network forward and writes the per-sample terms and the per-probe outputs; for exact ISM
 *        the trace comes from further passes over chunks of basis vectors.
 */
template <class T>
void network_ssm_tile(const mlp_network<T>& net, const ssm_options& opt, const T* samples,
                      std::uint64_t first, int n, const ssm_probe_source<T>& probes,
                      network_ssm_scratch<T>& scratch, const ssm_outputs<T>& out,
                      ssm_sample_rows<T>& terms) {
  const int d = net.dim();
  const std::uint32_t m = opt.probes;
  const int k = static_cast<int>(m);  // at most network_ssm_max_probes
  const int stride = 1 + k;
  mlp_tape<T>& tape = scratch.tape;
  if (tape.samples != n || tape.tangents != k) tape.size_for(net, n, k, false);
  T* in = tape.inputs[0].data();
  for (int s = 0; s < n; ++s) {
    const std::uint64_t id = first + static_cast<std::uint64_t>(s);
    T* col = in + static_cast<std::size_t>(s) * stride * d;
    std::copy(samples + id * d, samples + (id + 1) * d, col);
    if (probes.given != nullptr) {
      const T* given = probes.given + id * m * d;
      std::copy(given, given + static_cast<std::size_t>(m) * d, col + d);
    } else {
      draw_runtime_probes(probes.law, m, d, probes.seed, probes.base + id, col + d,
                          scratch.basis.data());
    }
  }
  tape_forward(net, tape, false);
  T trace[64];  // tiles hold at most 64 samples
  if (opt.exact_ism) network_tile_trace(net, samples, first, n, scratch.trace_tape, trace);

  const T* output = tape.output.data();
  const T inv_m = T(1) / static_cast<T>(m);
  for (int s = 0; s < n; ++s) {
    const std::uint64_t id = first + static_cast<std::uint64_t>(s);
    const std::size_t c0 = static_cast<std::size_t>(s) * stride;
    const T* score = output + c0 * d;
    T norm2 = T(0);
    for (int i = 0; i < d; ++i) norm2 += score[i] * score[i];
    T quad_sum = T(0), div_sum = T(0);
    for (std::uint32_t j = 0; j < m; ++j) {
      const T* v = in + (c0 + 1 + j) * d;
      const T* jv = output + (c0 + 1 + j) * d;
      T proj = T(0), div = T(0);
      for (int i = 0; i < d; ++i) {
        proj += v[i] * score[i];
        div += v[i] * jv[i];
      }
      store_probe_outputs(out, id, m, j, d, proj, div, v);
      quad_sum += proj * proj + T(2) * div;
      div_sum += div;
    }
    terms.rows[0][id] = quad_sum * inv_m;
    terms.rows[1][id] = norm2 + T(2) * div_sum * inv_m;
    if (opt.exact_ism) terms.rows[2][id] = norm2 + T(2) * trace[s];
  }
}

/// Checks what only the network engine needs: M ≤ 1024, the CPU backend, an unconditioned network.
template <class T>
void check_network_ssm(const context& ctx, const mlp_network<T>& net, const ssm_options& opt) {
  SCOREPATH_EXPECTS(opt.probes <= network_ssm_max_probes, "probes", opt.probes,
                    "must be at most " + std::to_string(network_ssm_max_probes) +
                        " for an mlp_network (a tile holds every probe's column)");
  SCOREPATH_EXPECTS(!net.conditioning().conditioned(), "network conditioning",
                    to_string(net.conditioning().kind),
                    "must be none for sliced score matching; a conditioned network's losses are "
                    "those of score_loss_gradient");
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error("sliced score matching of an mlp_network runs on the CPU backend",
                            __FILE__, __LINE__);
  }
}

/// The tiles of a checked call, on the CPU driver's threads.
template <class T>
ssm_report run_network_ssm(const context& ctx, const mlp_network<T>& net, input_span<T> samples,
                           const ssm_options& opt, const ssm_outputs<T>& out,
                           const ssm_probe_source<T>& probes) {
  const int d = net.dim();
  const std::uint64_t n = samples.size / static_cast<std::uint64_t>(d);
  const int tangents = static_cast<int>(opt.probes);
  const int trace_tangents = opt.exact_ism ? std::min(d, network_ism_chunk) : 0;
  const int tile = network_ssm_tile_samples(std::max(tangents, trace_tangents));
  const std::uint64_t tiles = (n + tile - 1) / tile;
  ssm_sample_rows<T> terms(n, opt.exact_ism);
  (void)matrix_kernel();  // chooses (and loads) the kernel before the workers start
  cpu_for_each<network_ssm_scratch<T>>(
      ctx, tiles, cpu_block_schedule::balanced,
      [&](network_ssm_scratch<T>& scratch) {
        scratch.tape.size_for(net, tile, tangents, false);
        if (trace_tangents > 0) scratch.trace_tape.size_for(net, tile, trace_tangents, false);
        if (probes.given == nullptr && opt.law == probe_law::orthogonal) {
          scratch.basis.resize(static_cast<std::size_t>(d) * d);
        }
      },
      [&](std::uint64_t t, network_ssm_scratch<T>& scratch) {
        const std::uint64_t first = t * tile;
        const int count = static_cast<int>(std::min<std::uint64_t>(tile, n - first));
        network_ssm_tile(net, opt, samples.data, first, count, probes, scratch, out, terms);
      });
  ssm_report report;
  report.used = backend::cpu;
  finish_ssm_report(terms, opt.half_scaling ? 0.5 : 1.0, out, report);
  return report;
}

}  // namespace detail

/**
 * @brief Every check sliced_score_matching(ctx, rng, net, samples, opt, out) makes before it
 *        draws or computes anything, alone.
 * @throw as that call
 */
template <class T>
void validate_ssm(const context& ctx, const mlp_network<T>& net, input_span<T> samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  detail::check_ssm_request(ctx, samples, net.dim(), opt, out);
  detail::check_network_ssm(ctx, net, opt);
}

/// validate_ssm of a run-time network for host samples in a vector.
template <class T>
void validate_ssm(const context& ctx, const mlp_network<T>& net, const std::vector<T>& samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  validate_ssm(ctx, net, host_input(samples.data(), samples.size()), opt, out);
}

/**
 * @brief Sliced score matching of the run-time network @p net on @p samples (row-major N×D, D =
 *        net.dim()), probes of the named law `opt.law` drawn from @p rng; the report and outputs
 *        of the compiled-model overload (ssm.hpp).
 * @throw invalid_argument_error naming the parameter as that overload does, or `network
 *        conditioning` for a conditioned network; nothing is written then and the stream does not
 *        advance
 * @throw unavailable_error for a CUDA context
 * @throw out_of_memory_error when the tiles' memory cannot be allocated
 */
template <class T>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const mlp_network<T>& net,
                                 input_span<T> samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) try {
  validate_ssm(ctx, net, samples, opt, out);
  detail::ssm_probe_source<T> probes;
  probes.law = opt.law;
  probes.seed = rng.seed();
  probes.base = rng.reserve(samples.size / static_cast<std::size_t>(net.dim()));
  ssm_report report = detail::run_network_ssm(ctx, net, samples, opt, out, probes);
  report.rng = rng_state{probes.seed, probes.base};
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sliced_score_matching: memory for the call could not be allocated",
                            __FILE__, __LINE__);
}

/// sliced_score_matching of a run-time network for host samples in a vector.
template <class T>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const mlp_network<T>& net,
                                 const std::vector<T>& samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) {
  return sliced_score_matching(ctx, rng, net, host_input(samples.data(), samples.size()), opt,
                               out);
}

/**
 * @brief Sliced score matching of @p net with the caller's @p probes (N·M·D values, probe j of
 *        sample s at [(s·M + j)·D + i], M = opt.probes); `opt.law` is not read.
 * @throw as the overload above, and invalid_argument_error naming `probes size`, `probes space`
 *        or `probes[k][i]` (not finite)
 */
template <class T>
ssm_report sliced_score_matching_with_probes(const context& ctx, const mlp_network<T>& net,
                                             input_span<T> samples, input_span<T> probes,
                                             const ssm_options& opt,
                                             const ssm_outputs<T>& out = {}) try {
  ssm_options checked = opt;
  checked.law = probe_law::gaussian;  // not read: the caller's probes are used
  detail::check_ssm_request(ctx, samples, net.dim(), checked, out);
  detail::check_network_ssm(ctx, net, opt);
  detail::check_given_probes(probes, samples.size / static_cast<std::size_t>(net.dim()),
                             opt.probes, net.dim());
  detail::ssm_probe_source<T> source;
  source.given = probes.data;
  return detail::run_network_ssm(ctx, net, samples, checked, out, source);
} catch (const std::bad_alloc&) {
  throw out_of_memory_error(
      "sliced_score_matching_with_probes: memory for the call could not be allocated", __FILE__,
      __LINE__);
}

}  // namespace scorepath
