// Bad input to simulate_em and the built-in SDEs: a typed error naming the parameter and value,
// caller memory untouched, and the random stream not advanced.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

constexpr float sentinel = -12345.0f;
const double nan = std::numeric_limits<double>::quiet_NaN();

em_options valid_options() {
  em_options opt;
  opt.paths = 100;
  opt.steps = 10;
  opt.t1 = 1.0;
  opt.save_steps = {5, 10};
  return opt;
}

struct bad_case {
  std::string name;
  std::string parameter;  // expected invalid_argument_error::parameter()
  std::function<void(em_options&, std::vector<float>&, em_outputs<float>&)> spoil;
};

void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }

class EmBadInput : public ::testing::TestWithParam<bad_case> {};

TEST_P(EmBadInput, ThrowsNamingTheParameterAndWritesNothing) {
  const bad_case& c = GetParam();
  em_options opt = valid_options();
  std::vector<float> x0{1.0f};
  std::vector<float> final_states(100, sentinel), saved(2 * 100, sentinel);
  em_outputs<float> out{host_output(final_states.data(), final_states.size()),
                        host_output(saved.data(), saved.size())};
  c.spoil(opt, x0, out);
  const context ctx = test_support::cpu();
  rng_stream rng(1);
  const geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  try {
    simulate_em(ctx, rng, gbm, x0, opt, out);
    FAIL() << c.name << ": no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), c.parameter) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.parameter), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(e.value()), std::string::npos) << e.what();
  }
  for (float v : final_states) ASSERT_EQ(v, sentinel) << c.name;
  for (float v : saved) ASSERT_EQ(v, sentinel) << c.name;
  EXPECT_EQ(rng.state().next_subsequence, 0u) << c.name;
}

const bad_case cases[] = {
    {"zero paths", "paths", [](auto& o, auto&, auto&) { o.paths = 0; }},
    {"zero steps", "steps", [](auto& o, auto&, auto&) { o.steps = 0; }},
    {"t1 before t0", "t1", [](auto& o, auto&, auto&) { o.t1 = -1.0; }},
    {"t1 equal to t0", "t1", [](auto& o, auto&, auto&) { o.t1 = 0.0; }},
    {"t1 NaN", "t1", [](auto& o, auto&, auto&) { o.t1 = nan; }},
    {"t0 infinite", "t0", [](auto& o, auto&, auto&) { o.t0 = -INFINITY; }},
    {"step size underflows float", "step size",
     [](auto& o, auto&, auto&) {
       o.t0 = 0.0;
       o.t1 = 1e-300;
     }},
    {"save step past the end", "save_steps[1]",
     [](auto& o, auto&, auto&) { o.save_steps = {5, 11}; }},
    {"save step zero", "save_steps[0]", [](auto& o, auto&, auto&) { o.save_steps = {0, 10}; }},
    {"save steps not increasing", "save_steps[1]",
     [](auto& o, auto&, auto&) { o.save_steps = {5, 5}; }},
    {"x0 of wrong dimension", "x0 size", [](auto&, auto& x, auto&) { x = {1.0f, 2.0f}; }},
    {"x0 NaN", "x0[0]", [](auto&, auto& x, auto&) { x = {static_cast<float>(nan)}; }},
    {"final output too small", "final_states size",
     [](auto&, auto&, auto& out) { out.final_states.size = 99; }},
    {"saved output too large", "saved_states size",
     [](auto&, auto&, auto& out) { out.saved_states.size = 201; }},
    {"device memory on the CPU backend", "final_states space",
     [](auto&, auto&, auto& out) { out.final_states.space = memory_space::device; }},
    {"nothing asked for", "outputs",
     [](auto&, auto&, auto& out) { out = em_outputs<float>{}; }},
    {"refinement too deep", "refinement", [](auto& o, auto&, auto&) { o.refinement = 21; }},
    {"draws overflow the Philox counter", "steps",
     [](auto& o, auto&, auto& out) {
       o.steps = std::uint64_t{1} << 50;
       o.refinement = 13;
       o.save_steps.clear();
       out.saved_states = {};
     }},
};

INSTANTIATE_TEST_SUITE_P(Matrix, EmBadInput, ::testing::ValuesIn(cases),
                         [](const auto& info) { return test_support::test_name(info.param.name); });

using test_support::parameter_of;

TEST(EmBadParameters, BuiltInSdesNameTheirParameter) {
  EXPECT_EQ(parameter_of([] { geometric_brownian_motion<float>(NAN, 0.2f); }), "mu");
  EXPECT_EQ(parameter_of([] { geometric_brownian_motion<float>(0.1f, -0.2f); }), "sigma");
  EXPECT_EQ(parameter_of([] { ornstein_uhlenbeck<double, 2>({1, -1}, {0, 0}, {1, 1}); }),
            "theta[1]");
  EXPECT_EQ(parameter_of([] { brownian_motion<double, 1>(0.0, INFINITY); }), "sigma[0]");
  EXPECT_EQ(parameter_of([] { vp_sde<float>(0.1f, -1.0f); }), "beta_max");
  EXPECT_EQ(parameter_of([] { ve_sde<float>(0.0f, 50.0f); }), "sigma_min");
  EXPECT_EQ(parameter_of([] { isotropic_gaussian_score<float, 2>({0, 0}, 0.0f); }), "stddev");
  EXPECT_EQ(parameter_of([] { discounted_call_payoff<float>(-1.0f, 0.0f, 1.0f); }), "strike");
}

TEST(EmBadParameters, CorrelationMatricesAreChecked) {
  const std::array<double, 2> mu{0.0, 0.0}, sigma{0.2, 0.3};
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu, sigma, {1.0, 1.5, 1.5, 1.0}); }),
            "correlation");
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu, sigma, {1.0, 0.5, 0.4, 1.0}); }),
            "correlation[2]");
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu, sigma, {2.0, 0.0, 0.0, 1.0}); }),
            "correlation[0]");
  EXPECT_EQ(parameter_of([&] { correlated_gbm<double, 2>(mu, sigma, {1.0, 0.5, 0.5, 1.0}); }),
            "<no error>");
}

TEST(EmBadParameters, ImpossibleMemoryRequestIsOutOfMemory) {
  context ctx(backend_choice::cpu);
  rng_stream rng(1);
  em_options opt;
  opt.paths = std::uint64_t{1} << 45;  // 128 TiB of final states
  opt.steps = 1;
  EXPECT_THROW(simulate_em_to_host(ctx, rng, geometric_brownian_motion<float>(0.0f, 0.1f), {1.0f},
                                   opt, true, false),
               out_of_memory_error);
  EXPECT_EQ(rng.state().next_subsequence, 0u);
}

TEST(EmBadParameters, StatisticsAccessorRejectsOutOfRange) {
  context ctx(backend_choice::cpu);
  rng_stream rng(1);
  em_options opt;
  opt.paths = 10;
  opt.steps = 2;
  opt.statistics = true;
  const auto report = simulate_em(ctx, rng, brownian_motion<double, 1>(), {0.0}, opt);
  EXPECT_NO_THROW(report.at(0, 0));
  EXPECT_EQ(parameter_of([&] { report.at(1, 0); }), "save index");
  EXPECT_EQ(parameter_of([&] { report.at(0, 1); }), "component");
}

TEST(Context, CpuIsAlwaysAvailableAndCudaOnlyWithADevice) {
  context cpu(backend_choice::cpu);
  EXPECT_EQ(cpu.kind(), backend::cpu);
  EXPECT_GE(cpu.threads(), 1);
  cpu.set_threads(2);
  EXPECT_EQ(cpu.threads(), 2);
  EXPECT_EQ(parameter_of([&] { cpu.set_threads(-1); }), "threads");
  if (cuda_device_count() == 0) {
    EXPECT_THROW(context(backend_choice::cuda), unavailable_error);
    EXPECT_EQ(context().kind(), backend::cpu);
  } else {
    // The automatic choice takes device 0 only when this build has kernels for it.
    EXPECT_EQ(context().kind(), cuda_device_usable(0) ? backend::cuda : backend::cpu);
    EXPECT_EQ(parameter_of([] { context(backend_choice::cuda, 1 << 20); }), "device");
  }
  EXPECT_EQ(parse_backend_choice("auto"), backend_choice::automatic);
  EXPECT_EQ(parameter_of([] { parse_backend_choice("gpu"); }), "backend");
}

}  // namespace
}  // namespace scorepath
