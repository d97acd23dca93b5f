/**
 * @file dim_loop.hpp
 * @brief for_dims: a loop over the dimensions of a sample, unrolled on the GPU while there are at
 *        most max_unrolled_dims of them, so a thread keeps its per-dimension values in registers,
 *        and kept rolled beyond, so those values live in local memory instead of spilling (a 64-D
 *        sample, its probe and their dual numbers need more than a thread's 255 registers).
 *
 * Host compilers decide for themselves, as with SCOREPATH_UNROLL.
 */
#pragma once

#include "scorepath/config.hpp"

namespace scorepath {

/// The most dimensions whose loops a GPU thread unrolls.
inline constexpr int max_unrolled_dims = 32;

/// Calls @p body(i) for i = First, First + 1, …, N − 1, in order.
template <int N, int First = 0, class Body>
SCOREPATH_HDI void for_dims(Body&& body) {
  if constexpr (N <= max_unrolled_dims) {
    SCOREPATH_UNROLL
    for (int i = First; i < N; ++i) body(i);
  } else {
    SCOREPATH_NO_UNROLL
    for (int i = First; i < N; ++i) body(i);
  }
}

}  // namespace scorepath
