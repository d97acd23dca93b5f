// expect: an SDE needs `using scalar_type = float or double`
// An SDE that does not say its precision, given to simulate_em_to_host.
#include "scorepath/ensemble.hpp"

struct decay_without_scalar_type {
  static constexpr int dim = 1;
  static constexpr scorepath::noise_kind noise = scorepath::noise_kind::diagonal;
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
  (void)scorepath::simulate_em_to_host(ctx, rng, decay_without_scalar_type{}, {1.0f}, opt, true,
                                       false);
}
