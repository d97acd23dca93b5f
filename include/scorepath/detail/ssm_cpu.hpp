/**
 * @file detail/ssm_cpu.hpp
 * @brief The CPU backend of sliced_score_matching: OpenMP threads over reduction blocks, SIMD
 *        packs of samples within a block, ssm_one_sample (ssm_sample.hpp) as the body.
 */
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_lanes.hpp"
#include "scorepath/detail/chunking.hpp"
#include "scorepath/detail/cpu_threads.hpp"
#include "scorepath/detail/em_cpu.hpp"
#include "scorepath/detail/omp_exceptions.hpp"
#include "scorepath/detail/ssm_plan.hpp"
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
/// past @p count repeat the last of them.
template <class R, class T, int D>
inline void gather_sample_lanes(vec<R, D>& x, const T* samples, std::uint64_t first, int count) {
  constexpr int W = lane_traits<R>::lanes;
  for (int i = 0; i < D; ++i) {
    if constexpr (W == 1) {
      (void)count;
      x[i] = samples[first * D + i];
    } else {
      for (int l = 0; l < W; ++l) x[i].v[l] = samples[(first + std::min(l, count - 1)) * D + i];
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

template <class Model, class T>
void ssm_run_cpu(const context& ctx, const ssm_plan<T>& plan, const Model& model,
                 grouped_moments& totals) {
  using R = ssm_cpu_lane_t<Model, T>;
  constexpr int W = lane_traits<R>::lanes;
  constexpr int D = Model::dim;
  constexpr std::uint64_t B = statistics_block;
  static_assert(B % W == 0, "reduction blocks must hold whole packs");
  const std::uint32_t rows = plan.rows();
  const T scale = static_cast<T>(plan.scale);

  dispatch_law_and_tangents(plan.law, plan.probes, [&](auto law_tag, auto k_tag) {
    constexpr probe_law Law = decltype(law_tag)::value;
    constexpr int K = decltype(k_tag)::value;
    std::vector<moment_accumulator> block_acc;
    for (std::uint64_t chunk_begin = 0; chunk_begin < plan.count; chunk_begin += plan.chunk) {
      const std::uint64_t chunk_n = std::min(plan.chunk, plan.count - chunk_begin);
      const std::uint64_t blocks = pieces(chunk_n, B);
      block_acc.assign(blocks * rows, moment_accumulator{});
      const int threads = cpu_threads_for(ctx, blocks);
      omp_exception_trap trap;
#pragma omp parallel num_threads(threads)
      {
        std::vector<T> scratch;
        trap.run([&] { scratch.resize(static_cast<std::size_t>(rows) * B); });
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t b = 0; b < static_cast<std::int64_t>(blocks); ++b) trap.run([&] {
          const std::uint64_t block_begin = chunk_begin + static_cast<std::uint64_t>(b) * B;
          const std::uint64_t n = std::min<std::uint64_t>(B, plan.count - block_begin);
          for (std::uint64_t lane0 = 0; lane0 < n; lane0 += W) {
            const std::uint64_t first = block_begin + lane0;
            const int count = static_cast<int>(std::min<std::uint64_t>(W, plan.count - first));
            vec<R, D> x;
            gather_sample_lanes(x, plan.samples, first, count);  // results of extra lanes unused
            lane_word_t<R> lo, hi;
            subsequence_lanes<R>(plan.base_subsequence, first, lo, hi);
            probe_generator<Law, R, D> gen(plan.probes, plan.seed, lo, hi);
            const ssm_cpu_sink<T, D> sink{plan, first, count};
            const ssm_sample_terms<R> terms = ssm_one_sample<K>(model, x, plan.probes, gen, sink);
            lane_store(scratch.data() + lane0, terms.ssm);
            lane_store(scratch.data() + B + lane0, terms.ssm_vr);
            if (plan.ism) {
              lane_store(scratch.data() + 2 * B + lane0,
                         ism_one_sample<ism_tangents<D>>(model, x));
            }
          }
          for (std::uint32_t r = 0; r < rows; ++r) {
            const T* row = scratch.data() + r * B;
            block_acc[b * rows + r] = summarize_block(row, n);
            if (plan.per_sample[r] != nullptr) {
              for (std::uint64_t i = 0; i < n; ++i) plan.per_sample[r][block_begin + i] = row[i] * scale;
            }
          }
        });
      }
      trap.rethrow_if_failed();
      totals.fold_blocks(block_acc.data(), chunk_begin / B, blocks);
      if (chunk_n < plan.chunk) break;  // the last chunk: stepping on could wrap near 2^64
    }
  });
}

}  // namespace scorepath::detail
