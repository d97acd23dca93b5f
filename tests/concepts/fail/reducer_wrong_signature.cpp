// expect: a reducer needs `template <class R, int D> R operator()(const vec<R, D>& x) const`
// A reducer written for a plain number instead of the final state vector.
#include "scorepath/ensemble.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"

struct payoff_of_a_number {
  float operator()(float x) const { return x > 100.0f ? x - 100.0f : 0.0f; }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  scorepath::em_options opt;
  opt.paths = 16;
  opt.steps = 4;
  const scorepath::geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  (void)scorepath::simulate_em(ctx, rng, gbm, {100.0f}, opt, {}, payoff_of_a_number{});
}
