/**
 * @file detail/ssm_sample_rows.hpp
 * @brief The per-sample SSM, SSM-VR and ISM terms of an engine that evaluates whole samples (the
 *        run-time network and mixture, caller-given probes), turned into sliced_score_matching's report and
 *        per-sample outputs exactly as its block engine reduces them.
 */
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath::detail {

/// Unscaled per-sample terms: rows[0] SSM, rows[1] SSM-VR, rows[2] ISM (when asked for).
template <class T>
struct ssm_sample_rows {
  std::uint64_t count = 0;
  std::vector<T> rows[3];

  /// Sized for @p n samples; the ISM row only when @p ism.
  ssm_sample_rows(std::uint64_t n, bool ism) : count(n) {
    rows[0].resize(n);
    rows[1].resize(n);
    if (ism) rows[2].resize(n);
  }
  bool has_ism() const { return !rows[2].empty(); }
};

/// Where an engine's probes come from: the caller's, or drawn from Philox (probes.hpp's rule).
template <class T>
struct ssm_probe_source {
  const T* given = nullptr;    ///< N·M·D caller probes, or null to draw
  probe_law law = probe_law::gaussian;
  std::uint64_t seed = 0;
  std::uint64_t base = 0;      ///< first subsequence of the call
};

/// The per-probe outputs of sample @p s's probe @p j (each written when wanted).
template <class T>
void store_probe_outputs(const ssm_outputs<T>& out, std::uint64_t s, std::uint32_t m,
                         std::uint32_t j, int dim, T projection, T divergence, const T* probe) {
  const std::uint64_t at = s * m + j;
  if (out.projections.wanted()) out.projections.data[at] = projection;
  if (out.divergences.wanted()) out.divergences.data[at] = divergence;
  if (out.probes.wanted()) std::copy(probe, probe + dim, out.probes.data + at * dim);
}

/**
 * @brief Writes the per-sample outputs (terms × scale) and reduces each row as the block engine
 *        does: fixed blocks of statistics_block samples, folded in order into their groups.
 */
template <class T>
void finish_ssm_report(const ssm_sample_rows<T>& terms, double scale, const ssm_outputs<T>& out,
                       ssm_report& report) {
  const output_span<T>* per_sample[3] = {&out.ssm_per_sample, &out.ssm_vr_per_sample,
                                         &out.ism_per_sample};
  const std::uint32_t rows = terms.has_ism() ? 3 : 2;
  const T typed_scale = static_cast<T>(scale);
  for (std::uint32_t r = 0; r < rows; ++r) {
    if (!per_sample[r]->wanted()) continue;
    const std::vector<T>& row = terms.rows[r];
    for (std::uint64_t s = 0; s < terms.count; ++s) per_sample[r]->data[s] = row[s] * typed_scale;
  }
  grouped_moments totals(rows);
  moment_accumulator block[3];
  for (std::uint64_t b = 0; b < terms.count; b += statistics_block) {
    const std::uint64_t n = std::min(statistics_block, terms.count - b);
    for (std::uint32_t r = 0; r < rows; ++r) {
      block[r] = summarize_block(terms.rows[r].data() + b, n);
    }
    totals.fold_blocks(block, b / statistics_block, 1);
  }
  report.ssm = to_loss(totals.total(0), scale);
  report.ssm_vr = to_loss(totals.total(1), scale);
  if (rows == 3) report.ism = to_loss(totals.total(2), scale);
  report.accumulators = std::move(totals);
}

/// Checks caller-given probes: N·M·D finite values in host memory.
template <class T>
void check_given_probes(input_span<T> probes, std::uint64_t n, std::uint32_t m, int dim) {
  const std::size_t need = checked_size_product(checked_size_product(n, m, "probes"),
                                                static_cast<std::uint64_t>(dim), "probes");
  SCOREPATH_EXPECTS(probes.data != nullptr && probes.size == need, "probes size", probes.size,
                    "must equal samples × probes × D = " + std::to_string(need));
  SCOREPATH_EXPECTS(probes.space == memory_space::host, "probes space", "device",
                    "the CPU backend needs host memory");
  require_finite_rows("probes", probes.data, probes.size, static_cast<std::size_t>(dim));
}

}  // namespace scorepath::detail
