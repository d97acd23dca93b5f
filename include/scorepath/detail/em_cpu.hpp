/**
 * @file detail/em_cpu.hpp
 * @brief The CPU backend of simulate_em: OpenMP threads over reduction blocks, SIMD packs of paths
 *        within a block, and simulate_path (em_path.hpp) as the body.
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
#include "scorepath/detail/em_plan.hpp"
#include "scorepath/detail/omp_exceptions.hpp"
#include "scorepath/em_path.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// Lane type the CPU backend runs @p Sde with: a SIMD pack when the SDE and reducer allow it.
template <class Sde, class T, class Reducer>
using cpu_lane_t =
    std::conditional_t<sde_is_vectorizable<Sde>::value && reducer_is_vectorizable<Reducer>::value,
                       cpu_pack_t<T>,
                       T>;

/// Subsequence words of lanes [first, first + W) after @p base.
template <class Real>
void subsequence_lanes(std::uint64_t base, std::uint64_t first, lane_word_t<Real>& lo,
                       lane_word_t<Real>& hi) {
  if constexpr (lane_traits<Real>::lanes == 1) {
    const std::uint64_t id = base + first;
    lo = static_cast<std::uint32_t>(id);
    hi = static_cast<std::uint32_t>(id >> 32);
  } else {
    for (int i = 0; i < lane_traits<Real>::lanes; ++i) {
      const std::uint64_t id = base + first + static_cast<std::uint64_t>(i);
      lo.v[i] = static_cast<std::uint32_t>(id);
      hi.v[i] = static_cast<std::uint32_t>(id >> 32);
    }
  }
}

/// Scratch columns per CPU thread for a run of @p items: one reduction block, or the items rounded
/// up to whole SIMD packs of @p lanes when the run is smaller than a block.
inline std::uint64_t cpu_scratch_stride(std::uint64_t items, int lanes) {
  const std::uint64_t packed = round_up_saturating(items, static_cast<std::uint64_t>(lanes));
  return packed < statistics_block ? packed : statistics_block;
}

/// Broadcasts a scalar state to the lane type.
template <class Real, class T, int D>
vec<Real, D> broadcast_state(const vec<T, D>& x) {
  vec<Real, D> out;
  for (int i = 0; i < D; ++i) out[i] = Real(x[i]);
  return out;
}

/**
 * @brief Runs @p plan on the CPU; statistics (block-ordered) go to @p totals.
 */
template <class Sde, class T, class Reducer>
void em_run_cpu(const context& ctx, const em_plan<T>& plan, const Sde& sde,
                const vec<T, Sde::dim>& x0, const Reducer& reducer,
                grouped_moments& totals) {
  using Real = cpu_lane_t<Sde, T, Reducer>;
  constexpr int W = lane_traits<Real>::lanes;
  constexpr std::uint64_t B = statistics_block;
  static_assert(B % W == 0, "reduction blocks must hold whole packs");
  constexpr int D = Sde::dim;

  const std::uint32_t stat_rows = plan.stat_rows();
  const vec<Real, D> start = broadcast_state<Real>(x0);
  // Each thread's scratch holds plan.rows rows of `stride` paths: a block, or the whole run when
  // it is smaller than a block (the values and their reduction order are the same either way).
  const std::uint64_t stride = cpu_scratch_stride(plan.paths, W);
  std::vector<moment_accumulator> block_acc;

  for (std::uint64_t chunk_begin = 0; chunk_begin < plan.paths;) {
    const std::uint64_t chunk_n = std::min(plan.chunk_paths, plan.paths - chunk_begin);
    const std::uint64_t blocks = pieces(chunk_n, B);
    block_acc.assign(blocks * stat_rows, moment_accumulator{});
    const int threads = cpu_threads_for(ctx, blocks);

    omp_exception_trap trap;
#pragma omp parallel num_threads(threads)
    {
      std::vector<T> scratch;
      trap.run([&] { scratch.resize(static_cast<std::size_t>(plan.rows) * stride); });
#pragma omp for schedule(static)
      for (std::int64_t b = 0; b < static_cast<std::int64_t>(blocks); ++b) trap.run([&] {
        const std::uint64_t block_begin = chunk_begin + static_cast<std::uint64_t>(b) * B;
        const std::uint64_t n = std::min<std::uint64_t>(B, plan.paths - block_begin);
        for (std::uint64_t lane0 = 0; lane0 < n; lane0 += W) {
          lane_word_t<Real> lo, hi;
          subsequence_lanes<Real>(plan.schedule.base_subsequence, block_begin + lane0, lo, hi);
          philox_normals<Real> normals(plan.schedule.seed, lo, hi);
          const em_sink<T> sink{scratch.data(), stride, lane0, plan.final_row, plan.reducer_row};
          simulate_path(sde, plan.schedule, start, normals, sink, reducer);
        }
        // Outputs: copy the valid columns of each row to the caller's arrays.
        if (plan.saved_out != nullptr) {
          for (std::uint32_t r = 0; r < plan.save_rows; ++r) {
            std::memcpy(plan.saved_out + r * plan.paths + block_begin,
                        scratch.data() + r * stride, n * sizeof(T));
          }
        }
        if (plan.final_out != nullptr) {
          for (int c = 0; c < D; ++c) {
            std::memcpy(plan.final_out + c * plan.paths + block_begin,
                        scratch.data() + (plan.final_row + c) * stride, n * sizeof(T));
          }
        }
        for (std::uint32_t i = 0; i < stat_rows; ++i) {
          block_acc[b * stat_rows + i] =
              summarize_block(scratch.data() + plan.stat_row(i) * stride, n);
        }
      });
    }
    trap.rethrow_if_failed();
    totals.fold_blocks(block_acc.data(), chunk_begin / B, blocks);
    chunk_begin += chunk_n;  // never past plan.paths, so never wraps
    if (plan.progress) plan.progress(chunk_begin, plan.paths);
  }
}

}  // namespace scorepath::detail
