// expect: an SDE with general noise needs `static constexpr int noise_dim`
// General noise needs the number of Brownian motions.
#include "scorepath/ensemble.hpp"

struct two_factor {
  static constexpr int dim = 1;
  static constexpr scorepath::noise_kind noise = scorepath::noise_kind::general;
  using scalar_type = double;
  template <class R, class S>
  scorepath::vec<R, 1> drift(const scorepath::vec<R, 1>& x, S) const {
    return {{-x[0]}};
  }
  template <class R, class S>
  scorepath::mat<R, 1, 2> diffusion(const scorepath::vec<R, 1>&, S) const {
    return {{{R(1), R(1)}}};
  }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  scorepath::em_options opt;
  opt.paths = 16;
  opt.steps = 4;
  opt.statistics = true;
  (void)scorepath::simulate_em(ctx, rng, two_factor{}, {1.0}, opt);
}
