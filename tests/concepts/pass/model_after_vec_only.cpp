// A score model written after including only vec.hpp, then called with dual numbers.
#include "scorepath/vec.hpp"

struct vec_only_model {
  static constexpr int dim = 2;
  using scalar_type = double;
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    namespace m = scorepath::math;
    return {{-m::tanh(x[0]) * m::sigmoid(x[1]), m::softplus(x[0]) - x[1] * 2.0}};
  }
};

#include "scorepath/dual.hpp"

using dual_state = scorepath::vec<scorepath::dual<double, 3>, 2>;
static_assert(std::is_same_v<decltype(vec_only_model{}(dual_state{})), dual_state>);

double run() {
  scorepath::vec<scorepath::dual<double, 1>, 2> x;
  x[0] = scorepath::make_dual(0.25, {1.0});
  x[1] = scorepath::make_dual(-0.5, {0.0});
  return vec_only_model{}(x)[0].tan[0];
}
