// The requirements of concepts.hpp: every built-in SDE, score model and reducer meets them, types
// that lack a member are told apart without a hard error, and a model written after including
// only vec.hpp (before dual.hpp) is differentiated by dual numbers exactly. The messages of the
// static_asserts are checked by tests/concepts/check_concept_messages.sh (CTest concept_messages).

// First, before any other header: a model whose body uses scorepath::math, with only vec.hpp seen.
#include "scorepath/vec.hpp"

namespace concepts_test {
/// S(x) = (−tanh(x₀)·sigmoid(x₁), softplus(x₀) − 2x₁ + elu(x₁)).
struct vec_only_model {
  static constexpr int dim = 2;
  static constexpr bool vectorizable = true;
  using scalar_type = double;
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    namespace m = scorepath::math;
    return {{-m::tanh(x[0]) * m::sigmoid(x[1]), m::softplus(x[0]) - x[1] * 2.0 + m::elu(x[1])}};
  }
};
}  // namespace concepts_test

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "scorepath/concepts.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/em_path.hpp"
#include "scorepath/reducers.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/isotropic_gaussian.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/sdes/brownian_motion.hpp"
#include "scorepath/sdes/diffusion_model_sdes.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/sdes/langevin.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"

namespace scorepath {
namespace {

// ---------------------------------------------------------------------------------------------
// The built-ins meet the requirements
// ---------------------------------------------------------------------------------------------

template <class T>
constexpr bool every_builtin_sde() {
  return is_sde_v<brownian_motion<T, 3>> && is_sde_v<geometric_brownian_motion<T>> &&
         is_sde_v<correlated_gbm<T, 2>> && is_sde_v<ornstein_uhlenbeck<T, 8>> &&
         is_sde_v<vp_sde<T, 2>> && is_sde_v<ve_sde<T, 1>> &&
         is_sde_v<langevin<isotropic_gaussian_score<T, 2>, 2>> &&
         is_sde_v<langevin<isotropic_gaussian_score<T, 2>, 2, false>> &&
         is_sde_v<langevin<gaussian_score<T, 3>, 3>>;
}
static_assert(every_builtin_sde<float>());
static_assert(every_builtin_sde<double>());

template <class T>
constexpr bool every_builtin_score_model() {
  return is_score_model_v<gaussian_score<T, 4>> &&
         is_score_model_v<diagonal_gaussian_score<T, 2>> &&
         is_score_model_v<gaussian_mixture_score<T, 2, 3>> && is_score_model_v<mlp_score<T, 2>> &&
         is_score_model_v<isotropic_gaussian_score<T, 5>> &&
         is_langevin_score<isotropic_gaussian_score<T, 2>, 2>::value &&
         is_langevin_score<gaussian_score<T, 2>, 2, false>::value;
}
static_assert(every_builtin_score_model<float>());
static_assert(every_builtin_score_model<double>());
static_assert(is_score_model_v<concepts_test::vec_only_model>);

static_assert(is_reducer_v<discounted_call_payoff<float>, 1, float>);
static_assert(is_reducer_v<discounted_call_payoff<double, 2>, 3, double>);
static_assert(is_reducer_v<component_value<1>, 2>);
static_assert(is_reducer_v<no_reducer, 4, float>);
static_assert(em_requirements<geometric_brownian_motion<float>, discounted_call_payoff<float>,
                              float>::value);

// ---------------------------------------------------------------------------------------------
// Types that lack a member are told apart (false, not a compile error)
// ---------------------------------------------------------------------------------------------

struct good_sde {
  static constexpr int dim = 2;
  static constexpr noise_kind noise = noise_kind::diagonal;
  using scalar_type = float;
  template <class R, class S>
  vec<R, 2> drift(const vec<R, 2>& x, S) const { return x; }
  template <class R, class S>
  vec<R, 2> diffusion(const vec<R, 2>& x, S) const { return x; }
};
struct sde_without_dim {
  static constexpr noise_kind noise = noise_kind::diagonal;
  using scalar_type = float;
};
struct sde_with_zero_dim : good_sde {
  static constexpr int dim = 0;
};
struct sde_with_int_scalar : good_sde {
  using scalar_type = int;
};
struct sde_without_noise {
  static constexpr int dim = 2;
  using scalar_type = float;
  template <class R, class S>
  vec<R, 2> drift(const vec<R, 2>& x, S) const { return x; }
  template <class R, class S>
  vec<R, 2> diffusion(const vec<R, 2>& x, S) const { return x; }
};
struct sde_with_general_noise_and_vector_diffusion : good_sde {
  static constexpr noise_kind noise = noise_kind::general;
  static constexpr int noise_dim = 2;  // diffusion must then be a 2×2 matrix, not a vector
};
struct sde_without_drift {
  static constexpr int dim = 1;
  static constexpr noise_kind noise = noise_kind::scalar;
  using scalar_type = double;
  template <class R, class S>
  vec<R, 1> diffusion(const vec<R, 1>& x, S) const { return x; }
};
struct vectorizable_sde_for_floats_only {
  static constexpr int dim = 1;
  static constexpr noise_kind noise = noise_kind::scalar;
  static constexpr bool vectorizable = true;
  using scalar_type = float;
  vec<float, 1> drift(const vec<float, 1>& x, float) const { return x; }
  vec<float, 1> diffusion(const vec<float, 1>& x, float) const { return x; }
};
struct scalar_sde_for_floats_only : vectorizable_sde_for_floats_only {
  static constexpr bool vectorizable = false;  // then one lane at a time is all it needs
};

static_assert(is_sde_v<good_sde>);
static_assert(!is_sde_v<sde_without_dim>);
static_assert(!is_sde_v<sde_with_zero_dim>);
static_assert(!is_sde_v<sde_with_int_scalar>);
static_assert(!is_sde_v<sde_without_noise>);
static_assert(!is_sde_v<sde_with_general_noise_and_vector_diffusion>);
static_assert(!is_sde_v<sde_without_drift>);
static_assert(!is_sde_v<vectorizable_sde_for_floats_only>);
static_assert(is_sde_v<scalar_sde_for_floats_only>);
static_assert(!is_sde_v<gaussian_score<float, 2>>);  // a score model is not an SDE

struct model_without_scalar_type {
  static constexpr int dim = 2;
  template <class R>
  vec<R, 2> operator()(const vec<R, 2>& x) const { return x; }
};
struct model_for_floats_only {
  static constexpr int dim = 2;
  using scalar_type = float;
  vec<float, 2> operator()(const vec<float, 2>& x) const { return x; }
};
struct model_of_another_dimension {
  static constexpr int dim = 3;
  using scalar_type = float;
  template <class R>
  vec<R, 2> operator()(const vec<R, 2>& x) const { return x; }
};

static_assert(!is_score_model_v<model_without_scalar_type>);
static_assert(!is_score_model_v<model_for_floats_only>);
static_assert(!is_score_model_v<model_of_another_dimension>);
static_assert(!is_score_model_v<geometric_brownian_motion<float>>);  // an SDE is not a model
static_assert(!is_langevin_score<model_without_scalar_type, 2>::value);
static_assert(!is_langevin_score<isotropic_gaussian_score<float, 3>, 2>::value);  // dim ≠ D
static_assert(is_langevin_score<model_for_floats_only, 2, false>::value);
static_assert(!is_langevin_score<model_for_floats_only, 2, true>::value);

struct reducer_of_a_number {
  float operator()(float x) const { return x; }
};
static_assert(!is_reducer_v<reducer_of_a_number, 1, float>);
struct reducer_of_two_components {
  template <class R>
  R operator()(const vec<R, 2>& x) const { return x[0] + x[1]; }
};
static_assert(is_reducer_v<reducer_of_two_components, 2, float>);
static_assert(!is_reducer_v<reducer_of_two_components, 1, float>);  // a 1-dimensional SDE

static_assert(std::is_same_v<scalar_type_or_t<good_sde>, float>);
static_assert(std::is_same_v<scalar_type_or_t<model_without_scalar_type, double>, double>);

TEST(Concepts, TraitsAreCompileTimeFacts) {
  // Everything above is a static_assert; this row keeps the file's checks in the test list.
  EXPECT_TRUE(is_sde_v<good_sde>);
  EXPECT_FALSE(is_score_model_v<model_for_floats_only>);
}

// ---------------------------------------------------------------------------------------------
// A model written before dual.hpp was included
// ---------------------------------------------------------------------------------------------

TEST(Concepts, ModelWrittenBeforeDualHeaderIsDifferentiatedExactly) {
  const concepts_test::vec_only_model model;
  const double x0 = 0.3, x1 = -0.7;
  vec<dual<double, 2>, 2> x;
  x[0] = make_dual(x0, {1.0, 0.0});
  x[1] = make_dual(x1, {0.0, 1.0});
  const vec<dual<double, 2>, 2> s = model(x);

  // Closed forms with the standard library: d tanh = 1 − tanh², d sigmoid = σ(1 − σ),
  // d softplus = sigmoid, d elu = eˣ for x ≤ 0.
  const double t = std::tanh(x0), sg = 1.0 / (1.0 + std::exp(-x1));
  const double s0 = -t * sg;
  const double s1 = std::log1p(std::exp(x0)) - 2.0 * x1 + std::expm1(x1);
  const double j00 = -(1.0 - t * t) * sg, j01 = -t * sg * (1.0 - sg);
  const double j10 = 1.0 / (1.0 + std::exp(-x0)), j11 = -2.0 + std::exp(x1);
  constexpr double tol = 1e-14;
  EXPECT_NEAR(s[0].val, s0, tol);
  EXPECT_NEAR(s[1].val, s1, tol);
  EXPECT_NEAR(s[0].tan[0], j00, tol);
  EXPECT_NEAR(s[0].tan[1], j01, tol);
  EXPECT_NEAR(s[1].tan[0], j10, tol);
  EXPECT_NEAR(s[1].tan[1], j11, tol);
  // The scalar call gives the primal values bit for bit.
  const vec<double, 2> plain = model(vec<double, 2>{{x0, x1}});
  EXPECT_EQ(plain[0], s[0].val);
  EXPECT_EQ(plain[1], s[1].val);
}

}  // namespace
}  // namespace scorepath
