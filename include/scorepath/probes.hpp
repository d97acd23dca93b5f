/**
 * @file probes.hpp
 * @brief Random probe vectors v with E[v vᵀ] = I for sliced score matching, written once.
 *
 * Probe j of sample s is built from Philox subsequence `base + s`: the Gaussian, sphere and
 * orthogonal laws read normal draws j·D … j·D + D − 1, the Rademacher law reads raw words
 * j·D … j·D + D − 1 (sign from the top bit). The same code runs on a GPU thread and on CPU packs.
 *
 * - gaussian: v ~ N(0, I).
 * - rademacher: v_i = ±1 with equal probability.
 * - sphere: v uniform on the sphere of radius √D.
 * - orthogonal: probes come in blocks of k = min(M, D); within a block the Gaussian draws are
 *   orthonormalised (modified Gram–Schmidt, in draw order) and scaled by √D, so a block is k
 *   orthogonal directions with a uniformly random orientation. Each probe is marginally uniform
 *   on the √D-sphere, so E[v vᵀ] = I, and with k = D the block's estimates of tr A are exact.
 *
 * A probe law is also a type (concepts.hpp lists what it provides): a nested template
 * `generator<R, D>` built from (M, seed, subsequence) that writes one probe per `next`. The four
 * laws above are the types gaussian_probes, rademacher_probes, sphere_probes and
 * orthogonal_probes; a user's law with E[v vᵀ] = I is written the same way and passed to
 * sliced_score_matching in place of ssm_options::law.
 */
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "scorepath/config.hpp"
#include "scorepath/dim_loop.hpp"
#include "scorepath/math.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/vec.hpp"

namespace scorepath {

/// The law of the probe vectors.
enum class probe_law { gaussian, rademacher, sphere, orthogonal };

/// True when @p law is one of the four named laws (not a value cast from an integer).
inline constexpr bool is_probe_law(probe_law law) noexcept {
  return law == probe_law::gaussian || law == probe_law::rademacher || law == probe_law::sphere ||
         law == probe_law::orthogonal;
}

/// Name of a law ("gaussian", "rademacher", "sphere", "orthogonal").
const char* to_string(probe_law law) noexcept;
/// @brief Parses a law name. @throw invalid_argument_error naming `probe law`
probe_law parse_probe_law(const std::string& text);

/**
 * @brief Probes of one sample per lane, in order j = 0, 1, …, M − 1.
 * @tparam Law compile-time law (the orthogonal law keeps its current block)
 */
template <probe_law Law, class R, int D>
class probe_generator {
 public:
  using word = lane_word_t<R>;
  using scalar = lane_scalar_t<R>;

  /// @param probes M, the number of probes per sample (sets the orthogonal block size)
  SCOREPATH_HDI probe_generator(std::uint32_t probes, std::uint64_t seed, const word& sub_lo,
                                const word& sub_hi)
      : normals_(seed, sub_lo, sub_hi),
        words_(seed, sub_lo, sub_hi),
        block_size_(probes < static_cast<std::uint32_t>(D) ? probes : D) {}

  /// Writes the next probe to @p v.
  SCOREPATH_HDI void next(vec<R, D>& v) {
    const scalar root_d = math::sqrt(static_cast<scalar>(D));
    if constexpr (Law == probe_law::rademacher) {
      for_dims<D>([&](int i) {
        const word sign_bit = words_.next() >> 31;
        v[i] = R(scalar(1)) - R(scalar(2)) * to_real(sign_bit);
      });
    } else {
      for_dims<D>([&](int i) { v[i] = normals_.next(); });
      if constexpr (Law == probe_law::sphere) {
        scale_to(v, root_d);
      } else if constexpr (Law == probe_law::orthogonal) {
        if (in_block_ == block_size_) in_block_ = 0;
        for (std::uint32_t b = 0; b < in_block_; ++b) {
          const R proj = dot(v, basis_[b]);
          for_dims<D>([&](int i) { v[i] = v[i] - proj * basis_[b][i]; });
        }
        scale_to(v, scalar(1));
        basis_[in_block_] = v;
        ++in_block_;
        for_dims<D>([&](int i) { v[i] = v[i] * root_d; });
      }
    }
  }

 private:
  static SCOREPATH_HDI R to_real(const word& w) {
    if constexpr (std::is_same_v<scalar, double>) {
      return R(to_double53(w, word(0u)));
    } else {
      return to_float(w);
    }
  }
  static SCOREPATH_HDI R dot(const vec<R, D>& a, const vec<R, D>& b) {
    R acc = a[0] * b[0];
    for_dims<D, 1>([&](int i) { acc = acc + a[i] * b[i]; });
    return acc;
  }
  static SCOREPATH_HDI void scale_to(vec<R, D>& v, scalar length) {
    const R inv = R(length) * math::rsqrt(dot(v, v));
    for_dims<D>([&](int i) { v[i] = v[i] * inv; });
  }

  philox_normals<R> normals_;
  philox_words<word> words_;
  std::uint32_t block_size_;
  std::uint32_t in_block_ = 0;
  struct empty {};
  using basis_storage = std::conditional_t<Law == probe_law::orthogonal, vec<R, D>[D], empty[1]>;
  basis_storage basis_;
};

/**
 * @brief One of the four named laws as a probe-law type (the form a user-supplied law takes).
 *
 * A probe law type provides `template <class R, int D> generator`, constructible from
 * (std::uint32_t probes, std::uint64_t seed, lane_word_t<R> sub_lo, lane_word_t<R> sub_hi) and
 * with `void next(vec<R, D>& v)`, both `SCOREPATH_HDI`; R is the scalar type or a SIMD pack of
 * it (one sample per lane), so a generator draws through philox_normals<R> / philox_words.
 */
template <probe_law Law>
struct named_probe_law {
  /// The enum value this type stands for.
  static constexpr probe_law law = Law;
  /// Probes of one sample (or one per lane).
  template <class R, int D>
  using generator = probe_generator<Law, R, D>;
};

using gaussian_probes = named_probe_law<probe_law::gaussian>;      ///< v ~ N(0, I)
using rademacher_probes = named_probe_law<probe_law::rademacher>;  ///< v_i = ±1
using sphere_probes = named_probe_law<probe_law::sphere>;          ///< uniform on the √D-sphere
using orthogonal_probes = named_probe_law<probe_law::orthogonal>;  ///< orthogonal blocks

/// True for the four named law types (their CUDA kernels are compiled with each model's).
template <class Law>
struct is_named_probe_law : std::false_type {};
template <probe_law L>
struct is_named_probe_law<named_probe_law<L>> : std::true_type {};

}  // namespace scorepath
