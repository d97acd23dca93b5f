// expect: templated on the lane type R: it is called with dual numbers
// A score model whose operator() takes only floats, given to evaluate_scores.
#include <vector>

#include "scorepath/score_eval.hpp"

struct float_only_model {
  static constexpr int dim = 2;
  using scalar_type = float;
  scorepath::vec<float, 2> operator()(const scorepath::vec<float, 2>& x) const {
    return {{-x[0], -x[1]}};
  }
};

void run() {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  const std::vector<float> samples = {0.5f, -0.5f};
  (void)scorepath::evaluate_scores(ctx, float_only_model{}, samples);
}
