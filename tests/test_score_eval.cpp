// evaluate_scores (score_eval.hpp): the forward pass against closed forms (diagonal Gaussian,
// exactly; Gaussian mixture, against a double-precision softmax reference), batch sizes that are
// not a multiple of the pack width, thread-count independence, and typed errors that leave the
// output untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gpu_test_support.hpp"
#include "scorepath/detail/cpu_lanes.hpp"
#include "scorepath/dual.hpp"
#include "scorepath/score_eval.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

constexpr std::size_t batch_sizes[] = {1, 17, 1000};
constexpr double sentinel = -12345.0;

/// Runs evaluate_scores on @p x into a buffer with 64 sentinel values past the end, checks that
/// those stayed untouched, and returns the N·D scores.
template <class Model, class T>
std::vector<T> scores_checked(const context& ctx, const Model& model, const std::vector<T>& x) {
  std::vector<T> buf(x.size() + 64, static_cast<T>(sentinel));
  evaluate_scores(ctx, model, host_input(x.data(), x.size()), host_output(buf.data(), x.size()));
  for (std::size_t k = x.size(); k < buf.size(); ++k) {
    EXPECT_EQ(buf[k], static_cast<T>(sentinel)) << "written past the end at " << k;
  }
  buf.resize(x.size());
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Diagonal Gaussian: S(x) = −(x − μ)/σ². With σ² a power of two, 1/σ² is exact and the model's
// (μ − x)·(1/σ²) equals −(x − μ)/σ² bit for bit.
// ---------------------------------------------------------------------------------------------

constexpr int gauss_dim = 3;
constexpr std::array<double, gauss_dim> gauss_mean = {0.75, -1.5, 3.0};
constexpr std::array<double, gauss_dim> gauss_variance = {0.25, 4.0, 0.5};

template <class T>
diagonal_gaussian_score<T, gauss_dim> make_gaussian() {
  std::array<T, gauss_dim> m, p;
  for (int i = 0; i < gauss_dim; ++i) {
    m[i] = static_cast<T>(gauss_mean[i]);
    p[i] = static_cast<T>(1.0 / gauss_variance[i]);
  }
  return {m, p};
}

/// The same model without `vectorizable`: the CPU backend runs it one sample at a time.
template <class T>
struct scalar_only_gaussian {
  static constexpr int dim = gauss_dim;
  using scalar_type = T;
  diagonal_gaussian_score<T, gauss_dim> inner = make_gaussian<T>();
  template <class R>
  vec<R, dim> operator()(const vec<R, dim>& x) const {
    return inner(x);
  }
};

template <class T>
std::vector<T> gaussian_samples(std::size_t n, std::uint64_t seed) {
  test_rng g(seed);
  std::vector<T> x(n * gauss_dim);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = static_cast<T>(g.uniform(-6.0, 6.0));
  return x;
}

template <class T, class Model>
void expect_gaussian_closed_form(const Model& model) {
  for (std::size_t n : batch_sizes) {
    const std::vector<T> x = gaussian_samples<T>(n, 11 + n);
    const std::vector<T> s = scores_checked(cpu(), model, x);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const T mu = static_cast<T>(gauss_mean[k % gauss_dim]);
      const T var = static_cast<T>(gauss_variance[k % gauss_dim]);
      ASSERT_EQ(s[k], -(x[k] - mu) / var) << "n = " << n << ", sample " << k / gauss_dim
                                          << ", component " << k % gauss_dim;
    }
  }
}

TEST(ScoreEval, DiagonalGaussianIsExactFloat) {
  expect_gaussian_closed_form<float>(make_gaussian<float>());
}
TEST(ScoreEval, DiagonalGaussianIsExactDouble) {
  expect_gaussian_closed_form<double>(make_gaussian<double>());
}
TEST(ScoreEval, ScalarLaneModelIsExact) {
  expect_gaussian_closed_form<double>(scalar_only_gaussian<double>{});
}

// ---------------------------------------------------------------------------------------------
// Gaussian mixture against the textbook formula in double:
//   a_c = log π_c − ½ Σ_i (x_i − μ_ci)²/σ_ci² − ½ Σ_i log σ_ci²,  r = softmax(a),
//   S(x) = Σ_c r_c (μ_c − x)/σ_c².
// ---------------------------------------------------------------------------------------------

constexpr int mixture_components = 8;

template <int D>
struct mixture {
  std::array<double, mixture_components> weights;
  std::array<double, mixture_components * D> means, variances;
};

/// Random parameters, rounded to T so that the reference sees exactly what the model stores.
template <class T, int D>
mixture<D> random_mixture(std::uint64_t seed) {
  test_rng g(seed);
  mixture<D> p;
  for (double& w : p.weights) w = static_cast<T>(g.uniform(0.5, 1.5));
  for (double& m : p.means) m = static_cast<T>(3.0 * g.normal());
  for (double& v : p.variances) v = static_cast<T>(g.uniform(0.3, 1.5));
  return p;
}

template <class T, int D>
gaussian_mixture_score<T, D, mixture_components> make_model(const mixture<D>& p) {
  std::array<T, mixture_components> w;
  std::array<T, mixture_components * D> m, v;
  for (int c = 0; c < mixture_components; ++c) w[c] = static_cast<T>(p.weights[c]);
  for (int k = 0; k < mixture_components * D; ++k) {
    m[k] = static_cast<T>(p.means[k]);
    v[k] = static_cast<T>(p.variances[k]);
  }
  return {w, m, v};
}

template <int D>
std::array<double, D> reference_score(const mixture<D>& p, const double* x) {
  double total_weight = 0;
  for (double w : p.weights) total_weight += w;
  std::array<double, mixture_components> a;
  for (int c = 0; c < mixture_components; ++c) {
    a[c] = std::log(p.weights[c] / total_weight);
    for (int i = 0; i < D; ++i) {
      const double var = p.variances[c * D + i];
      const double d = x[i] - p.means[c * D + i];
      a[c] -= 0.5 * d * d / var + 0.5 * std::log(var);
    }
  }
  const double top = *std::max_element(a.begin(), a.end());
  double z = 0;
  for (double& e : a) z += (e = std::exp(e - top));
  std::array<double, D> s{};
  for (int c = 0; c < mixture_components; ++c) {
    for (int i = 0; i < D; ++i) {
      s[i] += a[c] / z * (p.means[c * D + i] - x[i]) / p.variances[c * D + i];
    }
  }
  return s;
}

/// N points around randomly chosen components, spread @p spread times their standard deviation.
template <class T, int D>
std::vector<T> mixture_samples(const mixture<D>& p, std::size_t n, double spread,
                               std::uint64_t seed) {
  test_rng g(seed);
  std::vector<T> x(n * D);
  for (std::size_t s = 0; s < n; ++s) {
    const int c = static_cast<int>(g.uniform() * mixture_components) % mixture_components;
    for (int i = 0; i < D; ++i) {
      const double sd = std::sqrt(p.variances[c * D + i]);
      x[s * D + i] = static_cast<T>(p.means[c * D + i] + spread * sd * g.normal());
    }
  }
  return x;
}

/// Checks |S − S_ref| ≤ tol·(1 + |S_ref|) for every sample, for every batch size.
template <class T, int D>
void expect_mixture_close(std::uint64_t seed, double spread, double tol) {
  const mixture<D> p = random_mixture<T, D>(seed);
  const auto model = make_model<T, D>(p);
  for (std::size_t n : batch_sizes) {
    const std::vector<T> x = mixture_samples<T, D>(p, n, spread, seed + n);
    const std::vector<T> s = scores_checked(cpu(), model, x);
    for (std::size_t k = 0; k < n; ++k) {
      std::array<double, D> xd;
      for (int i = 0; i < D; ++i) xd[i] = static_cast<double>(x[k * D + i]);
      const std::array<double, D> ref = reference_score<D>(p, xd.data());
      for (int i = 0; i < D; ++i) {
        ASSERT_TRUE(std::isfinite(static_cast<double>(s[k * D + i])))
            << "n = " << n << ", sample " << k << ", component " << i;
        const double err =
            std::fabs(static_cast<double>(s[k * D + i]) - ref[i]) / (1.0 + std::fabs(ref[i]));
        ASSERT_LE(err, tol) << "n = " << n << ", sample " << k << ", component " << i
                            << ": got " << s[k * D + i] << ", reference " << ref[i];
      }
    }
  }
}

TEST(ScoreEval, MixtureMatchesSoftmaxReferenceFloat2) { expect_mixture_close<float, 2>(21, 1.5, 1e-5); }
TEST(ScoreEval, MixtureMatchesSoftmaxReferenceFloat16) { expect_mixture_close<float, 16>(22, 1.5, 1e-5); }
TEST(ScoreEval, MixtureMatchesSoftmaxReferenceDouble16) { expect_mixture_close<double, 16>(23, 1.5, 1e-13); }
// At D = 64 the float logits are sums of 64 rounded terms, each of the size of the logit, so the
// responsibilities carry about 64 times float's rounding.
TEST(ScoreEval, MixtureMatchesSoftmaxReferenceFloat64) { expect_mixture_close<float, 64>(25, 1.5, 1e-4); }
TEST(ScoreEval, MixtureMatchesSoftmaxReferenceDouble64) { expect_mixture_close<double, 64>(26, 1.5, 1e-12); }
TEST(ScoreEval, MixtureFarFromEveryComponentStaysFinite) {
  // 40 standard deviations out, every unshifted exp(a_c) underflows to 0 in double.
  expect_mixture_close<double, 2>(24, 40.0, 1e-12);
  // At D = 16 the logits reach about −½·16·40² ≈ −1.3e4, so their differences, and with them the
  // responsibilities, carry about 1e4 times double's rounding.
  expect_mixture_close<double, 16>(27, 40.0, 1e-10);
}

TEST(ScoreEval, ThreadCountDoesNotChangeABit) {
  constexpr int D = 16;
  const mixture<D> p = random_mixture<float, D>(31);
  const auto model = make_model<float, D>(p);
  const std::vector<float> x = mixture_samples<float, D>(p, 5003, 1.5, 32);  // 5 blocks, a tail
  const context one = cpu(1), two = cpu(2);
  ASSERT_EQ(two.threads(), 2);
  const std::vector<float> a = evaluate_scores(one, model, x);
  const std::vector<float> b = evaluate_scores(two, model, x);
  ASSERT_EQ(a.size(), x.size());
  ASSERT_EQ(b.size(), x.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

TEST(ScoreEval, VectorOverloadMatchesTheSpanForm) {
  const auto model = make_gaussian<float>();
  const std::vector<float> x = gaussian_samples<float>(33, 41);
  const std::vector<float> by_vector = evaluate_scores(cpu(), model, x);
  const std::vector<float> by_span = scores_checked(cpu(), model, x);
  EXPECT_EQ(by_vector, by_span);
}

// ---------------------------------------------------------------------------------------------
// No subnormal numbers: components whose weight is negligible next to the largest get weight 0
// instead of a subnormal exponential (which x86 cores process through slow microcode assists).
// The floating-point underflow flag is raised by any tiny inexact result, so it catches one.
// ---------------------------------------------------------------------------------------------

/// The model's scores at @p x (a pack of samples, or duals of packs), kept out of line so that
/// the compiler cannot move the arithmetic across the flag reads around the call.
template <class Model, class R>
__attribute__((noinline)) vec<R, Model::dim> evaluate_out_of_line(const Model& model,
                                                                  const vec<R, Model::dim>& x) {
  return model(x);
}

/// True when evaluating @p model at @p x raises the underflow flag.
template <class Model, class R>
bool raises_underflow(const Model& model, const vec<R, Model::dim>& x) {
  std::feclearexcept(FE_ALL_EXCEPT);
  const vec<R, Model::dim> s = evaluate_out_of_line(model, x);
  const bool underflow = std::fetestexcept(FE_UNDERFLOW) != 0;
  volatile float sink = static_cast<float>(primal(s[0])[0]);
  (void)sink;
  return underflow;
}

TEST(ScoreEval, MixtureFormsNoSubnormalNumbers) {
  constexpr int D = 16;
  using P = detail::cpu_pack_t<float>;
  using R = dual<P, 1>;
  constexpr int W = lane_traits<P>::lanes;
  const mixture<D> p = random_mixture<float, D>(41);
  const auto model = make_model<float, D>(p);
  // Points around the components: the others lie hundreds of log-units below the nearest, far
  // past float's smallest normal number (e^−87.3).
  const std::vector<float> x = mixture_samples<float, D>(p, 64 * W, 1.5, 42);
  test_rng g(43);
  int negligible = 0;
  for (std::size_t first = 0; first < x.size() / D; first += W) {
    vec<P, D> packed;
    vec<R, D> tangent;
    for (int i = 0; i < D; ++i) {
      for (int l = 0; l < W; ++l) packed[i].v[l] = x[(first + l) * D + i];
      tangent[i].val = packed[i];
      for (int l = 0; l < W; ++l) tangent[i].tan[0].v[l] = static_cast<float>(g.normal());
    }
    ASSERT_FALSE(raises_underflow(model, packed)) << "samples from " << first;
    ASSERT_FALSE(raises_underflow(model, tangent)) << "samples from " << first << ", duals";
    for (int l = 0; l < W; ++l) {
      std::array<double, mixture_components> a;
      for (int c = 0; c < mixture_components; ++c) {
        a[c] = model.log_weight_norm[c];
        for (int i = 0; i < D; ++i) {
          const double d = packed[i][l] - model.mean(c, i);
          a[c] -= 0.5 * d * d * model.precision(c, i);
        }
      }
      const double top = *std::max_element(a.begin(), a.end());
      for (double e : a) negligible += e - top < -87.4 ? 1 : 0;
    }
  }
  // The check is only meaningful where components would have had subnormal weights.
  EXPECT_GT(negligible, 64 * W);
}

TEST(ScoreEval, MixtureWeightIsZeroExactlyBelowTheNegligibleShift) {
  using model_t = gaussian_mixture_score<float, 2, mixture_components>;
  constexpr float cut = model_t::negligible_log_weight();
  using R = dual<float, 2>;
  R above{std::nextafter(cut, 0.0f)}, below{std::nextafter(cut, -1e9f)};
  above.tan[0] = below.tan[0] = 3.0f;
  above.tan[1] = below.tan[1] = -1.0f;
  const R kept = model_t::relative_weight(above);
  EXPECT_FLOAT_EQ(kept.val, std::exp(above.val));
  EXPECT_FLOAT_EQ(kept.tan[0], 3.0f * std::exp(above.val));
  EXPECT_FLOAT_EQ(kept.tan[1], -std::exp(above.val));
  const R dropped = model_t::relative_weight(below);
  EXPECT_EQ(dropped.val, 0.0f);
  EXPECT_EQ(dropped.tan[0], 0.0f);
  EXPECT_EQ(dropped.tan[1], 0.0f);
  EXPECT_EQ(model_t::relative_weight(0.0f), 1.0f);
  EXPECT_EQ(model_t::relative_weight(-1e30f), 0.0f);
  EXPECT_GE(std::exp(static_cast<double>(cut)), 1e6 * std::numeric_limits<float>::min())
      << "the cut-off must keep every kept weight well inside float's normal range";
  using double_model = gaussian_mixture_score<double, 2, 2>;
  EXPECT_GE(std::exp(double_model::negligible_log_weight()),
            1e6 * std::numeric_limits<double>::min());
}

// ---------------------------------------------------------------------------------------------
// Bad input: an invalid_argument_error naming the parameter, and no output written.
// ---------------------------------------------------------------------------------------------

struct bad_setup {
  std::vector<double> samples;
  bool null_samples = false;
  memory_space samples_space = memory_space::host;
  output_span<double> scores;
};

struct bad_case {
  std::string name;
  std::string parameter;
  std::function<void(bad_setup&)> spoil;
};

void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }

class ScoreEvalBadInput : public ::testing::TestWithParam<bad_case> {};

TEST_P(ScoreEvalBadInput, ThrowsNamingTheParameterAndWritesNothing) {
  const bad_case& c = GetParam();
  constexpr int D = gauss_dim;
  const std::size_t n = 10;
  bad_setup b;
  b.samples.resize(n * D);
  for (std::size_t k = 0; k < b.samples.size(); ++k) b.samples[k] = 0.1 * static_cast<double>(k);
  std::vector<double> out(n * D + 8, sentinel);
  b.scores = host_output(out.data(), n * D);
  c.spoil(b);
  const input_span<double> in{b.null_samples ? nullptr : b.samples.data(), b.samples.size(),
                              b.samples_space};
  try {
    evaluate_scores(cpu(), make_gaussian<double>(), in, b.scores);
    FAIL() << c.name << ": no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), c.parameter) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.parameter), std::string::npos) << e.what();
  }
  for (double v : out) ASSERT_EQ(v, sentinel) << c.name;
}

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

const bad_case bad_cases[] = {
    {"empty samples", "samples", [](bad_setup& b) { b.samples.clear(); }},
    {"null samples", "samples", [](bad_setup& b) { b.null_samples = true; }},
    {"size not a multiple of D", "samples size", [](bad_setup& b) { b.samples.resize(29); }},
    {"device samples", "samples space",
     [](bad_setup& b) { b.samples_space = memory_space::device; }},
    {"NaN sample", "samples[3][1]", [](bad_setup& b) { b.samples[3 * gauss_dim + 1] = nan; }},
    {"infinite first sample", "samples[0][0]", [](bad_setup& b) { b.samples[0] = -inf; }},
    {"NaN in the last element", "samples[9][2]", [](bad_setup& b) { b.samples.back() = nan; }},
    {"no scores", "scores", [](bad_setup& b) { b.scores = {}; }},
    {"scores too short", "scores size", [](bad_setup& b) { --b.scores.size; }},
    {"scores too long", "scores size", [](bad_setup& b) { ++b.scores.size; }},
    {"device scores", "scores space",
     [](bad_setup& b) { b.scores.space = memory_space::device; }},
};

INSTANTIATE_TEST_SUITE_P(ScoreEvalCases, ScoreEvalBadInput, ::testing::ValuesIn(bad_cases),
                         [](const ::testing::TestParamInfo<bad_case>& p) {
                           std::string s;
                           for (char ch : p.param.name) {
                             s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return s;
                         });

TEST(ScoreEval, EmptyVectorThrows) {
  const std::vector<double> none;
  EXPECT_THROW((void)evaluate_scores(cpu(), make_gaussian<double>(), none), invalid_argument_error);
}

TEST(ScoreEval, CudaContextIsRefused) {
  SCOREPATH_REQUIRE_GPU();
  const std::vector<float> x = gaussian_samples<float>(4, 51);
  std::vector<float> out(x.size(), static_cast<float>(sentinel));
  EXPECT_THROW(evaluate_scores(context(backend_choice::cuda), make_gaussian<float>(),
                               host_input(x.data(), x.size()), host_output(out.data(), out.size())),
               unavailable_error);
  for (float v : out) EXPECT_EQ(v, static_cast<float>(sentinel));
}

}  // namespace
}  // namespace scorepath
