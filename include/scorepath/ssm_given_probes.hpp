/**
 * @file ssm_given_probes.hpp
 * @brief Sliced score matching with the caller's own probes, so that the losses can be compared
 *        with another implementation probe for probe.
 *
 * The probes are N·M·D values, probe j of sample s at [(s·M + j)·D + i]: the layout of
 * ssm_outputs::probes, so the probes one sliced_score_matching call drew can be fed back. The
 * projections, divergences and the three losses are defined as in ssm.hpp; `opt.law` is not read
 * and no random numbers are drawn. Runs on the CPU backend, one sample at a time per thread (the
 * same per-sample code as the block engine, ssm_sample.hpp).
 */
#pragma once

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "scorepath/concepts.hpp"
#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/ssm_sample_rows.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/ssm_sample.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

namespace detail {

/// A probe "generator" that hands out the caller's probes of one sample in order.
template <class T, int D>
struct given_probe_reader {
  const T* next_probe;
  void next(vec<T, D>& v) {
    for (int i = 0; i < D; ++i) v[i] = next_probe[i];
    next_probe += D;
  }
};

/// Writes each probe's outputs for sample @p s.
template <class T, int D>
struct given_probe_sink {
  const ssm_outputs<T>& out;
  std::uint64_t s;
  std::uint32_t m;
  void on_probe(std::uint32_t j, T projection, T divergence, const vec<T, D>& v) const {
    store_probe_outputs(out, s, m, j, D, projection, divergence, &v[0]);
  }
};

/// Samples per work item of the given-probe engines.
inline constexpr std::uint64_t given_probe_block = 256;

}  // namespace detail

/**
 * @brief Sliced score matching of @p model on @p samples (row-major N×D) with the caller's
 *        @p probes (N·M·D, [(s·M + j)·D + i], M = opt.probes).
 * @throw invalid_argument_error naming the parameter, as sliced_score_matching, and `probes size`,
 *        `probes space` or `probes[k][i]` (not finite); nothing is written then
 * @throw unavailable_error for a CUDA context
 * @throw out_of_memory_error when the per-sample terms cannot be allocated
 */
template <class Model, class T = scalar_type_or_t<Model>>
ssm_report sliced_score_matching_with_probes(const context& ctx, const Model& model,
                                             input_span<T> samples, input_span<T> probes,
                                             const ssm_options& opt,
                                             const ssm_outputs<T>& out = {}) try {
  static_assert(score_model_requirements<Model>::value,
                "sliced_score_matching_with_probes: the model lacks what concepts.hpp lists");
  constexpr int D = Model::dim;
  ssm_options checked = opt;
  checked.law = probe_law::gaussian;  // not read: the caller's probes are used
  detail::check_ssm_request(ctx, samples, D, checked, out);
  const std::uint64_t n = samples.size / D;
  const std::uint32_t m = opt.probes;
  detail::check_given_probes(probes, n, m, D);
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error("sliced_score_matching_with_probes runs on the CPU backend", __FILE__,
                            __LINE__);
  }
  detail::ssm_sample_rows<T> terms(n, opt.exact_ism);
  const std::uint64_t blocks = (n + detail::given_probe_block - 1) / detail::given_probe_block;
  detail::cpu_for_each<detail::no_scratch>(
      ctx, blocks, detail::cpu_block_schedule::balanced, [](detail::no_scratch&) {},
      [&](std::uint64_t b, detail::no_scratch&) {
        const std::uint64_t end = std::min(n, (b + 1) * detail::given_probe_block);
        for (std::uint64_t s = b * detail::given_probe_block; s < end; ++s) {
          vec<T, D> x;
          for (int i = 0; i < D; ++i) x[i] = samples.data[s * D + i];
          detail::given_probe_reader<T, D> reader{probes.data + s * m * D};
          const detail::given_probe_sink<T, D> sink{out, s, m};
          const ssm_sample_terms<T> t = ssm_one_sample<1>(model, x, m, reader, sink);
          terms.rows[0][s] = t.ssm;
          terms.rows[1][s] = t.ssm_vr;
          if (opt.exact_ism) terms.rows[2][s] = ism_one_sample<detail::ism_tangents<D>>(model, x);
        }
      });
  ssm_report report;
  report.used = backend::cpu;
  detail::finish_ssm_report(terms, opt.half_scaling ? 0.5 : 1.0, out, report);
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error(
      "sliced_score_matching_with_probes: memory for the call could not be allocated", __FILE__,
      __LINE__);
}

}  // namespace scorepath
