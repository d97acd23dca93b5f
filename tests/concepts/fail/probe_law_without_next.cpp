// expect: a probe law's generator<R, D> needs a constructor (std::uint32_t probes
// A probe law whose generator has no next(): sliced score matching cannot draw from it.
#include <vector>

#include "scorepath/scores/gaussian.hpp"
#include "scorepath/ssm.hpp"

struct probes_without_next {
  template <class R, int D>
  struct generator {
    generator(std::uint32_t, std::uint64_t, const scorepath::lane_word_t<R>&,
              const scorepath::lane_word_t<R>&) {}
  };
};

void run(const scorepath::gaussian_score<double, 2>& model, const std::vector<double>& x) {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  (void)scorepath::sliced_score_matching(ctx, rng, model,
                                         probes_without_next{}, x, scorepath::ssm_options{});
}
