// A score model whose math is written after including only math.hpp, then called with dual
// numbers: the dual overloads are found whatever the include order.
#include "scorepath/math.hpp"

namespace user {
/// Every function of scorepath::math, on any lane type.
template <class R>
R every_function(const R& z) {
  namespace m = scorepath::math;
  const R a = m::tanh(z) + m::exp(z) + m::log(m::abs(z) + R(1)) + m::log1p(m::sigmoid(z));
  const R b = m::expm1(z) * m::sqrt(m::softplus(z)) + m::sin(z) * m::cos(z) + m::silu(z);
  const R c = m::elu(z) + m::pow(m::softplus(z), m::softplus(z)) + m::max(z, R(0)) +
              m::pow(z, 2.0f);
  return m::select(z > R(0), a + b, c);
}
}  // namespace user

#include "scorepath/vec.hpp"

struct math_only_model {
  static constexpr int dim = 2;
  static constexpr bool vectorizable = true;
  using scalar_type = float;
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    return {{user::every_function(x[0]), user::every_function(x[1])}};
  }
};

#include "scorepath/concepts.hpp"  // dual.hpp comes only now
#include "scorepath/dual.hpp"

static_assert(scorepath::is_score_model_v<math_only_model>);

float run() {
  using d2 = scorepath::dual<float, 2>;
  scorepath::vec<d2, 2> x;
  x[0] = scorepath::make_dual(0.5f, {1.0f, 0.0f});
  x[1] = scorepath::make_dual(-0.5f, {0.0f, 1.0f});
  const scorepath::vec<d2, 2> s = math_only_model{}(x);
  return s[0].tan[0] + s[1].tan[1];
}
