/**
 * @file philox.hpp
 * @brief Philox4x32-10 (Salmon et al., SC'11), written once for every lane type.
 *
 * The same function runs on a GPU thread (lanes = `uint32_t`), on a CPU thread, and on a CPU SIMD
 * pack of counters (lanes = `simd::pack<uint32_t, W>`). Its words equal cuRAND's
 * `curand_Philox4x32_10` and so the stream of `curandStatePhilox4_32_10_t`: the word with draw
 * index n of subsequence s under seed k is word n mod 4 of
 * Philox(counter = {n/4 (64-bit), s (64-bit)}, key = k).
 */
#pragma once

#include <cstdint>

#include "scorepath/config.hpp"

namespace scorepath {

/// High and low 32 bits of a 32×32-bit product (scalar lanes).
SCOREPATH_HDI void mul_hi_lo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
#if defined(__CUDA_ARCH__)
  hi = __umulhi(a, b);
  lo = a * b;
#else
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
#endif
}

/// Four 32-bit lanes of one Philox block (counter in, random words out).
template <class U>
struct philox_block {
  U x, y, z, w;
};

/// Low 32 bits of a 64-bit value (the first word of a Philox counter or key pair).
SCOREPATH_HDI std::uint32_t low_word(std::uint64_t x) { return static_cast<std::uint32_t>(x); }
/// High 32 bits of a 64-bit value (the second word of a Philox counter or key pair).
SCOREPATH_HDI std::uint32_t high_word(std::uint64_t x) { return static_cast<std::uint32_t>(x >> 32); }

/// Philox4x32 round constants.
struct philox_constants {
  static constexpr std::uint32_t mul0 = 0xD2511F53u;
  static constexpr std::uint32_t mul1 = 0xCD9E8D57u;
  static constexpr std::uint32_t weyl0 = 0x9E3779B9u;
  static constexpr std::uint32_t weyl1 = 0xBB67AE85u;
};

/**
 * @brief Ten Philox4x32 rounds of @p ctr under key (@p k0, @p k1).
 * @tparam U `uint32_t` or a SIMD pack of `uint32_t`
 */
template <class U>
SCOREPATH_HDI philox_block<U> philox4x32_10(philox_block<U> ctr, std::uint32_t k0,
                                            std::uint32_t k1) {
SCOREPATH_UNROLL
  for (int round = 0; round < 10; ++round) {
    U hi0, lo0, hi1, lo1;
    mul_hi_lo(ctr.x, philox_constants::mul0, hi0, lo0);
    mul_hi_lo(ctr.z, philox_constants::mul1, hi1, lo1);
    ctr = philox_block<U>{hi1 ^ ctr.y ^ k0, lo1, hi0 ^ ctr.w ^ k1, lo0};
    k0 += philox_constants::weyl0;
    k1 += philox_constants::weyl1;
  }
  return ctr;
}

/// The Philox key of a 64-bit seed: (low word, high word), as cuRAND splits it.
struct philox_key {
  std::uint32_t k0, k1;
  /// Splits @p seed.
  SCOREPATH_HDI explicit philox_key(std::uint64_t seed) : k0(low_word(seed)), k1(high_word(seed)) {}
};

/**
 * @brief Block @p block of the lanes' subsequences (@p sub_lo, @p sub_hi) under @p key: Philox of
 *        the counter {block (64-bit), subsequence (64-bit)}, the one place that counter is laid out.
 * @tparam U `uint32_t` or a SIMD pack of `uint32_t`
 */
template <class U>
SCOREPATH_HDI philox_block<U> philox_subsequence_block(const philox_key& key, std::uint64_t block,
                                                       const U& sub_lo, const U& sub_hi) {
  return philox4x32_10(philox_block<U>{U(low_word(block)), U(high_word(block)), sub_lo, sub_hi},
                       key.k0, key.k1);
}

}  // namespace scorepath
