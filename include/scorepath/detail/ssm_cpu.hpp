/**
 * @file detail/ssm_cpu.hpp
 * @brief The CPU backend of sliced_score_matching: the per-block body (SIMD packs of samples
 *        through ssm_one_sample, ssm_sample.hpp) and the fold of block statistics, run by the CPU
 *        driver (detail/cpu_driver.hpp) once the probe law and tangent count are chosen.
 */
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_lanes.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/em_path.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/ssm_sample.hpp"
#include "scorepath/vectorizable.hpp"

namespace scorepath::detail {

/// Lane type for @p Model on the CPU: a SIMD pack when the model allows it.
template <class Model, class T>
using ssm_cpu_lane_t =
    std::conditional_t<is_vectorizable<Model>::value,
                       cpu_pack_t<T>,
                       T>;

/// Writes lane l < count of @p value to base[l·stride].
template <class T, class R>
inline void scatter_lanes(T* base, std::uint64_t stride, const R& value, int count) {
  if constexpr (lane_traits<R>::lanes == 1) {
    (void)count;
    *base = value;
  } else {
    for (int l = 0; l < count; ++l) base[l * stride] = value[l];
  }
}

/// Loads samples [first, first + count) of a row-major N×D array into the lanes of @p x; lanes
/// past @p count repeat the last of them. The rows are copied contiguously into a small tile
/// first, so the transposition into lanes reads the cache rather than memory D values apart.
template <class R, class T, int D>
inline void gather_sample_lanes(vec<R, D>& x, const T* samples, std::uint64_t first, int count) {
  constexpr int W = lane_traits<R>::lanes;
  if constexpr (W == 1) {
    (void)count;
    for (int i = 0; i < D; ++i) x[i] = samples[first * D + i];
  } else {
    alignas(64) T tile[W * D];
    std::memcpy(tile, samples + first * D, sizeof(T) * D * static_cast<std::size_t>(count));
    for (int l = count; l < W; ++l) {
      std::memcpy(tile + l * D, tile + (count - 1) * D, sizeof(T) * D);
    }
    for (int i = 0; i < D; ++i) {
      for (int l = 0; l < W; ++l) x[i].v[l] = tile[l * D + i];
    }
  }
}

/// Writes lanes [0, count) of @p s as samples [first, first + count) of a row-major N×D array.
/// The packs go through a small tile so that the output is written row by row, not lane by lane
/// with stride D.
template <class R, class T, int D>
inline void store_sample_lanes(T* out, const vec<R, D>& s, std::uint64_t first, int count) {
  constexpr int W = lane_traits<R>::lanes;
  if constexpr (W == 1) {
    (void)count;
    for (int i = 0; i < D; ++i) out[first * D + i] = s[i];
  } else {
    alignas(64) T tile[D * W];
    for (int i = 0; i < D; ++i) lane_store(tile + i * W, s[i]);
    for (int l = 0; l < count; ++l) {
      for (int i = 0; i < D; ++i) out[(first + l) * D + i] = tile[i * W + l];
    }
  }
}

/// Per-probe outputs of the samples [first, first + count) of a pack.
template <class T, int D>
struct ssm_cpu_sink {
  const ssm_plan<T>& plan;
  std::uint64_t first;
  int count;
  template <class R>
  void on_probe(std::uint32_t j, const R& proj, const R& div, const vec<R, D>& v) const {
    const std::uint64_t m = plan.probes;
    if (plan.projections) scatter_lanes(plan.projections + first * m + j, m, proj, count);
    if (plan.divergences) scatter_lanes(plan.divergences + first * m + j, m, div, count);
    if (plan.probe_values) {
      for (int i = 0; i < D; ++i) {
        scatter_lanes(plan.probe_values + (first * m + j) * D + i, m * D, v[i], count);
      }
    }
  }
};

/// Runs @p plan on the CPU for probe-law type @p Law and @p K tangents per dual evaluation.
template <class Law, int K, class Model, class T>
void ssm_run_cpu_with(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                      grouped_moments& totals) {
  using R = ssm_cpu_lane_t<Model, T>;
  constexpr int W = lane_traits<R>::lanes;
  constexpr int D = Model::dim;
  constexpr std::uint64_t B = block_decomposition::block_items;
  static_assert(B % W == 0, "reduction blocks must hold whole packs");
  const std::uint32_t rows = plan.rows();
  const T scale = static_cast<T>(plan.scale);
  cpu_run_blocks<moment_accumulator, std::vector<T>>(
      ctx, block_decomposition(plan.count, plan.chunk), cpu_block_schedule::balanced, rows,
      [&](std::vector<T>& scratch) { scratch.resize(static_cast<std::size_t>(rows) * B); },
      [&](const item_range& block, std::vector<T>& scratch, moment_accumulator* stats) {
        for (std::uint64_t lane0 = 0; lane0 < block.size; lane0 += W) {
          const std::uint64_t first = block.begin + lane0;
          const int count = static_cast<int>(std::min<std::uint64_t>(W, plan.count - first));
          vec<R, D> x;
          gather_sample_lanes(x, plan.samples, first, count);  // results of extra lanes unused
          lane_word_t<R> lo, hi;
          subsequence_lanes<R>(plan.base_subsequence, first, lo, hi);
          typename Law::template generator<R, D> gen(plan.probes, plan.seed, lo, hi);
          const ssm_cpu_sink<T, D> sink{plan, first, count};
          const ssm_sample_terms<R> terms = ssm_one_sample<K>(model, x, plan.probes, gen, sink);
          lane_store(scratch.data() + lane0, terms.ssm);
          lane_store(scratch.data() + B + lane0, terms.ssm_vr);
          if (plan.ism) {
            lane_store(scratch.data() + 2 * B + lane0, ism_one_sample<ism_tangents<D>>(model, x));
          }
        }
        for (std::uint32_t r = 0; r < rows; ++r) {
          const T* row = scratch.data() + r * B;
          stats[r] = summarize_block(row, block.size);
          if (plan.per_sample[r] != nullptr) {
            for (std::uint64_t i = 0; i < block.size; ++i) {
              plan.per_sample[r][block.begin + i] = row[i] * scale;
            }
          }
        }
      },
      fold_into(totals));
}

/// Runs @p plan on the CPU with probes of law type @p Law (plan.law is not read); statistics
/// (block-ordered) go to @p totals.
template <class Law, class Model, class T>
void ssm_run_cpu_law(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                     grouped_moments& totals) {
  dispatch_tangents(plan.probes, [&](auto k_tag) {
    ssm_run_cpu_with<Law, decltype(k_tag)::value>(ctx, plan, model, totals);
  });
}

/// Runs @p plan on the CPU with the named law plan.law. The law/tangent dispatch only picks the
/// instantiation: the work is in a named function, not in the generic lambda.
template <class Model, class T>
void ssm_run_cpu(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                 grouped_moments& totals) {
  dispatch_law_and_tangents(plan.law, plan.probes, [&](auto law_tag, auto k_tag) {
    ssm_run_cpu_with<named_probe_law<decltype(law_tag)::value>, decltype(k_tag)::value>(
        ctx, plan, model, totals);
  });
}

}  // namespace scorepath::detail
