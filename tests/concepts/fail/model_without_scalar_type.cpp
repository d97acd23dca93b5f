// expect: a score model needs `using scalar_type = float or double`
// A score model that does not say its precision, given to sliced_score_matching.
#include <vector>

#include "scorepath/ssm.hpp"

struct unit_gaussian_without_scalar_type {
  static constexpr int dim = 2;
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    return {{-x[0], -x[1]}};
  }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  const std::vector<float> samples = {0.5f, -0.5f};
  (void)scorepath::sliced_score_matching(ctx, rng, unit_gaussian_without_scalar_type{}, samples,
                                         scorepath::ssm_options{});
}
