/**
 * @file em_path.hpp
 * @brief The Euler–Maruyama path loop, written once: a GPU thread runs it on one path, a CPU
 *        thread on a SIMD pack of paths.
 */
#pragma once

#include <cstdint>

#include "scorepath/config.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/sde.hpp"
#include "scorepath/vec.hpp"
#include "scorepath/vectorizable.hpp"

namespace scorepath {

/// A reducer that computes nothing (the default of simulate_em).
struct no_reducer {
  static constexpr bool vectorizable = true;
};

/// Whether @p Reducer may be evaluated on SIMD packs.
template <class Reducer>
using reducer_is_vectorizable = is_vectorizable<Reducer>;

/// Time grid, save points and noise keying of a run, as kernels read them (trivially copyable).
template <class S>
struct em_schedule {
  S t0;                               ///< start time
  S h;                                ///< step size
  S sqrt_h;                           ///< √h
  std::uint64_t steps;                ///< number of steps
  std::uint32_t substeps;             ///< fine increments summed into each step's noise (2^k)
  S inv_sqrt_substeps;                ///< 1/√substeps
  const std::uint64_t* save_steps;    ///< strictly increasing step numbers in [1, steps]
  std::uint32_t save_count;           ///< entries in save_steps
  std::uint64_t seed;                 ///< Philox key
  std::uint64_t base_subsequence;     ///< subsequence of path 0
};

/// Stores one value per lane at @p dst (scalar lanes).
template <class T>
SCOREPATH_HDI void lane_store(T* dst, const T& value) {
  *dst = value;
}
#if !defined(__CUDACC__)
/// Stores all lanes of a pack at @p dst.
template <class T, int W>
inline void lane_store(T* dst, const simd::pack<T, W>& value) {
  value.store(dst);
}
#endif

/**
 * @brief Where a path's results go: rows of a scratch table, one column per path.
 *
 * Rows: `save_count × D` saved states (row s·D + c), then D final-state rows when `final_row`
 * is set, then one reducer row when `reducer_row` is set. Column `column` of each row belongs to
 * the lane (or the first lane of a pack).
 */
template <class S>
struct em_sink {
  S* scratch;                   ///< row-major table
  std::uint64_t row_stride;     ///< elements between rows
  std::uint64_t column;         ///< this path's (pack's) column
  std::int64_t final_row;       ///< first final-state row, or −1
  std::int64_t reducer_row;     ///< reducer row, or −1

  template <class Real, int D>
  SCOREPATH_HDI void save(std::uint32_t s, const vec<Real, D>& x) const {
SCOREPATH_UNROLL
    for (int c = 0; c < D; ++c) {
      lane_store(scratch + (static_cast<std::uint64_t>(s) * D + c) * row_stride + column, x[c]);
    }
  }
  template <class Real, int D, class Reducer>
  SCOREPATH_HDI void finish(const vec<Real, D>& x, const Reducer& reducer) const {
    if (final_row >= 0) {
SCOREPATH_UNROLL
      for (int c = 0; c < D; ++c) {
        lane_store(scratch + (static_cast<std::uint64_t>(final_row) + c) * row_stride + column,
                   x[c]);
      }
    }
    if constexpr (!std::is_same_v<Reducer, no_reducer>) {
      if (reducer_row >= 0) {
        lane_store(scratch + static_cast<std::uint64_t>(reducer_row) * row_stride + column,
                   reducer(x));
      }
    }
  }
};

/**
 * @brief Runs the lanes' paths from @p x through every step of @p schedule.
 *
 * Step k draws its noise from the lanes' normal streams in order; with substeps = 2^r it sums
 * 2^r consecutive groups of draws and scales by 2^(−r/2), which is exactly the Brownian increment
 * the run with step h/2^r takes over the same interval (same seed and subsequences).
 */
template <class Sde, class Real, class Reducer>
SCOREPATH_HDI void simulate_path(const Sde& sde, const em_schedule<lane_scalar_t<Real>>& schedule,
                                 vec<Real, Sde::dim> x, philox_normals<Real>& normals,
                                 const em_sink<lane_scalar_t<Real>>& sink, const Reducer& reducer) {
  using S = lane_scalar_t<Real>;
  constexpr int M = noise_dimension<Sde>;
  std::uint32_t next_save = 0;
  std::uint64_t next_save_step = schedule.save_count > 0 ? schedule.save_steps[0] : 0;
  for (std::uint64_t k = 0; k < schedule.steps; ++k) {
    vec<Real, M> z;
    if (schedule.substeps == 1) {
SCOREPATH_UNROLL
      for (int j = 0; j < M; ++j) z[j] = normals.next();
    } else {
SCOREPATH_UNROLL
      for (int j = 0; j < M; ++j) z[j] = normals.next();
      for (std::uint32_t sub = 1; sub < schedule.substeps; ++sub) {
SCOREPATH_UNROLL
        for (int j = 0; j < M; ++j) z[j] = z[j] + normals.next();
      }
SCOREPATH_UNROLL
      for (int j = 0; j < M; ++j) z[j] = z[j] * schedule.inv_sqrt_substeps;
    }
    const S t = schedule.t0 + static_cast<S>(k) * schedule.h;
    euler_maruyama_step(sde, x, t, schedule.h, schedule.sqrt_h, z);
    if (k + 1 == next_save_step) {
      sink.save(next_save, x);
      ++next_save;
      next_save_step = next_save < schedule.save_count ? schedule.save_steps[next_save] : 0;
    }
  }
  sink.finish(x, reducer);
}

}  // namespace scorepath
