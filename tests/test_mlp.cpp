// The MLP score model (scores/mlp.hpp) and its file format (mlp_file.hpp): forward values against a
// plain reference written here, Jacobian-vector products and divergences against central finite
// differences in double, packs against scalars, sliced score matching's unbiasedness against the
// exact ISM, file round trips, and typed errors for bad widths, parameters and files. The device
// form (mlp_view.hpp) evaluated on the host gives the model's results bit for bit, and networks
// beyond its caps are refused naming the width or the depth.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "scorepath/mlp_file.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/scores/mlp_view.hpp"
#include "scorepath/simd_pack.hpp"
#include "scorepath/ssm.hpp"
#include "support/ssm_test_support.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

constexpr mlp_activation all_activations[] = {mlp_activation::softplus, mlp_activation::tanh,
                                              mlp_activation::silu, mlp_activation::elu};

double act_ref(mlp_activation a, double z) {
  switch (a) {
    case mlp_activation::softplus: return std::log(1.0 + std::exp(z));
    case mlp_activation::tanh: return std::tanh(z);
    case mlp_activation::silu: return z / (1.0 + std::exp(-z));
    case mlp_activation::elu: return z > 0 ? z : std::exp(z) - 1.0;
  }
  return 0.0;
}

/// The network evaluated by the textbook loops, in double, from the flat buffer's documented layout.
std::vector<double> forward_ref(int dim, const std::vector<int>& hidden, mlp_activation a,
                                const std::vector<double>& p, std::vector<double> h) {
  std::vector<int> widths{dim};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(dim);
  std::size_t k = 0;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    const int n_in = widths[l], n_out = widths[l + 1];
    std::vector<double> z(n_out);
    for (int j = 0; j < n_out; ++j) {
      double acc = p[k + static_cast<std::size_t>(n_out) * n_in + j];
      for (int i = 0; i < n_in; ++i) acc += p[k + static_cast<std::size_t>(j) * n_in + i] * h[i];
      z[j] = l + 2 < widths.size() ? act_ref(a, acc) : acc;
    }
    k += static_cast<std::size_t>(n_out) * (n_in + 1);
    h = z;
  }
  return h;
}

std::vector<double> sample_points(std::size_t n, int dim, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> x(n * dim);
  for (double& v : x) v = normal(gen);
  return x;
}

using test_support::cpu;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "scorepath_mlp_" + name;
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

TEST(Mlp, ParameterCountFollowsTheWidths) {
  // 2→3→4→2: 3·(2+1) + 4·(3+1) + 2·(4+1) = 9 + 16 + 10.
  EXPECT_EQ(mlp_parameter_count(2, {3, 4}), 35u);
  // One affine layer 5→5: 5·6.
  EXPECT_EQ(mlp_parameter_count(5, {}), 30u);
}

TEST(Mlp, ForwardMatchesTheTextbookLoopsForEveryActivation) {
  const std::vector<int> hidden{5, 7};
  const std::vector<double> p = mlp_random_parameters(3, hidden, 11);
  const std::vector<double> x = sample_points(20, 3, 5);
  for (mlp_activation a : all_activations) {
    const mlp_score<double, 3> model(hidden, a, p);
    for (int s = 0; s < 20; ++s) {
      vec<double, 3> xs;
      for (int i = 0; i < 3; ++i) xs[i] = x[s * 3 + i];
      const vec<double, 3> got = model(xs);
      const std::vector<double> want =
          forward_ref(3, hidden, a, p, {x[s * 3], x[s * 3 + 1], x[s * 3 + 2]});
      for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(got[i], want[i], 1e-13 * (1 + std::abs(want[i]))) << to_string(a);
      }
    }
  }
}

TEST(Mlp, TangentsMatchCentralDifferencesForEveryActivation) {
  const std::vector<int> hidden{6, 6};
  const std::vector<double> p = mlp_random_parameters(2, hidden, 21);
  const std::vector<double> x = sample_points(10, 2, 8);
  const std::vector<double> dirs = sample_points(30, 2, 9);
  const double h = 1e-5;
  for (mlp_activation a : all_activations) {
    const mlp_score<double, 2> model(hidden, a, p);
    for (int s = 0; s < 10; ++s) {
      vec<dual<double, 3>, 2> xd;
      for (int i = 0; i < 2; ++i) {
        xd[i] = dual<double, 3>(x[s * 2 + i]);
        for (int k = 0; k < 3; ++k) xd[i].tan[k] = dirs[(s * 3 + k) * 2 + i];
      }
      const vec<dual<double, 3>, 2> out = model(xd);
      for (int k = 0; k < 3; ++k) {
        vec<double, 2> plus, minus;
        for (int i = 0; i < 2; ++i) {
          plus[i] = x[s * 2 + i] + h * dirs[(s * 3 + k) * 2 + i];
          minus[i] = x[s * 2 + i] - h * dirs[(s * 3 + k) * 2 + i];
        }
        const vec<double, 2> fp = model(plus), fm = model(minus);
        for (int i = 0; i < 2; ++i) {
          const double fd = (fp[i] - fm[i]) / (2 * h);
          EXPECT_NEAR(out[i].tan[k], fd, 1e-7 * (1 + std::abs(fd))) << to_string(a);
        }
      }
    }
  }
}

TEST(Mlp, SlicedDivergencesAndExactTraceMatchFiniteDifferenceJacobians) {
  constexpr int D = 64;
  const std::vector<int> hidden{32, 32};
  const auto model = mlp_score<double, D>::random(hidden, mlp_activation::silu, 3);
  const std::size_t n = 21;  // not a multiple of the pack width
  const std::uint32_t m = 5;
  const std::vector<double> x = sample_points(n, D, 4);
  std::vector<double> div(n * m), probes(n * m * D), ism(n);
  ssm_outputs<double> out;
  out.divergences = host_output(div.data(), div.size());
  out.probes = host_output(probes.data(), probes.size());
  out.ism_per_sample = host_output(ism.data(), ism.size());
  ssm_options opt;
  opt.probes = m;
  opt.law = probe_law::rademacher;
  opt.exact_ism = true;
  rng_stream rng(77);
  sliced_score_matching(cpu(), rng, model, x, opt, out);

  const double h = 1e-5;
  for (std::size_t s = 0; s < n; ++s) {
    // J[r][c] = ∂S_r/∂x_c by central differences.
    std::vector<double> jac(D * D);
    vec<double, D> base;
    for (int i = 0; i < D; ++i) base[i] = x[s * D + i];
    for (int c = 0; c < D; ++c) {
      vec<double, D> plus = base, minus = base;
      plus[c] += h;
      minus[c] -= h;
      const vec<double, D> fp = model(plus), fm = model(minus);
      for (int r = 0; r < D; ++r) jac[r * D + c] = (fp[r] - fm[r]) / (2 * h);
    }
    double trace = 0.0;
    for (int i = 0; i < D; ++i) trace += jac[i * D + i];
    const vec<double, D> score = model(base);
    double norm2 = 0.0;
    for (int i = 0; i < D; ++i) norm2 += score[i] * score[i];
    EXPECT_NEAR(ism[s], norm2 + 2 * trace, 1e-6 * (1 + std::abs(norm2 + 2 * trace)));
    for (std::uint32_t j = 0; j < m; ++j) {
      const double* v = &probes[(s * m + j) * D];
      double vjv = 0.0;
      for (int r = 0; r < D; ++r) {
        for (int c = 0; c < D; ++c) vjv += v[r] * jac[r * D + c] * v[c];
      }
      EXPECT_NEAR(div[s * m + j], vjv, 1e-6 * (1 + std::abs(vjv)));
    }
  }
}

/// @p Model run one sample at a time: with `vectorizable = false` the CPU backend evaluates it on
/// scalars (and scalar duals), never on packs.
template <class Model>
struct on_scalars_only {
  static constexpr int dim = Model::dim;
  static constexpr bool vectorizable = false;
  using scalar_type = typename Model::scalar_type;
  Model model;
  template <class R>
  vec<R, dim> operator()(const vec<R, dim>& x) const {
    static_assert(std::is_same_v<std::decay_t<decltype(primal(std::declval<R>()))>, double>,
                  "the double reference runs on scalars only");
    return model(x);
  }
};

TEST(Mlp, FloatPacksAgreeWithDoubleScalars) {
  const std::vector<int> hidden{16, 16};
  const std::vector<double> p = mlp_random_parameters(2, hidden, 5);
  const mlp_score<float, 2> f(hidden, mlp_activation::tanh, std::vector<float>(p.begin(), p.end()));
  static_assert(mlp_score<float, 2>::vectorizable, "the float model runs on packs");
  const on_scalars_only<mlp_score<double, 2>> d{mlp_score<double, 2>(hidden, mlp_activation::tanh, p)};
  const std::size_t n = 100;  // not a multiple of the float pack width: a partial pack too
  const std::vector<double> x = sample_points(n, 2, 6);
  const std::vector<float> xf(x.begin(), x.end());
  const std::vector<double> x_rounded(xf.begin(), xf.end());  // the same points in both
  ssm_options opt;
  opt.probes = 3;
  opt.law = probe_law::rademacher;  // the same signs in both precisions
  opt.exact_ism = true;
  rng_stream r1(9), r2(9);
  const auto rd = test_support::run_ssm(cpu(), r1, d, x_rounded, opt);
  const auto rf = test_support::run_ssm(cpu(), r2, f, xf, opt);
  ASSERT_EQ(rf.probes.size(), rd.probes.size());
  for (std::size_t k = 0; k < rd.probes.size(); ++k) ASSERT_EQ(rf.probes[k], rd.probes[k]) << k;
  // The float network's relative rounding is ~1e-6 through two tanh layers of width 16; terms are
  // O(1–10), so 1e-4·(1 + |value|) is wide for float and far below any wrong lane or tangent.
  const auto near = [](double got, double want) { return std::fabs(got - want) <= 1e-4 * (1 + std::fabs(want)); };
  for (std::size_t k = 0; k < rd.projections.size(); ++k) {
    ASSERT_PRED2(near, rf.projections[k], rd.projections[k]) << k;
    ASSERT_PRED2(near, rf.divergences[k], rd.divergences[k]) << k;
  }
  for (std::size_t s = 0; s < n; ++s) {
    ASSERT_PRED2(near, rf.ssm_ps[s], rd.ssm_ps[s]) << s;
    ASSERT_PRED2(near, rf.ism_ps[s], rd.ism_ps[s]) << s;
  }
  EXPECT_NEAR(rf.report.ssm.value, rd.report.ssm.value, 1e-4 * (1 + std::abs(rd.report.ssm.value)));
  EXPECT_NEAR(rf.report.ism->value, rd.report.ism->value, 1e-4 * (1 + std::abs(rd.report.ism->value)));
}

TEST(Mlp, SsmAndSsmVrAreUnbiasedForTheExactIsm) {
  // Per-sample terms differ from the exact ISM term only through the probes, so the difference
  // SSM − ISM has mean zero; its standard error comes from the per-sample differences.
  const std::vector<int> hidden{32, 32};
  const auto model = mlp_score<double, 2>::random(hidden, mlp_activation::softplus, 13);
  const std::size_t n = 20000;
  const std::vector<double> x = sample_points(n, 2, 14);
  for (probe_law law : {probe_law::gaussian, probe_law::rademacher, probe_law::sphere,
                        probe_law::orthogonal}) {
    std::vector<double> ssm(n), vr(n), ism(n);
    ssm_outputs<double> out;
    out.ssm_per_sample = host_output(ssm.data(), n);
    out.ssm_vr_per_sample = host_output(vr.data(), n);
    out.ism_per_sample = host_output(ism.data(), n);
    ssm_options opt;
    opt.probes = 2;
    opt.law = law;
    opt.exact_ism = true;
    rng_stream rng(1234);
    sliced_score_matching(cpu(), rng, model, x, opt, out);
    for (const std::vector<double>* est : {&ssm, &vr}) {
      double mean = 0.0, sq = 0.0;
      for (std::size_t s = 0; s < n; ++s) {
        const double diff = (*est)[s] - ism[s];
        mean += diff;
        sq += diff * diff;
      }
      mean /= n;
      const double se = std::sqrt((sq / n - mean * mean) / (n - 1));
      EXPECT_LT(std::abs(mean), 5 * se + 1e-12) << to_string(law);
    }
  }
}

TEST(MlpFile, RoundTripKeepsEveryBitAndTheOutputs) {
  const auto model = mlp_score<double, 2>::random({7, 5}, mlp_activation::elu, 31);
  const std::string path = temp_path("roundtrip.txt");
  save_mlp(path, model);
  const auto loaded = load_mlp<double, 2>(path);
  EXPECT_EQ(loaded.hidden_widths(), model.hidden_widths());
  EXPECT_EQ(loaded.activation(), model.activation());
  ASSERT_EQ(loaded.parameters().size(), model.parameters().size());
  for (std::size_t k = 0; k < model.parameters().size(); ++k) {
    EXPECT_EQ(loaded.parameters()[k], model.parameters()[k]) << k;
  }
  EXPECT_FALSE(file_exists(path + ".tmp"));
  std::remove(path.c_str());

  // The outputs: the re-read network gives the original's values and tangents to the bit, and
  // both are the textbook network of the original parameters (elu takes both branches here).
  const std::vector<double> x = sample_points(25, 2, 32);
  for (int s = 0; s < 25; ++s) {
    const vec<double, 2> xs{{x[2 * s], x[2 * s + 1]}};
    const vec<double, 2> a = model(xs), b = loaded(xs);
    const std::vector<double> want = forward_ref(2, {7, 5}, mlp_activation::elu,
                                                 model.parameters(), {x[2 * s], x[2 * s + 1]});
    vec<dual<double, 2>, 2> xd;
    for (int i = 0; i < 2; ++i) {
      xd[i] = dual<double, 2>(xs[i]);
      xd[i].tan[i] = 1.0;
    }
    const vec<dual<double, 2>, 2> ad = model(xd), bd = loaded(xd);
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(test_support::same_bits(a[i], b[i])) << "sample " << s << ": " << a[i] << " vs " << b[i];
      EXPECT_NEAR(b[i], want[i], 1e-13 * (1 + std::abs(want[i]))) << "sample " << s;
      for (int k = 0; k < 2; ++k) {
        EXPECT_TRUE(test_support::same_bits(ad[i].tan[k], bd[i].tan[k])) << "sample " << s;
      }
    }
  }
}

TEST(MlpFile, CommentsAndFreeLayoutAreAccepted) {
  const std::string path = temp_path("free.txt");
  {
    std::ofstream out(path);
    out << "# a 1→1 affine map\nscorepath-mlp 1\n\ndim 1\nhidden\nactivation tanh\n"
           "parameters 2\n  -2.5\n# bias next\n0.5\n";
  }
  const auto model = load_mlp<float, 1>(path);
  vec<float, 1> x;
  x[0] = 2.0f;
  EXPECT_FLOAT_EQ(model(x)[0], -2.5f * 2.0f + 0.5f);
  std::remove(path.c_str());
}

struct bad_file_case {
  const char* name;
  const char* text;
  const char* expect;  ///< part of the error message
};

const bad_file_case bad_files[] = {
    {"magic", "scorepath-net 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1 2\n",
     "scorepath-mlp"},
    {"version", "scorepath-mlp 4\ndim 1\nhidden\nactivation tanh\nparameters 2\n1 2\n", "version"},
    {"dim_zero", "scorepath-mlp 1\ndim 0\nhidden\nactivation tanh\nparameters 2\n1 2\n", "dim"},
    {"hidden_zero", "scorepath-mlp 1\ndim 1\nhidden 3 0\nactivation tanh\nparameters 2\n1 2\n",
     "hidden[1]"},
    {"activation", "scorepath-mlp 1\ndim 1\nhidden\nactivation relu\nparameters 2\n1 2\n",
     "activation"},
    {"count", "scorepath-mlp 1\ndim 1\nhidden 2\nactivation tanh\nparameters 2\n1 2\n",
     "parameters"},
    {"truncated", "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1\n",
     "ends early"},
    {"number", "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1 x2\n",
     "parameters[1]"},
    {"nan", "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\nnan 2\n",
     "parameters[0]"},
    {"trailing", "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1 2\n3\n",
     "trailing data"},
    {"trailing_same_line",
     "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1 2 3\n", "parameters[2]"},
    {"missing_line", "scorepath-mlp 1\ndim 1\nactivation tanh\nparameters 2\n1 2\n", "hidden"},
    {"empty", "", "scorepath-mlp"},
};

class MlpBadFile : public ::testing::TestWithParam<bad_file_case> {};

TEST_P(MlpBadFile, ThrowsNamingTheFileAndTheItem) {
  const bad_file_case& c = GetParam();
  const std::string path = temp_path(std::string("bad_") + c.name + ".txt");
  {
    std::ofstream out(path);
    out << c.text;
  }
  try {
    (void)(load_mlp<double, 1>(path));
    ADD_FAILURE() << "no error for " << c.name;
  } catch (const invalid_argument_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(c.expect), std::string::npos) << what;
  }
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(MlpFiles, MlpBadFile, ::testing::ValuesIn(bad_files),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(MlpFile, MissingFileAndWrongDimensionAndFloatOverflowThrow) {
  EXPECT_THROW((void)(load_mlp<double, 2>(temp_path("does_not_exist.txt"))), invalid_argument_error);
  const std::string path = temp_path("dim.txt");
  {
    std::ofstream out(path);
    out << "scorepath-mlp 1\ndim 1\nhidden\nactivation tanh\nparameters 2\n1e300 2\n";
  }
  try {
    (void)load_mlp<double, 2>(path);
    ADD_FAILURE() << "dimension mismatch accepted";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("dim"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW((void)(load_mlp<double, 1>(path)));
  try {
    (void)load_mlp<float, 1>(path);
    ADD_FAILURE() << "1e300 accepted as a float";
  } catch (const invalid_argument_error& e) {
    EXPECT_NE(std::string(e.what()).find("parameters[0]"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(MlpFile, FailedWriteLeavesNothingBehind) {
  mlp_description net;
  net.dim = 1;
  net.activation = mlp_activation::tanh;
  net.parameters = {1.0, 2.0};
  const std::string path = temp_path("no_such_dir/net.txt");
  EXPECT_THROW(write_mlp_file(path, net), invalid_argument_error);
  EXPECT_FALSE(file_exists(path));
  net.parameters = {1.0};  // widths need two
  const std::string ok_path = temp_path("short.txt");
  EXPECT_THROW(write_mlp_file(ok_path, net), invalid_argument_error);
  EXPECT_FALSE(file_exists(ok_path));
  EXPECT_FALSE(file_exists(ok_path + ".tmp"));
}

TEST(MlpModel, ConstructorNamesTheParameter) {
  auto message = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const invalid_argument_error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message([] { mlp_score<double, 2>({3}, mlp_activation::tanh, std::vector<double>(5)); })
                .find("parameters size"),
            std::string::npos);
  EXPECT_NE(message([] { mlp_score<double, 2>({3, -1}, mlp_activation::tanh, {}); })
                .find("hidden[1]"),
            std::string::npos);
  std::vector<double> p = mlp_random_parameters(2, {3}, 1);
  p[4] = std::nan("");
  EXPECT_NE(message([&] { mlp_score<double, 2>({3}, mlp_activation::tanh, p); })
                .find("parameters[4]"),
            std::string::npos);
  EXPECT_NE(message([] { (void)parse_mlp_activation("relu"); }).find("activation"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The device form, evaluated on the host.
// ---------------------------------------------------------------------------------------------

template <class R> double primal_lane0(const R& r) { if constexpr (std::is_arithmetic_v<R>) return r; else if constexpr (is_dual<R>::value) return primal_lane0(r.val); else return r[0]; }

/// Inputs for lane type R: sample s, coordinate i, tangent k get distinct values around zero.
template <class R>
struct lane_inputs;
template <>
struct lane_inputs<float> {
  static float at(int s, int i) { return 1.7f * std::sin(1.0f + 0.37f * s + 0.91f * i); }
};
template <>
struct lane_inputs<double> {
  static double at(int s, int i) { return 1.7 * std::sin(1.0 + 0.37 * s + 0.91 * i); }
};
template <class T, int W>
struct lane_inputs<simd::pack<T, W>> {
  static simd::pack<T, W> at(int s, int i) {
    simd::pack<T, W> p;
    for (int l = 0; l < W; ++l) p.v[l] = lane_inputs<T>::at(s * W + l, i);
    return p;
  }
};
template <class R, int K>
struct lane_inputs<dual<R, K>> {
  static dual<R, K> at(int s, int i) {
    dual<R, K> d(lane_inputs<R>::at(s, i));
    for (int k = 0; k < K; ++k) d.tan[k] = lane_inputs<R>::at(s + 100 * (k + 1), i);
    return d;
  }
};

/// Checks that @p model and its view give the same bits for 5 inputs of lane type R.
template <class R, class T, int D>
void expect_view_matches_model(const mlp_score<T, D>& model) {
  const mlp_view<T, D> view = model.view();
  for (int s = 0; s < 5; ++s) {
    vec<R, D> x;
    for (int i = 0; i < D; ++i) x[i] = lane_inputs<R>::at(s, i);
    const vec<R, D> want = model(x);
    const vec<R, D> got = view(x);
    for (int i = 0; i < D; ++i) {
      ASSERT_TRUE(test_support::same_object_bits(got[i], want[i])) << "sample " << s << " i " << i;
    }
  }
}

template <class T, int D>
void expect_view_matches_model_for_every_lane_type(const std::vector<int>& hidden) {
  using P = simd::pack<T, std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes>;
  for (mlp_activation a : all_activations) {
    SCOPED_TRACE(to_string(a));
    const auto model = mlp_score<T, D>::random(hidden, a, 17);
    expect_view_matches_model<T>(model);
    expect_view_matches_model<P>(model);
    expect_view_matches_model<dual<T, 3>>(model);
    expect_view_matches_model<dual<P, 2>>(model);
  }
}

TEST(MlpView, HostEvaluationIsTheModelBitForBit) {
  // Widths that leave a partial block of rows (13, 5) and one that fills the view's width cap.
  expect_view_matches_model_for_every_lane_type<float, 2>({13, 5});
  expect_view_matches_model_for_every_lane_type<double, 2>({13, 5});
  expect_view_matches_model_for_every_lane_type<float, 3>({mlp_view_max_width});
  expect_view_matches_model_for_every_lane_type<double, 64>({24, 24});
}

TEST(MlpView, DescribesTheModelsWidthsAndParameters) {
  const auto model = mlp_score<float, 3>::random({7, 5}, mlp_activation::silu, 2);
  const mlp_view<float, 3> v = model.view();
  EXPECT_EQ(v.parameters, model.parameters().data());
  EXPECT_EQ(v.parameter_count, model.parameters().size());
  EXPECT_EQ(v.layers, 3);
  EXPECT_EQ(v.widest, 7);
  EXPECT_EQ(v.activation, mlp_activation::silu);
  const int want[] = {3, 7, 5, 3};
  for (int l = 0; l < 4; ++l) EXPECT_EQ(v.widths[l], want[l]) << l;
  static_assert(std::is_trivially_copyable_v<mlp_view<float, 3>>, "a view is passed to kernels");
}

TEST(MlpView, SlicedScoreMatchingOfTheViewIsTheModels) {
  // The CPU backend runs the view through the same ssm_one_sample: every output matches.
  const auto model = mlp_score<double, 2>::random({16, 16}, mlp_activation::elu, 8);
  const std::vector<double> x = sample_points(101, 2, 3);
  ssm_options opt;
  opt.probes = 3;
  opt.exact_ism = true;
  std::vector<double> div_model(101 * 3), div_view(101 * 3);
  ssm_outputs<double> out_model, out_view;
  out_model.divergences = host_output(div_model.data(), div_model.size());
  out_view.divergences = host_output(div_view.data(), div_view.size());
  rng_stream r1(6), r2(6);
  const ssm_report a = sliced_score_matching(cpu(), r1, model, x, opt, out_model);
  const ssm_report b = sliced_score_matching(cpu(), r2, model.view(), x, opt, out_view);
  EXPECT_EQ(a.ssm.value, b.ssm.value);
  EXPECT_EQ(a.ism->value, b.ism->value);
  EXPECT_EQ(div_model, div_view);
}

/// The invalid_argument_error that @p make throws, or a failure.
template <class F>
invalid_argument_error argument_error(F&& make) {
  try {
    make();
  } catch (const invalid_argument_error& e) {
    return e;
  }
  ADD_FAILURE() << "no invalid_argument_error";
  return invalid_argument_error("none", "none", "", __FILE__, __LINE__);
}

TEST(MlpView, NetworksBeyondTheCapsAreRefusedNamingTheParameter) {
  const int too_wide = mlp_view_max_width + 1;
  const auto wide = mlp_score<float, 2>::random({8, too_wide}, mlp_activation::tanh, 1);
  const invalid_argument_error w = argument_error([&] { (void)wide.view(); });
  EXPECT_EQ(w.parameter(), "hidden[1]");
  EXPECT_EQ(w.value(), std::to_string(too_wide));

  const std::vector<int> deep_widths(mlp_view_max_hidden + 1, 4);
  const auto deep = mlp_score<double, 2>::random(deep_widths, mlp_activation::tanh, 1);
  const invalid_argument_error d = argument_error([&] { (void)deep.view(); });
  EXPECT_EQ(d.parameter(), "hidden size");
  EXPECT_EQ(d.value(), std::to_string(mlp_view_max_hidden + 1));

  const invalid_argument_error z =
      argument_error([] { check_mlp_view_widths({3, 0}); });
  EXPECT_EQ(z.parameter(), "hidden[1]");
  EXPECT_EQ(z.value(), "0");

  // At the caps exactly, a view is made.
  const std::vector<int> widest_deepest(mlp_view_max_hidden, mlp_view_max_width);
  EXPECT_NO_THROW(check_mlp_view_widths(widest_deepest));
  // The owning model itself has no caps: the CPU backend runs such networks.
  EXPECT_NO_THROW((void)wide(vec<float, 2>{{0.5f, -0.5f}}));
}

}  // namespace
}  // namespace scorepath
