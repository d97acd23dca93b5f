/**
 * @file sdes/langevin.hpp
 * @brief Overdamped Langevin dynamics dx = S(x) dt + √2 dW driven by a score functor.
 */
#pragma once

#include "scorepath/concepts.hpp"
#include "scorepath/math.hpp"
#include "scorepath/scores/isotropic_gaussian.hpp"  // N(m, s² I), also reachable from here
#include "scorepath/sde.hpp"

namespace scorepath {

/**
 * @brief Langevin dynamics whose stationary law has score S = ∇ log p.
 * @tparam Score functor with `using scalar_type = float or double` (the SDE's precision) and
 *         `template <class R> vec<R, D> operator()(const vec<R, D>&) const`; a `dim`, if it has
 *         one, must be D (concepts.hpp, is_langevin_score)
 * @tparam Vectorizable false when the score's body compiles only for scalar lanes
 */
template <class Score, int D, bool Vectorizable = true>
struct langevin {
  static_assert(langevin_score_requirements<Score, D, Vectorizable>::value,
                "langevin<Score, D>: the score lacks what scorepath/concepts.hpp lists");
  static constexpr int dim = D;
  static constexpr noise_kind noise = noise_kind::diagonal;
  static constexpr int noise_dim = D;
  static constexpr bool vectorizable = Vectorizable;
  using scalar_type = scalar_type_or_t<Score>;

  Score score;  ///< the score functor

  explicit langevin(const Score& s) : score(s) {}

  template <class R, class S>
  SCOREPATH_HDI vec<R, D> drift(const vec<R, D>& x, S) const {
    return score(x);
  }
  template <class R, class S>
  SCOREPATH_HDI vec<R, D> diffusion(const vec<R, D>&, S) const {
    return filled<R, D>(S(1.4142135623730951));
  }
};

}  // namespace scorepath
