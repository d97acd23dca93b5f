/**
 * @file concepts.hpp
 * @brief What an SDE, a score model and a reducer must provide, in one place, as traits
 *        (is_sde, is_score_model, is_reducer, is_langevin_score) and as checks whose
 *        `static_assert` messages name the missing member.
 *
 * The engines (simulate_em, sliced_score_matching, evaluate_scores, probe_variance_study,
 * langevin<>) run these checks first, so a type that lacks something is refused with a sentence
 * such as "an SDE needs `static constexpr int dim`" rather than an error deep inside a kernel.
 *
 * **SDE** dx = f(x, t) dt + g(x, t) dW (sde.hpp has a complete example):
 * @code
 * struct my_sde {
 *   static constexpr int dim = D;                          // required, ≥ 1
 *   using scalar_type = float;                             // required: float or double
 *   static constexpr noise_kind noise = noise_kind::diagonal;  // required
 *   static constexpr int noise_dim = M;                    // required for noise_kind::general
 *   static constexpr bool vectorizable = true;             // optional (false when absent)
 *   template <class R, class S> vec<R, D> drift(const vec<R, D>& x, S t) const;   // required
 *   template <class R, class S> G diffusion(const vec<R, D>& x, S t) const;       // required
 *   void check_times(double t0, double t1) const;          // optional (sde.hpp)
 * };
 * @endcode
 * G is `vec<R, D>` for scalar and diagonal noise and `mat<R, D, M>` for general noise. drift and
 * diffusion are called with R = scalar_type and S = scalar_type; with `vectorizable = true` the
 * CPU backend also calls them with R a SIMD pack of scalar_type, so they must be templates on R.
 *
 * **Score model** S(x) ≈ ∇ log p(x):
 * @code
 * struct my_score {
 *   static constexpr int dim = D;                          // required, ≥ 1
 *   using scalar_type = float;                             // required: float or double
 *   static constexpr bool vectorizable = true;             // optional (false when absent)
 *   template <class R> vec<R, D> operator()(const vec<R, D>& x) const;             // required
 * };
 * @endcode
 * operator() is called with R = scalar_type, with dual numbers `dual<R, K>` (sliced score
 * matching differentiates the model by forward mode) and, when vectorizable, with SIMD packs and
 * duals of packs; so it must be a template on R whose body uses only arithmetic, comparisons
 * through `math::select`, and the functions of `scorepath::math` (math.hpp, activations.hpp).
 * Those have overloads for every lane type, and the dual ones are declared by math.hpp, so the
 * order in which math.hpp, vec.hpp and dual.hpp are included does not matter.
 *
 * **Reducer** (the optional last argument of simulate_em), a function of a path's final state:
 * @code
 * struct my_payoff {
 *   static constexpr bool vectorizable = true;             // optional (false when absent)
 *   template <class R, int D> R operator()(const vec<R, D>& x) const;             // required
 * };
 * @endcode
 * called with R = the SDE's scalar_type and, when both the SDE and the reducer are vectorizable,
 * with SIMD packs of it.
 *
 * **Probe law** (the optional law argument of sliced_score_matching; probes.hpp), any law with
 * E[v vᵀ] = I:
 * @code
 * struct my_probes {
 *   template <class R, int D> struct generator {             // required
 *     SCOREPATH_HDI generator(std::uint32_t probes, std::uint64_t seed,
 *                             const lane_word_t<R>& sub_lo, const lane_word_t<R>& sub_hi);
 *     SCOREPATH_HDI void next(vec<R, D>& v);                 // writes the next probe
 *   };
 * };
 * @endcode
 * R is the model's scalar_type and, when the model is vectorizable, a SIMD pack of it (one
 * sample per lane); draws come from philox_normals<R> or philox_words on the given subsequence.
 *
 * **Score of langevin<Score, D>**: `using scalar_type = float or double` (the SDE's precision),
 * `template <class R> vec<R, D> operator()(const vec<R, D>&) const` for R = scalar_type (and SIMD
 * packs of it unless langevin's Vectorizable is false), and, if it declares `dim`, dim == D.
 */
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "scorepath/detail/cpu_lanes.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/normals.hpp"
#include "scorepath/sde.hpp"
#include "scorepath/vec.hpp"
#include "scorepath/vectorizable.hpp"

namespace scorepath {

struct no_reducer;

namespace concept_detail {

// ---- members shared by SDEs and score models ---------------------------------------------------

/// `T::dim` is a constant of at least 1.
template <class T, class = void>
struct has_dim : std::false_type {};
template <class T>
struct has_dim<T, std::void_t<std::integral_constant<int, T::dim>>>
    : std::bool_constant<(T::dim >= 1)> {};

/// `T::scalar_type` names a type.
template <class T, class = void>
struct has_scalar_type : std::false_type {};
template <class T>
struct has_scalar_type<T, std::void_t<typename T::scalar_type>> : std::true_type {};

/// `T::scalar_type` is float or double.
template <class T, bool = has_scalar_type<T>::value>
struct has_float_scalar_type : std::false_type {};
template <class T>
struct has_float_scalar_type<T, true>
    : std::bool_constant<std::is_same_v<typename T::scalar_type, float> ||
                         std::is_same_v<typename T::scalar_type, double>> {};

/// dim and scalar_type both right: the call checks below can be formed.
template <class T>
inline constexpr bool dim_and_scalar_ok = has_dim<T>::value && has_float_scalar_type<T>::value;

// ---- SDE ---------------------------------------------------------------------------------------

/// `T::noise` is a noise_kind constant.
template <class T, class = void>
struct has_noise_kind : std::false_type {};
template <class T>
struct has_noise_kind<T, std::void_t<std::integral_constant<noise_kind, T::noise>>>
    : std::true_type {};

/// `T::noise_dim` is a constant of at least 1.
template <class T, class = void>
struct has_noise_dim : std::false_type {};
template <class T>
struct has_noise_dim<T, std::void_t<std::integral_constant<int, T::noise_dim>>>
    : std::bool_constant<(T::noise_dim >= 1)> {};

/// noise_dim is present where the noise kind needs it (general noise).
template <class T, bool = has_noise_kind<T>::value>
struct noise_dim_ok : std::true_type {};  // reported as a missing noise kind instead
template <class T>
struct noise_dim_ok<T, true>
    : std::bool_constant<T::noise != noise_kind::general || has_noise_dim<T>::value> {};

/// The SDE's members that fix the shape of drift and diffusion are all right.
template <class Sde>
inline constexpr bool sde_shape_ok =
    dim_and_scalar_ok<Sde> && has_noise_kind<Sde>::value && noise_dim_ok<Sde>::value;

/// What diffusion must return for lane type R (shape members must be right).
template <class Sde, class R, bool General = Sde::noise == noise_kind::general>
struct diffusion_result {
  using type = vec<R, Sde::dim>;
};
template <class Sde, class R>
struct diffusion_result<Sde, R, true> {
  using type = mat<R, Sde::dim, Sde::noise_dim>;
};

/// `sde.drift(x, t)` with x a vec<R, D> and t an S gives something that converts to vec<R, D>.
template <class Sde, class R, class S, class = void>
struct drift_callable : std::false_type {};
template <class Sde, class R, class S>
struct drift_callable<Sde, R, S,
                      std::void_t<decltype(std::declval<const Sde&>().drift(
                          std::declval<const vec<R, Sde::dim>&>(), std::declval<S>()))>>
    : std::is_convertible<decltype(std::declval<const Sde&>().drift(
                              std::declval<const vec<R, Sde::dim>&>(), std::declval<S>())),
                          vec<R, Sde::dim>> {};

/// `sde.diffusion(x, t)` gives something that converts to the type its noise kind needs.
template <class Sde, class R, class S, class = void>
struct diffusion_callable : std::false_type {};
template <class Sde, class R, class S>
struct diffusion_callable<Sde, R, S,
                          std::void_t<decltype(std::declval<const Sde&>().diffusion(
                              std::declval<const vec<R, Sde::dim>&>(), std::declval<S>()))>>
    : std::is_convertible<decltype(std::declval<const Sde&>().diffusion(
                              std::declval<const vec<R, Sde::dim>&>(), std::declval<S>())),
                          typename diffusion_result<Sde, R>::type> {};

/// drift is right for scalar lanes; true while the shape members are wrong (reported there).
template <class Sde, bool = sde_shape_ok<Sde>>
struct sde_drift_ok : std::true_type {};
template <class Sde>
struct sde_drift_ok<Sde, true>
    : drift_callable<Sde, typename Sde::scalar_type, typename Sde::scalar_type> {};

/// diffusion is right for scalar lanes; true while the shape members are wrong.
template <class Sde, bool = sde_shape_ok<Sde>>
struct sde_diffusion_ok : std::true_type {};
template <class Sde>
struct sde_diffusion_ok<Sde, true>
    : diffusion_callable<Sde, typename Sde::scalar_type, typename Sde::scalar_type> {};

/// A vectorizable SDE's drift and diffusion take the CPU backend's SIMD packs.
template <class Sde, bool = sde_shape_ok<Sde> && is_vectorizable<Sde>::value>
struct sde_packs_ok : std::true_type {};
template <class Sde>
struct sde_packs_ok<Sde, true>
    : std::bool_constant<drift_callable<Sde, detail::cpu_pack_t<typename Sde::scalar_type>,
                                        typename Sde::scalar_type>::value &&
                         diffusion_callable<Sde, detail::cpu_pack_t<typename Sde::scalar_type>,
                                            typename Sde::scalar_type>::value> {};

// ---- score model -------------------------------------------------------------------------------

/// `model(x)` with x a vec<R, D> gives something that converts to vec<R, D>.
template <class Model, class R, int D, class = void>
struct model_callable : std::false_type {};
template <class Model, class R, int D>
struct model_callable<Model, R, D,
                      std::void_t<decltype(std::declval<const Model&>()(
                          std::declval<const vec<R, D>&>()))>>
    : std::is_convertible<decltype(std::declval<const Model&>()(std::declval<const vec<R, D>&>())),
                          vec<R, D>> {};

/// operator() is right for scalar lanes; true while dim or scalar_type is wrong.
template <class Model, bool = dim_and_scalar_ok<Model>>
struct model_scalar_ok : std::true_type {};
template <class Model>
struct model_scalar_ok<Model, true>
    : model_callable<Model, typename Model::scalar_type, Model::dim> {};

/// operator() takes dual numbers (so it is a template on the lane type); true while the scalar
/// call is wrong.
template <class Model, bool = dim_and_scalar_ok<Model> && model_scalar_ok<Model>::value>
struct model_dual_ok : std::true_type {};
template <class Model>
struct model_dual_ok<Model, true>
    : model_callable<Model, dual<typename Model::scalar_type, 1>, Model::dim> {};

/// A vectorizable model's operator() takes SIMD packs and their duals; true while an earlier
/// requirement is unmet.
template <class Model, bool = dim_and_scalar_ok<Model> && model_dual_ok<Model>::value &&
                              is_vectorizable<Model>::value>
struct model_packs_ok : std::true_type {};
template <class Model>
struct model_packs_ok<Model, true>
    : std::bool_constant<
          model_callable<Model, detail::cpu_pack_t<typename Model::scalar_type>,
                         Model::dim>::value &&
          model_callable<Model, dual<detail::cpu_pack_t<typename Model::scalar_type>, 1>,
                         Model::dim>::value> {};

// ---- reducer -----------------------------------------------------------------------------------

/// `reducer(x)` with x a vec<R, D> gives something that converts to R.
template <class Reducer, class R, int D, class = void>
struct reducer_callable : std::false_type {};
template <class Reducer, class R, int D>
struct reducer_callable<Reducer, R, D,
                        std::void_t<decltype(std::declval<const Reducer&>()(
                            std::declval<const vec<R, D>&>()))>>
    : std::is_convertible<
          decltype(std::declval<const Reducer&>()(std::declval<const vec<R, D>&>())), R> {};

// ---- Langevin score ----------------------------------------------------------------------------

/// A score's dim, when it declares one, equals langevin's D.
template <class Score, int D, bool = has_dim<Score>::value>
struct dim_matches : std::true_type {};
template <class Score, int D>
struct dim_matches<Score, D, true> : std::bool_constant<Score::dim == D> {};

/// The score takes vec<scalar_type, D> (and packs of it when @p Packs); true while scalar_type
/// is wrong.
template <class Score, int D, bool Packs, bool = has_float_scalar_type<Score>::value>
struct langevin_call_ok : std::true_type {};
template <class Score, int D, bool Packs>
struct langevin_call_ok<Score, D, Packs, true>
    : std::bool_constant<
          model_callable<Score, typename Score::scalar_type, D>::value &&
          (!Packs ||
           model_callable<Score, detail::cpu_pack_t<typename Score::scalar_type>, D>::value)> {};

// ---- probe law ---------------------------------------------------------------------------------

/// `Law::generator<R, D>` is a type.
template <class Law, class R, int D, class = void>
struct has_probe_generator : std::false_type {};
template <class Law, class R, int D>
struct has_probe_generator<Law, R, D, std::void_t<typename Law::template generator<R, D>>>
    : std::true_type {};

/// The generator is built from (probes, seed, sub_lo, sub_hi) and has next(vec<R, D>&).
template <class Law, class R, int D, class = void>
struct probe_generator_ok : std::false_type {};
template <class Law, class R, int D>
struct probe_generator_ok<
    Law, R, D,
    std::void_t<decltype(typename Law::template generator<R, D>(
                    std::uint32_t{}, std::uint64_t{}, std::declval<const lane_word_t<R>&>(),
                    std::declval<const lane_word_t<R>&>())),
                decltype(std::declval<typename Law::template generator<R, D>&>().next(
                    std::declval<vec<R, D>&>()))>> : std::true_type {};

}  // namespace concept_detail

/// `T::scalar_type` when @p T declares it, else @p Fallback (lets an engine's signature be formed
/// so that its requirement check, not a failed deduction, reports the missing member).
template <class T, class Fallback = float, bool = concept_detail::has_scalar_type<T>::value>
struct scalar_type_or {
  using type = Fallback;
};
template <class T, class Fallback>
struct scalar_type_or<T, Fallback, true> {
  using type = typename T::scalar_type;
};
/// `T::scalar_type` when @p T declares it, else @p Fallback.
template <class T, class Fallback = float>
using scalar_type_or_t = typename scalar_type_or<T, Fallback>::type;

/// True when @p Sde provides everything simulate_em uses (see the file comment).
template <class Sde>
struct is_sde
    : std::bool_constant<concept_detail::sde_shape_ok<Sde> &&
                         concept_detail::sde_drift_ok<Sde>::value &&
                         concept_detail::sde_diffusion_ok<Sde>::value &&
                         concept_detail::sde_packs_ok<Sde>::value> {};
/// is_sde<Sde>::value.
template <class Sde>
inline constexpr bool is_sde_v = is_sde<Sde>::value;

/// True when @p Model provides everything the score engines use (see the file comment).
template <class Model>
struct is_score_model
    : std::bool_constant<concept_detail::dim_and_scalar_ok<Model> &&
                         concept_detail::model_scalar_ok<Model>::value &&
                         concept_detail::model_dual_ok<Model>::value &&
                         concept_detail::model_packs_ok<Model>::value> {};
/// is_score_model<Model>::value.
template <class Model>
inline constexpr bool is_score_model_v = is_score_model<Model>::value;

/**
 * @brief True when @p Reducer can reduce the final state of a D-dimensional SDE in precision
 *        @p T (no_reducer, the default of simulate_em, always can).
 */
template <class Reducer, int D, class T = double>
struct is_reducer : concept_detail::reducer_callable<Reducer, T, D> {};
template <int D, class T>
struct is_reducer<no_reducer, D, T> : std::true_type {};
/// is_reducer<Reducer, D, T>::value.
template <class Reducer, int D, class T = double>
inline constexpr bool is_reducer_v = is_reducer<Reducer, D, T>::value;

/**
 * @brief True when @p Law is a probe-law type for D-dimensional probes in precision @p T (see
 *        the file comment), with SIMD packs of T too when @p Packs.
 */
template <class Law, int D, class T, bool Packs = false>
struct is_probe_law_type
    : std::bool_constant<concept_detail::probe_generator_ok<Law, T, D>::value &&
                         (!Packs ||
                          concept_detail::probe_generator_ok<Law, detail::cpu_pack_t<T>, D>::value)> {
};

/// True when langevin<Score, D, Vectorizable> can be built on @p Score (see the file comment).
template <class Score, int D, bool Vectorizable = true>
struct is_langevin_score
    : std::bool_constant<concept_detail::has_float_scalar_type<Score>::value &&
                         concept_detail::dim_matches<Score, D>::value &&
                         concept_detail::langevin_call_ok<Score, D, Vectorizable>::value> {};

/**
 * @brief Checks @p Sde against the SDE requirements; each unmet one is a `static_assert` that
 *        names it. `value` is is_sde<Sde>::value.
 */
template <class Sde>
struct sde_requirements {
  static_assert(concept_detail::has_dim<Sde>::value,
                "an SDE needs `static constexpr int dim` (its state dimension, at least 1)");
  static_assert(!concept_detail::has_dim<Sde>::value ||
                    concept_detail::has_float_scalar_type<Sde>::value,
                "an SDE needs `using scalar_type = float or double` (the precision of its states "
                "and parameters)");
  static_assert(!concept_detail::dim_and_scalar_ok<Sde> ||
                    concept_detail::has_noise_kind<Sde>::value,
                "an SDE needs `static constexpr noise_kind noise` (scalar, diagonal or general)");
  static_assert(concept_detail::noise_dim_ok<Sde>::value,
                "an SDE with general noise needs `static constexpr int noise_dim` (its number of "
                "Brownian motions, at least 1)");
  static_assert(concept_detail::sde_drift_ok<Sde>::value,
                "an SDE needs `template <class R, class S> vec<R, dim> drift(const vec<R, dim>& "
                "x, S t) const`");
  static_assert(concept_detail::sde_diffusion_ok<Sde>::value,
                "an SDE needs `template <class R, class S> G diffusion(const vec<R, dim>& x, S t) "
                "const`, G = vec<R, dim> for scalar or diagonal noise, mat<R, dim, noise_dim> for "
                "general noise");
  static_assert(!concept_detail::sde_drift_ok<Sde>::value ||
                    !concept_detail::sde_diffusion_ok<Sde>::value ||
                    concept_detail::sde_packs_ok<Sde>::value,
                "an SDE with `vectorizable = true` needs drift and diffusion templated on the lane "
                "type R: the CPU backend calls them with SIMD packs (or set vectorizable = false)");
  /// Whether every requirement holds.
  static constexpr bool value = is_sde<Sde>::value;
};

/**
 * @brief Checks @p Model against the score-model requirements; each unmet one is a
 *        `static_assert` that names it. `value` is is_score_model<Model>::value.
 */
template <class Model>
struct score_model_requirements {
  static_assert(concept_detail::has_dim<Model>::value,
                "a score model needs `static constexpr int dim` (its dimension, at least 1)");
  static_assert(!concept_detail::has_dim<Model>::value ||
                    concept_detail::has_float_scalar_type<Model>::value,
                "a score model needs `using scalar_type = float or double` (the precision of its "
                "samples and parameters)");
  static_assert(concept_detail::model_scalar_ok<Model>::value,
                "a score model needs `template <class R> vec<R, dim> operator()(const vec<R, dim>& "
                "x) const`, callable with R = scalar_type");
  static_assert(concept_detail::model_dual_ok<Model>::value,
                "a score model needs `template <class R> vec<R, dim> operator()(const vec<R, dim>& "
                "x) const` templated on the lane type R: it is called with dual numbers dual<R, K> "
                "to differentiate it");
  static_assert(concept_detail::model_packs_ok<Model>::value,
                "a score model with `vectorizable = true` needs operator() templated on the lane "
                "type R: the CPU backend calls it with SIMD packs (or set vectorizable = false)");
  /// Whether every requirement holds.
  static constexpr bool value = is_score_model<Model>::value;
};

/**
 * @brief Checks @p Reducer against the reducer requirements for a D-dimensional SDE in precision
 *        @p T, with SIMD packs when @p Packs; `value` says whether they hold.
 */
template <class Reducer, int D, class T, bool Packs = false>
struct reducer_requirements {
  static_assert(is_reducer<Reducer, D, T>::value,
                "a reducer needs `template <class R, int D> R operator()(const vec<R, D>& x) "
                "const` (a function of the final state), callable with R = the SDE's scalar_type");
  static_assert(!is_reducer<Reducer, D, T>::value || !Packs ||
                    is_reducer<Reducer, D, detail::cpu_pack_t<T>>::value,
                "a reducer with `vectorizable = true` needs operator() templated on the lane type "
                "R: the CPU backend calls it with SIMD packs (or set vectorizable = false)");
  /// Whether every requirement holds.
  static constexpr bool value =
      is_reducer<Reducer, D, T>::value &&
      (!Packs || is_reducer<Reducer, D, detail::cpu_pack_t<T>>::value);
};

/**
 * @brief Checks @p Law as a probe law for D-dimensional probes in precision @p T (SIMD packs of T
 *        too when @p Packs); each unmet requirement is a `static_assert` that names it.
 */
template <class Law, int D, class T, bool Packs = false>
struct probe_law_requirements {
  static_assert(concept_detail::has_probe_generator<Law, T, D>::value,
                "a probe law needs `template <class R, int D> struct generator` (the probes of one "
                "sample)");
  static_assert(!concept_detail::has_probe_generator<Law, T, D>::value ||
                    concept_detail::probe_generator_ok<Law, T, D>::value,
                "a probe law's generator<R, D> needs a constructor (std::uint32_t probes, "
                "std::uint64_t seed, const lane_word_t<R>& sub_lo, const lane_word_t<R>& sub_hi) "
                "and `void next(vec<R, D>& v)`");
  static_assert(!concept_detail::probe_generator_ok<Law, T, D>::value || !Packs ||
                    concept_detail::probe_generator_ok<Law, detail::cpu_pack_t<T>, D>::value,
                "a probe law used with a vectorizable score model needs generator<R, D> for R a "
                "SIMD pack: the CPU backend draws the probes of several samples at once");
  /// Whether every requirement holds.
  static constexpr bool value = is_probe_law_type<Law, D, T, Packs>::value;
};

namespace concept_detail {
/// The reducer's check, made only once the SDE is right (its dim is needed).
template <class Sde, class Reducer, class T, bool = is_sde<Sde>::value>
struct em_reducer_check : std::true_type {};
template <class Sde, class Reducer, class T>
struct em_reducer_check<Sde, Reducer, T, true>
    : std::bool_constant<reducer_requirements<Reducer, Sde::dim, T,
                                              is_vectorizable<Sde>::value &&
                                                  is_vectorizable<Reducer>::value>::value> {};
}  // namespace concept_detail

/**
 * @brief Checks what simulate_em is given: @p Sde as sde_requirements does, then @p Reducer for
 *        states in precision @p T (SIMD packs when both are vectorizable).
 */
template <class Sde, class Reducer, class T>
struct em_requirements {
  /// Whether every requirement holds.
  static constexpr bool value = sde_requirements<Sde>::value &&
                                concept_detail::em_reducer_check<Sde, Reducer, T>::value;
};

/**
 * @brief Checks the score of langevin<Score, D, Vectorizable>; each unmet requirement is a
 *        `static_assert` that names it.
 */
template <class Score, int D, bool Vectorizable>
struct langevin_score_requirements {
  static_assert(concept_detail::has_float_scalar_type<Score>::value,
                "the score of langevin<Score, D> needs `using scalar_type = float or double` (it "
                "is the SDE's scalar_type)");
  static_assert(concept_detail::dim_matches<Score, D>::value,
                "the score of langevin<Score, D> declares a `dim` other than D");
  static_assert(concept_detail::langevin_call_ok<Score, D, Vectorizable>::value,
                "the score of langevin<Score, D> needs `template <class R> vec<R, D> "
                "operator()(const vec<R, D>& x) const`, called with R = scalar_type and, unless "
                "langevin's Vectorizable is false, with SIMD packs");
  /// Whether every requirement holds.
  static constexpr bool value = is_langevin_score<Score, D, Vectorizable>::value;
};

}  // namespace scorepath
