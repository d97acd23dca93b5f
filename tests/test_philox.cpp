#include <gtest/gtest.h>
#include "scorepath/ensemble.hpp"
TEST(Smoke, Gbm) {
  scorepath::context ctx(scorepath::backend_choice::cpu);
  scorepath::rng_stream rng(1);
  scorepath::geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  scorepath::em_options opt; opt.paths = 100000; opt.steps = 64; opt.statistics = true;
  auto r = scorepath::simulate_em(ctx, rng, gbm, std::vector<float>{1.0f}, opt);
  EXPECT_NEAR(r.at(0,0).mean, std::exp(0.05), 5*r.at(0,0).std_error);
}
