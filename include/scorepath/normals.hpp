/**
 * @file normals.hpp
 * @brief Standard normal draws from Philox words by Box–Muller, written once for every lane type.
 *
 * The words are cuRAND's Philox4x32-10 stream (philox.hpp). The transform is cuRAND's Box–Muller
 * pairing: float draws take words (w0, w1) → (n0, n1) and (w2, w3) → (n2, n3) of each block, like
 * `curand_normal4`; double draws take all four words for two normals, like `curand_normal2_double`.
 * The uniforms are cuRAND's too (u = w·2⁻³² + 2⁻³³, in (0, 1]). One documented difference: the
 * angle is evaluated as sincospi(2v) with an accurate sincospi on every backend (CUDA's sincospi
 * on the device, inlined polynomials within 2 ULP on float CPU packs (simd_float_math.hpp), SLEEF
 * on double packs, and sin/cos of π·x, within about 1e-15, for scalar host code), where cuRAND's
 * float path uses the fast `__sincosf` intrinsic on the device; the normals therefore agree with
 * cuRAND's to a few ULP, and the underlying words agree exactly.
 */
#pragma once

#include <cstdint>
#include <type_traits>

#include "scorepath/config.hpp"
#include "scorepath/math.hpp"
#include "scorepath/philox.hpp"

namespace scorepath {

/// Lane types: the unsigned word lanes and the scalar behind a real lane type.
template <class Real>
struct lane_traits {
  using word = std::uint32_t;
  using scalar = Real;
  static constexpr int lanes = 1;
};

#if !defined(__CUDACC__)
template <class T, int W>
struct lane_traits<simd::pack<T, W>> {
  using word = simd::pack<std::uint32_t, W>;
  using scalar = T;
  static constexpr int lanes = W;
};
#endif

/// Word lanes matching @p Real.
template <class Real>
using lane_word_t = typename lane_traits<Real>::word;
/// Scalar type behind @p Real.
template <class Real>
using lane_scalar_t = typename lane_traits<Real>::scalar;

/// A 32-bit word as float (round to nearest).
SCOREPATH_HDI float to_float(std::uint32_t x) { return static_cast<float>(x); }
/// `(lo ^ (hi << 21))` as a double.
SCOREPATH_HDI double to_double53(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<double>(static_cast<std::uint64_t>(lo) ^
                             (static_cast<std::uint64_t>(hi) << 21));
}

/**
 * @brief Box–Muller on two words, float lanes: (w0, w1) → (n0, n1).
 */
template <class Real, class Word>
SCOREPATH_HDI void box_muller_float(const Word& w0, const Word& w1, Real& n0, Real& n1) {
  constexpr float two_pow_m32 = 2.3283064365386963e-10f;
  const Real u = to_float(w0) * Real(two_pow_m32) + Real(two_pow_m32 * 0.5f);
  const Real v = to_float(w1) * Real(two_pow_m32 * 2.0f) + Real(two_pow_m32);
  const Real radius = math::sqrt(Real(-2.0f) * math::log(u));
  Real s, c;
  math::sincospi(v, s, c);
  n0 = radius * s;
  n1 = radius * c;
}

/**
 * @brief Box–Muller on four words, double lanes: (w0, w1, w2, w3) → (n0, n1).
 */
template <class Real, class Word>
SCOREPATH_HDI void box_muller_double(const Word& w0, const Word& w1, const Word& w2, const Word& w3,
                                     Real& n0, Real& n1) {
  constexpr double two_pow_m53 = 1.1102230246251565e-16;
  const Real u = to_double53(w0, w1) * Real(two_pow_m53) + Real(two_pow_m53 * 0.5);
  const Real v = to_double53(w2, w3) * Real(two_pow_m53 * 2.0) + Real(two_pow_m53);
  const Real radius = math::sqrt(Real(-2.0) * math::log(u));
  Real s, c;
  math::sincospi(v, s, c);
  n0 = radius * s;
  n1 = radius * c;
}

/**
 * @brief The normal draws of one subsequence per lane, in draw order.
 *
 * Lane i reads subsequence `sub_lo[i] + 2³² sub_hi[i]`; draw n of a lane is normal n mod 4 (float)
 * or n mod 2 (double) of Philox block n/4 (n/2). Buffered values live in named members rather than
 * an indexed array so that a GPU thread keeps them in registers.
 */
template <class Real>
class philox_normals {
 public:
  using word = lane_word_t<Real>;
  using scalar = lane_scalar_t<Real>;
  /// Normals one Philox block yields.
  static constexpr int per_block = std::is_same_v<scalar, double> ? 2 : 4;

  /// Starts the lanes' subsequences at draw 0.
  SCOREPATH_HDI philox_normals(std::uint64_t seed, const word& sub_lo, const word& sub_hi)
      : key_(seed), sub_lo_(sub_lo), sub_hi_(sub_hi) {}

  /// The next normal of every lane.
  SCOREPATH_HDI Real next() {
    if (left_ == 0) refill();
    const Real out = n0_;
    n0_ = n1_;
    if constexpr (per_block == 4) {
      n1_ = n2_;
      n2_ = n3_;
    }
    --left_;
    return out;
  }

 private:
  SCOREPATH_HDI void refill() {
    const philox_block<word> r = philox_subsequence_block(key_, block_, sub_lo_, sub_hi_);
    ++block_;
    if constexpr (per_block == 4) {
      box_muller_float(r.x, r.y, n0_, n1_);
      box_muller_float(r.z, r.w, n2_, n3_);
    } else {
      box_muller_double(r.x, r.y, r.z, r.w, n0_, n1_);
    }
    left_ = per_block;
  }

  philox_key key_;
  word sub_lo_, sub_hi_;
  std::uint64_t block_ = 0;
  Real n0_{}, n1_{}, n2_{}, n3_{};
  int left_ = 0;
};

/**
 * @brief The raw Philox words of one subsequence per lane, in draw order (word n of a lane is
 *        word n mod 4 of block n/4, as curand() returns them).
 */
template <class Word>
class philox_words {
 public:
  /// Starts the lanes' subsequences at word 0.
  SCOREPATH_HDI philox_words(std::uint64_t seed, const Word& sub_lo, const Word& sub_hi)
      : key_(seed), sub_lo_(sub_lo), sub_hi_(sub_hi) {}

  /// The next word of every lane.
  SCOREPATH_HDI Word next() {
    if (left_ == 0) {
      const philox_block<Word> r = philox_subsequence_block(key_, block_, sub_lo_, sub_hi_);
      ++block_;
      w0_ = r.x;
      w1_ = r.y;
      w2_ = r.z;
      w3_ = r.w;
      left_ = 4;
    }
    const Word out = w0_;
    w0_ = w1_;
    w1_ = w2_;
    w2_ = w3_;
    --left_;
    return out;
  }

 private:
  philox_key key_;
  Word sub_lo_, sub_hi_;
  std::uint64_t block_ = 0;
  Word w0_{}, w1_{}, w2_{}, w3_{};
  int left_ = 0;
};

}  // namespace scorepath
