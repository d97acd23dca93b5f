/**
 * @file detail/cpu_lanes.hpp
 * @brief The lane type the CPU backend runs a vectorizable SDE or score model with.
 *
 * A translation unit compiled by a host compiler runs CPU work on SIMD packs (simd_pack.hpp).
 * nvcc's front end does not take the GCC vector extensions behind the packs, so a `.cu` file that
 * includes the engines (ensemble.hpp, ssm.hpp) runs its own CPU instantiations one lane at a time:
 * the same arithmetic per path and the same random words, with normals and elementary functions
 * from the scalar library instead of the pack polynomials (agreeing to a few ULP, not bit for
 * bit). The library's built-in models are compiled by the host compiler in either case.
 */
#pragma once

#include <type_traits>

#if !defined(__CUDACC__)
#include "scorepath/simd_pack.hpp"
#endif

namespace scorepath::detail {

#if defined(__CUDACC__)
/// Lane type for scalars of type @p T on the CPU backend (nvcc: one lane).
template <class T>
using cpu_pack_t = T;
/// Lanes of a float CPU pack (nvcc: one).
inline constexpr int cpu_float_lanes = 1;
#else
/// Lane type for scalars of type @p T on the CPU backend: the widest native SIMD pack.
template <class T>
using cpu_pack_t =
    simd::pack<T, std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes>;
/// Lanes of a float CPU pack.
inline constexpr int cpu_float_lanes = simd::float_lanes;
#endif

}  // namespace scorepath::detail
