// expect: a score model needs `static constexpr int dim`
// A score model without its dimension, given to probe_variance_study.
#include <vector>

#include "scorepath/probe_variance.hpp"

struct unit_gaussian_without_dim {
  using scalar_type = double;
  template <class R>
  scorepath::vec<R, 2> operator()(const scorepath::vec<R, 2>& x) const {
    return {{-x[0], -x[1]}};
  }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  const std::vector<double> samples = {0.5, -0.5};
  (void)scorepath::probe_variance_study(ctx, rng, unit_gaussian_without_dim{}, samples);
}
