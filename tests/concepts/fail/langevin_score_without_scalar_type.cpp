// expect: the score of langevin<Score, D> needs `using scalar_type = float or double`
// Langevin dynamics over a score that does not say its precision.
#include "scorepath/sdes/langevin.hpp"

struct unit_gaussian_without_scalar_type {
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    return {{-x[0], -x[1]}};
  }
};

void run() {
  const scorepath::langevin<unit_gaussian_without_scalar_type, 2> sde{
      unit_gaussian_without_scalar_type{}};
  (void)sde;
}
