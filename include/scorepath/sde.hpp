/**
 * @file sde.hpp
 * @brief What an SDE is to scorepath, and one Euler–Maruyama step of it.
 *
 * An SDE dx = f(x,t) dt + g(x,t) dW is a copyable functor type with
 *
 * @code
 * struct my_sde {
 *   static constexpr int dim = D;                        // state dimension
 *   static constexpr noise_kind noise = noise_kind::diagonal;
 *   static constexpr int noise_dim = D;                  // Brownian motions m
 *   static constexpr bool vectorizable = true;           // body also compiles for SIMD packs
 *   using scalar_type = float;                           // precision of states and parameters
 *   template <class R, class S> SCOREPATH_HD vec<R, D> drift(const vec<R, D>& x, S t) const;
 *   template <class R, class S> SCOREPATH_HD G diffusion(const vec<R, D>& x, S t) const;
 * };
 * @endcode
 *
 * where G is `vec<R, D>` for scalar noise (column g, one Brownian motion drives every component),
 * `vec<R, D>` for diagonal noise (g_i multiplies dW_i) and `mat<R, D, m>` for general noise. R is the
 * lane type (float, double, a SIMD pack, a dual number) and S the scalar time type. Write the body
 * with `scorepath::math` functions and without branches on R so that packs work; set
 * `vectorizable = false` otherwise and the CPU backend runs it one path at a time.
 *
 * An SDE whose coefficients are defined only for some times may also declare
 *
 * @code
 *   void check_times(double t0, double t1) const;  // throws invalid_argument_error naming t0 or t1
 * @endcode
 *
 * simulate_em calls it with the run's interval before anything is drawn or written, so a time
 * outside the SDE's domain (the VP SDE before t = 0) is refused instead of giving NaN paths.
 *
 * concepts.hpp states these requirements as the trait is_sde, and simulate_em checks them first
 * with messages that name what is missing.
 */
#pragma once

#include <type_traits>
#include <utility>

#include "scorepath/config.hpp"
#include "scorepath/vec.hpp"
#include "scorepath/vectorizable.hpp"

namespace scorepath {

/// How the Brownian motions enter the diffusion term.
enum class noise_kind {
  scalar,    ///< one Brownian motion drives all components: g is a D-vector
  diagonal,  ///< D independent Brownian motions, component i driven by g_i dW_i
  general    ///< m Brownian motions through a D×m matrix
};

/// Whether the CPU backend may run @p Sde on SIMD packs.
template <class Sde>
using sde_is_vectorizable = is_vectorizable<Sde>;

namespace detail {
template <class Sde, class = void>
struct has_check_times : std::false_type {};
template <class Sde>
struct has_check_times<Sde, std::void_t<decltype(std::declval<const Sde&>().check_times(0.0, 0.0))>>
    : std::true_type {};
}  // namespace detail

/// Calls `sde.check_times(t0, t1)` when @p Sde declares it (see the file comment); else nothing.
template <class Sde>
void check_sde_times(const Sde& sde, double t0, double t1) {
  if constexpr (detail::has_check_times<Sde>::value) sde.check_times(t0, t1);
}

/// Number of normal draws one step of @p Sde takes.
template <class Sde>
inline constexpr int noise_dimension =
    Sde::noise == noise_kind::scalar ? 1 : (Sde::noise == noise_kind::diagonal ? Sde::dim
                                                                               : Sde::noise_dim);

/**
 * @brief One Euler–Maruyama step in place: x ← x + f(x,t) h + g(x,t) √h z.
 * @param z standard normals, one per Brownian motion
 */
template <class Sde, class R, class S>
SCOREPATH_HDI void euler_maruyama_step(const Sde& sde, vec<R, Sde::dim>& x, S t, S h, S sqrt_h,
                                       const vec<R, noise_dimension<Sde>>& z) {
  constexpr int D = Sde::dim;
  const vec<R, D> f = sde.drift(x, t);
  const auto g = sde.diffusion(x, t);
  if constexpr (Sde::noise == noise_kind::scalar) {
    const R dw = z[0] * sqrt_h;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) x[i] = x[i] + f[i] * h + g[i] * dw;
  } else if constexpr (Sde::noise == noise_kind::diagonal) {
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) x[i] = x[i] + f[i] * h + g[i] * (z[i] * sqrt_h);
  } else {
    constexpr int M = Sde::noise_dim;
    vec<R, M> dw;
SCOREPATH_UNROLL
    for (int j = 0; j < M; ++j) dw[j] = z[j] * sqrt_h;
SCOREPATH_UNROLL
    for (int i = 0; i < D; ++i) {
      R noise = g(i, 0) * dw[0];
SCOREPATH_UNROLL
      for (int j = 1; j < M; ++j) noise = noise + g(i, j) * dw[j];
      x[i] = x[i] + f[i] * h + noise;
    }
  }
}

}  // namespace scorepath
