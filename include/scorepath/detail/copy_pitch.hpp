/**
 * @file detail/copy_pitch.hpp
 * @brief Whether rows of an array can move in one pitched copy (cudaMemcpy2DAsync), whose pitches
 *        CUDA limits to below 2³¹ bytes: per-path outputs of 2²⁸ double (2²⁹ float) paths or more
 *        have a longer row pitch and move row by row instead.
 */
#pragma once

#include <cstdint>

namespace scorepath::detail {

/// The largest pitch, in bytes, that a pitched CUDA copy accepts.
inline constexpr std::uint64_t max_copy_pitch_bytes = (std::uint64_t{1} << 31) - 1;

/// True when rows of @p width_bytes, @p src_pitch_bytes and @p dst_pitch_bytes apart, can move in
/// one pitched copy.
inline bool fits_one_pitched_copy(std::uint64_t dst_pitch_bytes, std::uint64_t src_pitch_bytes,
                                  std::uint64_t width_bytes) {
  return dst_pitch_bytes <= max_copy_pitch_bytes && src_pitch_bytes <= max_copy_pitch_bytes &&
         width_bytes <= max_copy_pitch_bytes;
}

}  // namespace scorepath::detail
