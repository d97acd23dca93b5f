// expect: an SDE needs `static constexpr int dim`
// An SDE that forgets its dimension, given to simulate_em.
#include "scorepath/ensemble.hpp"

struct decay_without_dim {
  static constexpr scorepath::noise_kind noise = scorepath::noise_kind::diagonal;
  using scalar_type = float;
  template <class R, class S>
  scorepath::vec<R, 1> drift(const scorepath::vec<R, 1>& x, S) const {
    return {{-x[0]}};
  }
  template <class R, class S>
  scorepath::vec<R, 1> diffusion(const scorepath::vec<R, 1>&, S) const {
    return {{R(1)}};
  }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  scorepath::em_options opt;
  opt.paths = 16;
  opt.steps = 4;
  opt.statistics = true;
  (void)scorepath::simulate_em(ctx, rng, decay_without_dim{}, {1.0f}, opt);
}
