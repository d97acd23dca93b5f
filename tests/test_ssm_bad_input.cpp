// Sliced score matching (ssm.hpp) on the CPU backend: typed errors naming the parameter for bad
// input, with nothing written and the stream kept; model constructors and probe law names.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

constexpr double sentinel = -12345.0;
const double nan = std::numeric_limits<double>::quiet_NaN();

struct bad_setup {
  ssm_options opt;
  std::vector<double> samples;
  bool null_samples = false;
  memory_space samples_space = memory_space::host;
  ssm_outputs<double> out;
};

struct bad_case {
  std::string name;
  std::string parameter;
  std::function<void(bad_setup&)> spoil;
};

void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }

class SsmBadInput : public ::testing::TestWithParam<bad_case> {};

TEST_P(SsmBadInput, ThrowsNamingTheParameterWritesNothingAndKeepsTheStream) {
  const bad_case& c = GetParam();
  constexpr int D = 2;
  const std::size_t n = 10;
  const std::uint32_t m = 2;
  bad_setup b;
  b.opt.probes = m;
  b.opt.exact_ism = true;
  b.samples.resize(n * D);
  for (std::size_t k = 0; k < b.samples.size(); ++k) b.samples[k] = 0.1 * static_cast<double>(k);
  std::vector<double> proj(n * m, sentinel), div(n * m, sentinel), probes(n * m * D, sentinel),
      ssm_ps(n, sentinel), vr_ps(n, sentinel), ism_ps(n, sentinel);
  b.out.projections = host_output(proj.data(), proj.size());
  b.out.divergences = host_output(div.data(), div.size());
  b.out.probes = host_output(probes.data(), probes.size());
  b.out.ssm_per_sample = host_output(ssm_ps.data(), ssm_ps.size());
  b.out.ssm_vr_per_sample = host_output(vr_ps.data(), vr_ps.size());
  b.out.ism_per_sample = host_output(ism_ps.data(), ism_ps.size());
  c.spoil(b);
  const input_span<double> in{b.null_samples ? nullptr : b.samples.data(), b.samples.size(),
                              b.samples_space};
  const gaussian_score<double, D> model({0.5, -0.5}, {2.0, 0.5, 0.5, 1.0});
  rng_stream rng(5);
  try {
    sliced_score_matching(cpu(), rng, model, in, b.opt, b.out);
    FAIL() << c.name << ": no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), c.parameter) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.parameter), std::string::npos) << e.what();
  }
  for (const auto* buf : {&proj, &div, &probes, &ssm_ps, &vr_ps, &ism_ps}) {
    for (double v : *buf) ASSERT_EQ(v, sentinel) << c.name;
  }
  EXPECT_EQ(rng.state().next_subsequence, 0u) << c.name;
  EXPECT_EQ(rng.state().seed, 5u) << c.name;
}

const bad_case bad_cases[] = {
    {"empty samples", "samples", [](bad_setup& b) { b.samples.clear(); }},
    {"null samples", "samples", [](bad_setup& b) { b.null_samples = true; }},
    {"size not a multiple of D", "samples size", [](bad_setup& b) { b.samples.resize(19); }},
    {"device samples on the CPU", "samples space",
     [](bad_setup& b) { b.samples_space = memory_space::device; }},
    {"zero probes", "probes", [](bad_setup& b) { b.opt.probes = 0; }},
    {"NaN sample", "samples[3][1]", [](bad_setup& b) { b.samples[7] = nan; }},
    {"infinite sample", "samples[0][0]", [](bad_setup& b) { b.samples[0] = -INFINITY; }},
    {"NaN in the last sample", "samples[9][0]", [](bad_setup& b) { b.samples[18] = nan; }},
    {"projections too short", "projections size", [](bad_setup& b) { --b.out.projections.size; }},
    {"divergences too long", "divergences size", [](bad_setup& b) { ++b.out.divergences.size; }},
    {"probes output sized for M = 1", "probes size",
     [](bad_setup& b) { b.out.probes.size /= 2; }},
    {"ssm_per_sample too short", "ssm_per_sample size",
     [](bad_setup& b) { --b.out.ssm_per_sample.size; }},
    {"ism_per_sample without exact_ism", "ism_per_sample",
     [](bad_setup& b) { b.opt.exact_ism = false; }},
    {"device output on the CPU", "divergences space",
     [](bad_setup& b) { b.out.divergences.space = memory_space::device; }},
};

INSTANTIATE_TEST_SUITE_P(SsmCases, SsmBadInput, ::testing::ValuesIn(bad_cases),
                         [](const ::testing::TestParamInfo<bad_case>& p) {
                           return test_name(p.param.name);
                         });

template <class F>
void expect_parameter(F f, const std::string& parameter) {
  EXPECT_EQ(parameter_of(f), parameter);
}

TEST(SsmBadModel, ConstructorsNameTheParameter) {
  // Symmetric but indefinite (eigenvalues 3 and −1): the second Cholesky pivot is 1 − 4 < 0.
  expect_parameter([] { (void)gaussian_score<double, 2>({0, 0}, {1, 2, 2, 1}); }, "precision");
  expect_parameter([] { (void)gaussian_score<double, 2>({0, 0}, {0, 0, 0, 1}); }, "precision");
  expect_parameter([] { (void)gaussian_score<double, 2>({0, 0}, {-1, 0, 0, -1}); }, "precision");
  // Not symmetric: element (1, 0) is flat index 2.
  expect_parameter([] { (void)gaussian_score<double, 2>({0, 0}, {1, 0.5, 0.4, 1}); }, "precision[2]");
  expect_parameter([] { (void)gaussian_score<double, 2>({nan, 0}, {1, 0, 0, 1}); }, "mean[0]");
  expect_parameter([] { (void)diagonal_gaussian_score<double, 2>({0, 0}, {1, -1}); }, "precision[1]");

  const auto p = random_mixture_params<2>(1);
  auto w = p.weights;
  w[3] = 0;
  expect_parameter([&] { (void)gaussian_mixture_score<double, 2, 8>(w, p.means, p.variances); },
                   "weights[3]");
  w[3] = -1;
  expect_parameter([&] { (void)gaussian_mixture_score<double, 2, 8>(w, p.means, p.variances); },
                   "weights[3]");
  auto v = p.variances;
  v[5] = 0;
  expect_parameter([&] { (void)gaussian_mixture_score<double, 2, 8>(p.weights, p.means, v); },
                   "variances[5]");
  v[5] = -0.5;
  expect_parameter([&] { (void)gaussian_mixture_score<double, 2, 8>(p.weights, p.means, v); },
                   "variances[5]");
  auto mu = p.means;
  mu[9] = INFINITY;
  expect_parameter([&] { (void)gaussian_mixture_score<double, 2, 8>(p.weights, mu, p.variances); },
                   "means[9]");
}

TEST(SsmBadModel, ProbeLawNamesParseAndUnknownNamesThrow) {
  for (probe_law law : all_laws) EXPECT_EQ(parse_probe_law(to_string(law)), law);
  expect_parameter([] { (void)parse_probe_law("uniform"); }, "probe law");
  expect_parameter([] { (void)parse_probe_law("Gaussian"); }, "probe law");
  expect_parameter([] { (void)parse_probe_law(""); }, "probe law");
}

}  // namespace
}  // namespace scorepath
