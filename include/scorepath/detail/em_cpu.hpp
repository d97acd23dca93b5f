/**
 * @file detail/em_cpu.hpp
 * @brief The CPU backend of simulate_em: the per-block body (SIMD packs of paths through
 *        simulate_path, em_path.hpp) and the fold of block statistics, run by the CPU driver
 *        (detail/cpu_driver.hpp).
 */
#pragma once

#include <cstring>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_lanes.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/em_plan.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
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

  cpu_run_blocks<moment_accumulator, std::vector<T>>(
      ctx, block_decomposition(plan.paths, plan.chunk_paths), cpu_block_schedule::even, stat_rows,
      [&](std::vector<T>& scratch) { scratch.resize(static_cast<std::size_t>(plan.rows) * stride); },
      [&](const item_range& block, std::vector<T>& scratch, moment_accumulator* stats) {
        for (std::uint64_t lane0 = 0; lane0 < block.size; lane0 += W) {
          lane_word_t<Real> lo, hi;
          subsequence_lanes<Real>(plan.schedule.base_subsequence, block.begin + lane0, lo, hi);
          philox_normals<Real> normals(plan.schedule.seed, lo, hi);
          const em_sink<T> sink{scratch.data(), stride, lane0, plan.final_row, plan.reducer_row};
          simulate_path(sde, plan.schedule, start, normals, sink, reducer);
        }
        // Outputs: copy the valid columns of each row to the caller's arrays.
        if (plan.saved_out != nullptr) {
          for (std::uint32_t r = 0; r < plan.save_rows; ++r) {
            std::memcpy(plan.saved_out + r * plan.paths + block.begin,
                        scratch.data() + r * stride, block.size * sizeof(T));
          }
        }
        if (plan.final_out != nullptr) {
          for (int c = 0; c < D; ++c) {
            std::memcpy(plan.final_out + c * plan.paths + block.begin,
                        scratch.data() + (plan.final_row + c) * stride, block.size * sizeof(T));
          }
        }
        for (std::uint32_t i = 0; i < stat_rows; ++i) {
          stats[i] = summarize_block(scratch.data() + plan.stat_row(i) * stride, block.size);
        }
      },
      fold_into(totals), plan.progress);
}

}  // namespace scorepath::detail
