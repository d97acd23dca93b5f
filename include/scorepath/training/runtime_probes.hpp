/**
 * @file training/runtime_probes.hpp
 * @brief The probes of one sample for a dimension D known at run time: the same draws, in the
 *        same order, as probe_generator<Law, T, D> (probes.hpp) on scalar lanes, so a loss and its
 *        gradient see the probes sliced_score_matching would draw for that sample.
 */
#pragma once

#include <cstdint>
#include <type_traits>

#include "scorepath/config.hpp"
#include "scorepath/detail/subsequence_ids.hpp"
#include "scorepath/math.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/probes.hpp"

namespace scorepath::detail {

template <class T>
SCOREPATH_HDI T runtime_probe_dot(const T* a, const T* b, int dim) {
  T acc = a[0] * b[0];
  for (int i = 1; i < dim; ++i) acc = acc + a[i] * b[i];
  return acc;
}

template <class T>
SCOREPATH_HDI void runtime_probe_scale_to(T* v, int dim, T length) {
  const T inv = length * math::rsqrt(runtime_probe_dot(v, v, dim));
  for (int i = 0; i < dim; ++i) v[i] = v[i] * inv;
}

/**
 * @brief Writes the @p probes probes of the sample on Philox subsequence @p subsequence (key
 *        @p seed) to out[j·dim + i], for the named law @p law. Unchecked (a building block of
 *        score_loss_gradient, which checks the law, M and D first).
 * @param basis orthogonal law only: dim·dim values of scratch for the current block's directions
 *        (may be null for the other laws)
 */
template <class T>
SCOREPATH_HDI void draw_runtime_probes(probe_law law, std::uint32_t probes, int dim,
                                       std::uint64_t seed, std::uint64_t subsequence, T* out,
                                       T* basis) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  std::uint32_t lo = 0, hi = 0;
  subsequence_lanes<T>(subsequence, 0, lo, hi);
  philox_normals<T> normals(seed, lo, hi);
  philox_words<std::uint32_t> words(seed, lo, hi);
  const T root_d = math::sqrt(static_cast<T>(dim));
  const std::uint32_t block_size =
      probes < static_cast<std::uint32_t>(dim) ? probes : static_cast<std::uint32_t>(dim);
  std::uint32_t in_block = 0;
  for (std::uint32_t j = 0; j < probes; ++j) {
    T* v = out + static_cast<std::uint64_t>(j) * dim;
    if (law == probe_law::rademacher) {
      for (int i = 0; i < dim; ++i) {
        const std::uint32_t sign_bit = words.next() >> 31;
        T bit;
        if constexpr (std::is_same_v<T, double>) {
          bit = to_double53(sign_bit, 0u);
        } else {
          bit = to_float(sign_bit);
        }
        v[i] = T(1) - T(2) * bit;
      }
      continue;
    }
    for (int i = 0; i < dim; ++i) v[i] = normals.next();
    if (law == probe_law::sphere) {
      runtime_probe_scale_to(v, dim, root_d);
    } else if (law == probe_law::orthogonal) {
      if (in_block == block_size) in_block = 0;
      for (std::uint32_t b = 0; b < in_block; ++b) {
        const T* u = basis + static_cast<std::uint64_t>(b) * dim;
        const T proj = runtime_probe_dot(v, u, dim);
        for (int i = 0; i < dim; ++i) v[i] = v[i] - proj * u[i];
      }
      runtime_probe_scale_to(v, dim, T(1));
      T* slot = basis + static_cast<std::uint64_t>(in_block) * dim;
      for (int i = 0; i < dim; ++i) slot[i] = v[i];
      ++in_block;
      for (int i = 0; i < dim; ++i) v[i] = v[i] * root_d;
    }
  }
}

}  // namespace scorepath::detail
