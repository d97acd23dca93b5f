// The check-only entries (validate.hpp) against the engines on a table of bad requests: for each
// row validate_* and the engine throw the same type with the same message, neither advances the
// random stream, and validate_* writes nothing. Good requests pass validate_* and then run.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <typeinfo>
#include <vector>

#include "scorepath/probe_variance.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/sdes/diffusion_model_sdes.hpp"
#include "scorepath/sdes/geometric_brownian_motion.hpp"
#include "scorepath/sdes/ornstein_uhlenbeck.hpp"
#include "scorepath/validate.hpp"

namespace scorepath {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The type and message of what @p f throws; empty type when it throws nothing.
struct outcome {
  std::string type, message;
};
outcome outcome_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return {typeid(e).name(), e.what()};
  }
  return {};
}

/// Runs a row: validate and the engine fail alike (or, unless @p must_fail, both succeed), and a
/// failure leaves the stream where it was.
void expect_same_failure(const std::string& name, const std::function<void()>& validate,
                         const std::function<void(rng_stream&)>& engine, bool must_fail = true) {
  SCOPED_TRACE(name);
  rng_stream rng(99);
  const std::uint64_t before = rng.state().next_subsequence;
  const outcome checked = outcome_of(validate);
  const outcome ran = outcome_of([&] { engine(rng); });
  if (must_fail) EXPECT_FALSE(ran.type.empty()) << "the engine accepted the row";
  EXPECT_EQ(checked.type, ran.type);
  EXPECT_EQ(checked.message, ran.message);
  if (!ran.type.empty()) EXPECT_EQ(rng.state().next_subsequence, before);
}

em_options good_em() {
  em_options opt;
  opt.paths = 100;
  opt.steps = 8;
  opt.statistics = true;
  return opt;
}

TEST(Validate, EmRefusesWhatSimulateEmRefuses) {
  const context cpu(backend_choice::cpu);
  const geometric_brownian_motion<float> gbm(0.05f, 0.2f);
  const ornstein_uhlenbeck<double, 2> ou(1.0, 0.0, 0.5);
  const vp_sde<double, 1> vp(0.1, 20.0);
  struct row {
    std::string name;
    std::function<void(em_options&)> edit;
  };
  const row rows[] = {
      {"no paths", [](em_options& o) { o.paths = 0; }},
      {"no steps", [](em_options& o) { o.steps = 0; }},
      {"t1 before t0", [](em_options& o) { o.t1 = -1.0; }},
      {"NaN t0", [](em_options& o) { o.t0 = kNaN; }},
      {"infinite t1", [](em_options& o) { o.t1 = std::numeric_limits<double>::infinity(); }},
      {"save step past the end", [](em_options& o) { o.save_steps = {3, 9}; }},
      {"save steps not increasing", [](em_options& o) { o.save_steps = {4, 4}; }},
      {"no outputs", [](em_options& o) { o.statistics = false; }},
      {"refinement 21", [](em_options& o) { o.refinement = 21; }},
      {"draws past 2^62", [](em_options& o) {
         o.steps = std::uint64_t{1} << 50;
         o.refinement = 12;
       }},
      {"statistics beyond memory", [](em_options& o) { o.paths = std::uint64_t{1} << 62; }},
  };
  for (const row& r : rows) {
    em_options opt = good_em();
    r.edit(opt);
    expect_same_failure("gbm float: " + r.name, [&] { validate_em(cpu, gbm, {1.0f}, opt); },
                        [&](rng_stream& rng) { (void)simulate_em(cpu, rng, gbm, {1.0f}, opt); });
    expect_same_failure("ou to host: " + r.name,
                        [&] { validate_em_to_host(cpu, ou, {0.0, 1.0}, opt, true, true); },
                        [&](rng_stream& rng) {
                          (void)simulate_em_to_host(cpu, rng, ou, {0.0, 1.0}, opt, true, true);
                        },
                        /*must_fail=*/r.name != "no outputs");
  }
  em_options beyond_float = good_em();
  beyond_float.t1 = 1e39;
  expect_same_failure("t1 beyond float", [&] { validate_em(cpu, gbm, {1.0f}, beyond_float); },
                      [&](rng_stream& rng) { (void)simulate_em(cpu, rng, gbm, {1.0f}, beyond_float); });
  const em_options opt = good_em();
  expect_same_failure("x0 of the wrong size", [&] { validate_em(cpu, ou, {0.0}, opt); },
                      [&](rng_stream& rng) { (void)simulate_em(cpu, rng, ou, {0.0}, opt); });
  expect_same_failure("NaN x0", [&] { validate_em(cpu, ou, {0.0, kNaN}, opt); },
                      [&](rng_stream& rng) { (void)simulate_em(cpu, rng, ou, {0.0, kNaN}, opt); });
  em_options before_zero = good_em();
  before_zero.t0 = -0.5;
  expect_same_failure("VP before t = 0 (the SDE's own domain)",
                      [&] { validate_em(cpu, vp, {1.0}, before_zero); },
                      [&](rng_stream& rng) { (void)simulate_em(cpu, rng, vp, {1.0}, before_zero); });
  // save points x D at max_em_save_values: refused, and one below it is not (by this check)
  em_options many = good_em();
  many.steps = max_em_save_values;
  for (std::uint64_t s = 1; s <= max_em_save_values / 2; ++s) many.save_steps.push_back(s);
  expect_same_failure("save points x D at the limit", [&] { validate_em(cpu, ou, {0.0, 0.0}, many); },
                      [&](rng_stream& rng) { (void)simulate_em(cpu, rng, ou, {0.0, 0.0}, many); });
  many.save_steps.pop_back();
  many.paths = 1;
  // (the run's memory may still be refused on a small host, but not the count of save points)
  EXPECT_EQ(outcome_of([&] { validate_em(cpu, ou, {0.0, 0.0}, many); })
                .message.find("save steps x D"),
            std::string::npos);
  // final states of more paths than memory holds: named as simulate_em_to_host names them
  em_options huge = good_em();
  huge.paths = std::uint64_t{1} << 61;
  expect_same_failure("final states beyond memory",
                      [&] { validate_em_to_host(cpu, ou, {0.0, 0.0}, huge, true, false); },
                      [&](rng_stream& rng) {
                        (void)simulate_em_to_host(cpu, rng, ou, {0.0, 0.0}, huge, true, false);
                      });
  // output spans: a dangling one and one of the wrong size
  std::vector<double> buffer(10, 7.0);
  em_outputs<double> wrong;
  wrong.final_states = host_output(buffer.data(), buffer.size());
  em_outputs<double> dangling;
  dangling.final_states = host_output<double>(nullptr, 200);
  for (const auto& out : {wrong, dangling}) {
    expect_same_failure("bad output span", [&] { validate_em(cpu, ou, {0.0, 0.0}, opt, out); },
                        [&](rng_stream& rng) { (void)simulate_em(cpu, rng, ou, {0.0, 0.0}, opt, out); });
  }
  EXPECT_EQ(buffer, std::vector<double>(10, 7.0));
}

TEST(Validate, GoodEmRequestsPassAndLeaveTheStreamForTheRun) {
  const context cpu(backend_choice::cpu);
  const geometric_brownian_motion<double> gbm(0.05, 0.2);
  rng_stream rng(5);
  em_options opt = good_em();
  opt.save_steps = {4, 8};
  validate_em(cpu, gbm, {1.0}, opt);
  validate_em_to_host(cpu, gbm, {1.0}, opt, true, true);
  EXPECT_EQ(rng.state().next_subsequence, 0u);
  EXPECT_NO_THROW((void)simulate_em_to_host(cpu, rng, gbm, {1.0}, opt, true, true));
  EXPECT_EQ(rng.state().next_subsequence, opt.paths);
  // the built-in SDEs have CUDA kernels in a CUDA build only; a user's type never without one
  EXPECT_EQ((has_em_cuda_kernel<geometric_brownian_motion<double>>), SCOREPATH_HAVE_CUDA != 0);
  EXPECT_EQ((has_ssm_cuda_kernel<gaussian_score<double, 2>>), SCOREPATH_HAVE_CUDA != 0);
}

TEST(Validate, SsmAndTheVarianceStudyRefuseWhatTheirEnginesRefuse) {
  const context cpu(backend_choice::cpu);
  const diagonal_gaussian_score<double, 2> model({0.0, 1.0}, {1.0, 2.0});
  const std::vector<double> good{0.1, 0.2, 0.3, 0.4};
  struct row {
    std::string name;
    std::vector<double> samples;
    std::function<void(ssm_options&, variance_study_options&)> edit;
  };
  const row rows[] = {
      {"no samples", {}, [](ssm_options&, variance_study_options&) {}},
      {"half a sample", {0.1, 0.2, 0.3}, [](ssm_options&, variance_study_options&) {}},
      {"NaN sample", {0.1, kNaN, 0.3, 0.4}, [](ssm_options&, variance_study_options&) {}},
      {"no probes", good, [](ssm_options& s, variance_study_options& v) {
         s.probes = 0;
         v.probe_counts = {4, 0};
       }},
      {"no law", good, [](ssm_options& s, variance_study_options& v) {
         s.law = static_cast<probe_law>(9);
         v.laws = {probe_law::sphere, static_cast<probe_law>(9)};
       }},
      {"one replicate", good, [](ssm_options&, variance_study_options& v) { v.replicates = 1; }},
      {"NaN target", good,
       [](ssm_options&, variance_study_options& v) { v.target_relative_error = kNaN; }},
      {"no laws", good, [](ssm_options&, variance_study_options& v) { v.laws.clear(); }},
  };
  for (const row& r : rows) {
    ssm_options opt;
    variance_study_options study;
    r.edit(opt, study);
    if (opt.probes == 0 || opt.law != probe_law::gaussian || r.samples != good) {
      expect_same_failure("ssm: " + r.name, [&] { validate_ssm(cpu, model, r.samples, opt); },
                          [&](rng_stream& rng) {
                            (void)sliced_score_matching(cpu, rng, model, r.samples, opt);
                          });
    }
    expect_same_failure("study: " + r.name,
                        [&] { validate_probe_variance(cpu, model, r.samples, study); },
                        [&](rng_stream& rng) {
                          (void)probe_variance_study(cpu, rng, model, r.samples, study);
                        });
  }
  // outputs: the wrong size, and an ISM output without the exact ISM
  std::vector<double> buffer(3, 7.0);
  ssm_outputs<double> wrong;
  wrong.projections = host_output(buffer.data(), buffer.size());
  ssm_outputs<double> ism;
  ism.ism_per_sample = host_output(buffer.data(), 2);
  for (const auto& out : {wrong, ism}) {
    expect_same_failure("ssm output", [&] { validate_ssm(cpu, model, good, ssm_options{}, out); },
                        [&](rng_stream& rng) {
                          (void)sliced_score_matching(cpu, rng, model, good, ssm_options{}, out);
                        });
  }
  EXPECT_EQ(buffer, std::vector<double>(3, 7.0));
  // good requests pass
  EXPECT_NO_THROW(validate_ssm(cpu, model, good, ssm_options{}));
  EXPECT_NO_THROW(validate_probe_variance(cpu, model, good, variance_study_options{}));
}

}  // namespace
}  // namespace scorepath
