// Sliced score matching (ssm.hpp) on the CPU backend: per-probe projections and divergences and the
// exact ISM term against closed forms (Gaussian and diagonal Gaussian mixture), unbiasedness of SSM
// and SSM-VR for every probe law, the variance of the divergence estimator per law, E[v vᵀ] = I,
// half scaling, reproducibility, and typed errors on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath {
namespace {

constexpr probe_law all_laws[] = {probe_law::gaussian, probe_law::rademacher, probe_law::sphere,
                                  probe_law::orthogonal};

context cpu(int threads = 0) {
  context ctx(backend_choice::cpu);
  if (threads > 0) ctx.set_threads(threads);
  return ctx;
}

/// Deterministic normals and uniforms from a fixed seed (own Box–Muller: the same numbers on every
/// standard library).
class test_rng {
 public:
  explicit test_rng(std::uint64_t seed) : gen_(seed) {}
  double uniform() { return (static_cast<double>(gen_() >> 11) + 0.5) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {
    const double u = uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * 3.141592653589793 * v);
  }
  std::uint64_t below(std::uint64_t n) { return gen_() % n; }

 private:
  std::mt19937_64 gen_;
};

/// Everything one call can write, sized for N samples, M probes, D dimensions.
template <class T>
struct ssm_run {
  ssm_report report;
  std::vector<T> projections, divergences, probes, ssm_ps, ssm_vr_ps, ism_ps;
};

template <class Model, class T = typename Model::scalar_type>
ssm_run<T> run_ssm(const context& ctx, rng_stream& rng, const Model& model,
                   const std::vector<T>& samples, const ssm_options& opt) {
  constexpr int D = Model::dim;
  const std::size_t n = samples.size() / D;
  const std::size_t m = opt.probes;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  ssm_run<T> r;
  r.projections.assign(n * m, nan);
  r.divergences.assign(n * m, nan);
  r.probes.assign(n * m * D, nan);
  r.ssm_ps.assign(n, nan);
  r.ssm_vr_ps.assign(n, nan);
  ssm_outputs<T> out;
  out.projections = host_output(r.projections.data(), r.projections.size());
  out.divergences = host_output(r.divergences.data(), r.divergences.size());
  out.probes = host_output(r.probes.data(), r.probes.size());
  out.ssm_per_sample = host_output(r.ssm_ps.data(), r.ssm_ps.size());
  out.ssm_vr_per_sample = host_output(r.ssm_vr_ps.data(), r.ssm_vr_ps.size());
  if (opt.exact_ism) {
    r.ism_ps.assign(n, nan);
    out.ism_per_sample = host_output(r.ism_ps.data(), r.ism_ps.size());
  }
  r.report = sliced_score_matching(ctx, rng, model, samples, opt, out);
  return r;
}

/// Mean and standard error of the mean (unbiased variance) of @p v.
struct mean_se {
  double mean = 0, se = 0, var = 0, kurtosis = 0;
};
mean_se stats(const std::vector<double>& v) {
  mean_se s;
  const double n = static_cast<double>(v.size());
  for (double x : v) s.mean += x;
  s.mean /= n;
  double m2 = 0, m4 = 0;
  for (double x : v) {
    const double d = x - s.mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  s.var = m2 / (n - 1);
  s.se = std::sqrt(s.var / n);
  s.kurtosis = (m4 / n) / ((m2 / n) * (m2 / n));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// A full, exactly symmetric, positive definite precision P = B Bᵀ + diag(½, 1, 1½, …) (B uniform
/// in ±½): off-diagonal terms everywhere and a spread diagonal, so that the probe laws' divergence
/// variances differ clearly.
template <int D>
std::array<double, D * D> random_precision(std::uint64_t seed) {
  test_rng g(seed);
  double b[D][D];
  for (auto& row : b)
    for (double& e : row) e = g.uniform(-0.5, 0.5);
  std::array<double, D * D> p{};
  for (int i = 0; i < D; ++i) {
    for (int j = i; j < D; ++j) {
      double s = i == j ? 0.5 + 0.5 * i : 0.0;
      for (int k = 0; k < D; ++k) s += b[i][k] * b[j][k];
      p[i * D + j] = s;
      p[j * D + i] = s;
    }
  }
  return p;
}

template <int D>
gaussian_score<double, D> random_gaussian(std::uint64_t seed) {
  test_rng g(seed + 1000);
  std::array<double, D> mean{};
  for (double& m : mean) m = g.uniform(-1.0, 1.0);
  return gaussian_score<double, D>(mean, random_precision<D>(seed));
}

constexpr int mixture_components = 8;

/// Parameters of a diagonal mixture with distinct, well separated widths (no ties anywhere).
template <int D>
struct mixture_params {
  std::array<double, mixture_components> weights;
  std::array<double, mixture_components * D> means, variances;
};

template <int D>
mixture_params<D> random_mixture_params(std::uint64_t seed) {
  test_rng g(seed);
  mixture_params<D> p;
  for (double& w : p.weights) w = g.uniform(0.5, 1.5);
  for (double& m : p.means) m = 2.0 * g.normal();
  for (double& v : p.variances) v = g.uniform(0.3, 1.5);
  return p;
}

template <class T, int D>
gaussian_mixture_score<T, D, mixture_components> make_mixture(const mixture_params<D>& p) {
  std::array<T, mixture_components> w;
  std::array<T, mixture_components * D> m, v;
  for (int c = 0; c < mixture_components; ++c) w[c] = static_cast<T>(p.weights[c]);
  for (int k = 0; k < mixture_components * D; ++k) {
    m[k] = static_cast<T>(p.means[k]);
    v[k] = static_cast<T>(p.variances[k]);
  }
  return gaussian_mixture_score<T, D, mixture_components>(w, m, v);
}

/// N draws from the mixture (row-major N×D).
template <int D>
std::vector<double> mixture_samples(const mixture_params<D>& p, std::size_t n, std::uint64_t seed) {
  test_rng g(seed);
  double total = 0;
  for (double w : p.weights) total += w;
  std::vector<double> x(n * D);
  for (std::size_t s = 0; s < n; ++s) {
    double u = g.uniform() * total;
    int c = 0;
    while (c + 1 < mixture_components && u >= p.weights[c]) u -= p.weights[c++];
    for (int i = 0; i < D; ++i) {
      x[s * D + i] = p.means[c * D + i] + std::sqrt(p.variances[c * D + i]) * g.normal();
    }
  }
  return x;
}

/**
 * Closed form score and Jacobian of a diagonal mixture, from the model's own stored parameters.
 *
 * With a_c = log π_c + ½ log|Λ_c| − ½ (x − μ_c)ᵀΛ_c(x − μ_c), r = softmax(a), s_c = −Λ_c(x − μ_c):
 *   ∇a_c = s_c,  ∇r_c = r_c (s_c − S),  S = Σ r_c s_c,  ∂s_c/∂x = −Λ_c, so
 *   J = Σ_c [s_c ∇r_cᵀ + r_c(−Λ_c)] = Σ_c r_c s_c s_cᵀ − S Sᵀ − Σ_c r_c Λ_c   (symmetric).
 * `scale` bounds the magnitudes that enter J (for tolerances).
 */
template <int D>
struct mixture_jacobian {
  double score[D];
  double jac[D][D];
  double scale;
};

template <int D, class Model>
mixture_jacobian<D> mixture_closed_form(const Model& model, const double* x) {
  constexpr int C = Model::components;
  double a[C], s[C][D];
  double top = -INFINITY;
  for (int c = 0; c < C; ++c) {
    double quad = 0;
    for (int i = 0; i < D; ++i) {
      const double d = x[i] - model.mean(c, i);
      quad += d * d * model.precision(c, i);
      s[c][i] = -d * model.precision(c, i);
    }
    a[c] = model.log_weight_norm[c] - 0.5 * quad;
    top = std::max(top, a[c]);
  }
  double r[C], total = 0;
  for (int c = 0; c < C; ++c) total += (r[c] = std::exp(a[c] - top));
  for (double& rc : r) rc /= total;
  mixture_jacobian<D> out{};
  for (int i = 0; i < D; ++i) {
    out.score[i] = 0;
    for (int c = 0; c < C; ++c) out.score[i] += r[c] * s[c][i];
  }
  double scale = 0;
  for (int c = 0; c < C; ++c) {
    double s2 = 0, lmax = 0;
    for (int i = 0; i < D; ++i) {
      s2 += s[c][i] * s[c][i];
      lmax = std::max(lmax, static_cast<double>(model.precision(c, i)));
    }
    scale += r[c] * (s2 + lmax);
  }
  for (int i = 0; i < D; ++i) {
    scale += out.score[i] * out.score[i];
    for (int j = 0; j < D; ++j) {
      double v = -out.score[i] * out.score[j];
      for (int c = 0; c < C; ++c) {
        v += r[c] * s[c][i] * s[c][j];
        if (i == j) v -= r[c] * model.precision(c, i);
      }
      out.jac[i][j] = v;
    }
  }
  out.scale = scale;
  return out;
}

/// vᵀ a and vᵀ J v for the D-vector at @p v.
template <int D>
double dot(const double* v, const double* a) {
  double s = 0;
  for (int i = 0; i < D; ++i) s += v[i] * a[i];
  return s;
}
template <int D>
double quad_form(const double* v, const double (&j)[D][D]) {
  double s = 0;
  for (int i = 0; i < D; ++i)
    for (int k = 0; k < D; ++k) s += v[i] * j[i][k] * v[k];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Closed forms
// ---------------------------------------------------------------------------------------------

class SsmClosedForm : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmClosedForm, GaussianProjectionsDivergencesAndIsmPerSample) {
  // S(x) = −P(x − m), J = −P: p = vᵀS, q = −vᵀPv, ISM = ‖S‖² − 2 tr P.
  constexpr int D = 8;
  const auto model = random_gaussian<D>(3);
  const std::size_t n = 37;  // not a multiple of the pack width: exercises the tail lanes
  test_rng g(17);
  std::vector<double> x(n * D);
  for (double& e : x) e = 1.5 * g.normal();
  ssm_options opt;
  opt.probes = 3;  // tangents come 2 at a time: the second evaluation has an unused tangent
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(101);
  const auto r = run_ssm(cpu(), rng, model, x, opt);

  double trace_p = 0;
  for (int i = 0; i < D; ++i) trace_p += model.precision(i, i);
  std::vector<double> ssm_ref(n), vr_ref(n), ism_ref(n);
  for (std::size_t s = 0; s < n; ++s) {
    double score[D], score_abs[D], norm2 = 0, norm2_abs = 0;
    for (int i = 0; i < D; ++i) {
      score[i] = score_abs[i] = 0;
      for (int j = 0; j < D; ++j) {
        score[i] -= model.precision(i, j) * (x[s * D + j] - model.mean[j]);
        score_abs[i] += std::fabs(model.precision(i, j) * (x[s * D + j] - model.mean[j]));
      }
      norm2 += score[i] * score[i];
      norm2_abs += score_abs[i] * score_abs[i];
    }
    double quad_sum = 0, div_sum = 0, quad_abs = 0, div_sum_abs = 0;
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      double proj_abs = 0, div = 0, div_abs = 0;
      for (int i = 0; i < D; ++i) {
        proj_abs += std::fabs(v[i]) * score_abs[i];
        for (int k = 0; k < D; ++k) {
          div -= v[i] * model.precision(i, k) * v[k];
          div_abs += std::fabs(v[i] * model.precision(i, k) * v[k]);
        }
      }
      const double proj = dot<D>(v, score);
      // Sums of ≤ 64 products in double: error ≤ ~64ε·Σ|terms|; 1e-13 relative to Σ|terms|.
      EXPECT_NEAR(r.projections[s * opt.probes + j], proj, 1e-13 * proj_abs) << s << "," << j;
      EXPECT_NEAR(r.divergences[s * opt.probes + j], div, 1e-13 * div_abs) << s << "," << j;
      quad_sum += proj * proj + 2 * div;
      div_sum += div;
      quad_abs += proj_abs * proj_abs + 2 * div_abs;
      div_sum_abs += div_abs;
    }
    ssm_ref[s] = quad_sum / opt.probes;
    vr_ref[s] = norm2 + 2 * div_sum / opt.probes;
    ism_ref[s] = norm2 - 2 * trace_p;
    // Same budget for the per-sample terms, relative to the sums of absolute values entering them.
    EXPECT_NEAR(r.ssm_ps[s], ssm_ref[s], 1e-12 * quad_abs / opt.probes) << s;
    EXPECT_NEAR(r.ssm_vr_ps[s], vr_ref[s], 1e-12 * (norm2_abs + 2 * div_sum_abs / opt.probes)) << s;
    EXPECT_NEAR(r.ism_ps[s], ism_ref[s], 1e-12 * (norm2_abs + 2 * trace_p)) << s;
  }
  // The report is the mean and standard error of the per-sample values.
  const mean_se ssm = stats(r.ssm_ps), vr = stats(r.ssm_vr_ps), ism = stats(r.ism_ps);
  EXPECT_NEAR(r.report.ssm.value, ssm.mean, 1e-12 * (std::fabs(ssm.mean) + ssm.se + 1));
  EXPECT_NEAR(r.report.ssm.std_error, ssm.se, 1e-9 * ssm.se);
  EXPECT_NEAR(r.report.ssm_vr.value, vr.mean, 1e-12 * (std::fabs(vr.mean) + vr.se + 1));
  EXPECT_NEAR(r.report.ssm_vr.std_error, vr.se, 1e-9 * vr.se);
  ASSERT_TRUE(r.report.ism.has_value());
  EXPECT_NEAR(r.report.ism->value, ism.mean, 1e-12 * (std::fabs(ism.mean) + ism.se + 1));
  EXPECT_NEAR(r.report.ism->std_error, ism.se, 1e-9 * ism.se);
  EXPECT_EQ(r.report.ssm.count, n);
  EXPECT_EQ(r.report.used, backend::cpu);
}

TEST_P(SsmClosedForm, DiagonalGaussianDivergencesAndIsm) {
  // S_i = −λ_i(x_i − m_i), J = −diag(λ): q = −Σ λ_i v_i², ISM = ‖S‖² − 2 Σ λ_i. D = 16 with M = 8
  // (one evaluation of 8 tangents; orthogonal blocks of 8 < D).
  constexpr int D = 16;
  std::array<double, D> mean{}, prec{};
  for (int i = 0; i < D; ++i) {
    mean[i] = 0.1 * i - 0.7;
    prec[i] = 0.25 + 0.3 * i;
  }
  const diagonal_gaussian_score<double, D> model(mean, prec);
  const std::size_t n = 45;
  test_rng g(23);
  std::vector<double> x(n * D);
  for (double& e : x) e = g.normal();
  ssm_options opt;
  opt.probes = 8;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(24);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  double sum_prec = 0;
  for (double l : prec) sum_prec += l;
  for (std::size_t s = 0; s < n; ++s) {
    double score[D], norm2 = 0;
    for (int i = 0; i < D; ++i) {
      score[i] = -prec[i] * (x[s * D + i] - mean[i]);
      norm2 += score[i] * score[i];
    }
    for (std::uint32_t j = 0; j < opt.probes; ++j) {
      const double* v = &r.probes[(s * opt.probes + j) * D];
      double div = 0, proj_abs = 0;
      for (int i = 0; i < D; ++i) {
        div -= prec[i] * v[i] * v[i];
        proj_abs += std::fabs(v[i] * score[i]);
      }
      // Sums of 16 terms: 1e-13 relative to the sum of absolute values (here |div| itself).
      EXPECT_NEAR(r.divergences[s * opt.probes + j], div, 1e-13 * std::fabs(div)) << s << "," << j;
      EXPECT_NEAR(r.projections[s * opt.probes + j], dot<D>(v, score), 1e-13 * proj_abs);
    }
    EXPECT_NEAR(r.ism_ps[s], norm2 - 2 * sum_prec, 1e-13 * (norm2 + 2 * sum_prec)) << s;
  }
}

template <int D>
void check_mixture_closed_form(probe_law law, std::uint32_t probes, const std::vector<double>& x,
                               std::uint64_t seed) {
  const auto params = random_mixture_params<D>(seed);
  const auto model = make_mixture<double, D>(params);
  const std::size_t n = x.size() / D;
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  opt.exact_ism = true;
  rng_stream rng(seed + 1);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  for (std::size_t s = 0; s < n; ++s) {
    const auto cf = mixture_closed_form<D>(model, &x[s * D]);
    double norm2 = 0, trace = 0;
    for (int i = 0; i < D; ++i) {
      norm2 += cf.score[i] * cf.score[i];
      trace += cf.jac[i][i];
    }
    double div_sum = 0;
    for (std::uint32_t j = 0; j < probes; ++j) {
      const double* v = &r.probes[(s * probes + j) * D];
      const double v2 = dot<D>(v, v);
      const double div = quad_form<D>(v, cf.jac);
      // J's entries come out of sums of O(C·D) terms of size ≤ scale; both sides carry rounding
      // errors ~1e-15·scale·‖v‖². 1e-11 relative leaves a wide margin; a wrong J is off by O(1).
      EXPECT_NEAR(r.projections[s * probes + j], dot<D>(v, cf.score),
                  1e-11 * D * std::sqrt(v2 * cf.scale))
          << "sample " << s << " probe " << j;
      EXPECT_NEAR(r.divergences[s * probes + j], div, 1e-11 * v2 * cf.scale)
          << "sample " << s << " probe " << j;
      ASSERT_TRUE(std::isfinite(r.divergences[s * probes + j]));
      div_sum += div;
    }
    EXPECT_NEAR(r.ism_ps[s], norm2 + 2 * trace, 1e-11 * D * cf.scale) << "sample " << s;
    EXPECT_NEAR(r.ssm_vr_ps[s], norm2 + 2 * div_sum / probes, 1e-11 * D * D * cf.scale)
        << "sample " << s;
    ASSERT_TRUE(std::isfinite(r.ssm_ps[s]) && std::isfinite(r.ism_ps[s]));
  }
}

TEST_P(SsmClosedForm, MixtureDivergencesAndExactTraceMatchDerivedJacobian) {
  // D = 2 (one ISM evaluation with 2 tangents) and D = 16 (two evaluations of 8 tangents);
  // M = 5 probes: one evaluation of 4 tangents, then one of 1 (the other tangents unused).
  const auto x2 = mixture_samples<2>(random_mixture_params<2>(5), 150, 6);
  check_mixture_closed_form<2>(GetParam(), 5, x2, 5);
  const auto x16 = mixture_samples<16>(random_mixture_params<16>(7), 150, 8);
  check_mixture_closed_form<16>(GetParam(), 5, x16, 7);
}

TEST_P(SsmClosedForm, MixtureFarFromEveryComponentIsFiniteAndExact) {
  // At |x| ~ 1e3 every responsibility but one underflows (logits differ by ~1e5); the softmax
  // shift keeps them finite, and J = −Λ_c of the surviving component.
  std::vector<double> x2 = {1e3, 1e3, -1e3, 1e3, 1e3, -1e3, -1e3, -1e3, 1e3, 0.5, 0.0, -1e3};
  check_mixture_closed_form<2>(GetParam(), 3, x2, 5);
  std::vector<double> x16(3 * 16);
  for (std::size_t k = 0; k < x16.size(); ++k) x16[k] = (k % 3 == 0 ? -1e3 : 1e3);
  check_mixture_closed_form<16>(GetParam(), 3, x16, 7);
  // And the reported losses are finite.
  const auto model = make_mixture<double, 16>(random_mixture_params<16>(7));
  ssm_options opt;
  opt.law = GetParam();
  opt.exact_ism = true;
  rng_stream rng(1);
  const auto report = sliced_score_matching(cpu(), rng, model, x16, opt);
  EXPECT_TRUE(std::isfinite(report.ssm.value) && std::isfinite(report.ssm.std_error));
  EXPECT_TRUE(std::isfinite(report.ssm_vr.value) && std::isfinite(report.ism->value));
}

std::string law_name(const ::testing::TestParamInfo<probe_law>& info) {
  return to_string(info.param);
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmClosedForm, ::testing::ValuesIn(all_laws), law_name);

// ---------------------------------------------------------------------------------------------
// Unbiasedness
// ---------------------------------------------------------------------------------------------

class SsmUnbiased : public ::testing::TestWithParam<probe_law> {};

template <int D>
void check_unbiased(probe_law law, std::uint32_t probes, std::uint64_t seed) {
  const auto params = random_mixture_params<D>(seed);
  const auto model = make_mixture<double, D>(params);
  const std::size_t n = 3000;
  const auto x = mixture_samples<D>(params, n, seed + 1);
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  opt.exact_ism = true;
  rng_stream rng(seed + 2);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  const double ism = r.report.ism->value;
  const double ism_se = r.report.ism->std_error;
  // Given x, SSM and SSM-VR have expectation ISM(x) over the probes. Paired test: the per-sample
  // differences have mean 0, judged against their own standard error (5 SE: false alarm ~6e-7).
  // A floor of 1e-10·|ISM| absorbs rounding where the difference vanishes identically (the
  // orthogonal law with k = D makes SSM-VR exact).
  std::vector<double> d_ssm(n), d_vr(n);
  for (std::size_t s = 0; s < n; ++s) {
    d_ssm[s] = r.ssm_ps[s] - r.ism_ps[s];
    d_vr[s] = r.ssm_vr_ps[s] - r.ism_ps[s];
  }
  const mean_se ds = stats(d_ssm), dv = stats(d_vr);
  const double floor = 1e-10 * (std::fabs(ism) + 1);
  EXPECT_LE(std::fabs(ds.mean), 5 * ds.se + floor) << "SSM D=" << D << " M=" << probes;
  EXPECT_LE(std::fabs(dv.mean), 5 * dv.se + floor) << "SSM-VR D=" << D << " M=" << probes;
  // Unpaired, from the report alone: SSM and ISM are positively correlated (Cov = Var ISM), so
  // √(SE² + SE²) over-covers the difference of the means.
  EXPECT_LE(std::fabs(r.report.ssm.value - ism),
            5 * std::hypot(r.report.ssm.std_error, ism_se) + floor);
  EXPECT_LE(std::fabs(r.report.ssm_vr.value - ism),
            5 * std::hypot(r.report.ssm_vr.std_error, ism_se) + floor);
  if (law == probe_law::orthogonal && probes % D == 0) {
    // k = D orthogonal probes give the trace exactly: SSM-VR equals ISM per sample.
    for (std::size_t s = 0; s < n; ++s) {
      ASSERT_NEAR(r.ssm_vr_ps[s], r.ism_ps[s], 1e-10 * (std::fabs(r.ism_ps[s]) + 1)) << s;
    }
  }
}

TEST_P(SsmUnbiased, SsmAndSsmVrMatchExactIsmForD2AndD16) {
  for (std::uint32_t m : {1u, 4u}) {
    check_unbiased<2>(GetParam(), m, 40 + m);
    check_unbiased<16>(GetParam(), m, 50 + m);
  }
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmUnbiased, ::testing::ValuesIn(all_laws), law_name);

// ---------------------------------------------------------------------------------------------
// Variance of the divergence estimator at one fixed x
// ---------------------------------------------------------------------------------------------

constexpr int var_dim = 8;

struct symmetric_part_norms {
  double frob2 = 0;   // ‖A‖²_F
  double diag2 = 0;   // Σ A_ii²
  double trace = 0;   // τ = tr A
};

symmetric_part_norms norms_of_minus_p(const gaussian_score<double, var_dim>& model) {
  symmetric_part_norms out;
  for (int i = 0; i < var_dim; ++i) {
    for (int j = 0; j < var_dim; ++j) {
      const double a = -0.5 * (model.precision(i, j) + model.precision(j, i));
      out.frob2 += a * a;
      if (i == j) {
        out.diag2 += a * a;
        out.trace += a;
      }
    }
  }
  return out;
}

/// Variance of vᵀAv for one probe of the law (A symmetric, d = var_dim).
double single_probe_variance(probe_law law, const symmetric_part_norms& a) {
  const double d = var_dim;
  switch (law) {
    case probe_law::gaussian: return 2 * a.frob2;
    case probe_law::rademacher: return 2 * (a.frob2 - a.diag2);
    case probe_law::sphere:
    case probe_law::orthogonal: return 2 * d / (d + 2) * (a.frob2 - a.trace * a.trace / d);
  }
  return 0;
}

/**
 * Variance of the average of vᵀAv over one orthogonal block of k probes.
 *
 * The k directions are the first k columns of a Haar-random orthogonal matrix, so every pair
 * (v_i, v_j) has the same joint law: Var(avg) = (σ² + (k−1)c)/k with σ² the sphere variance and c
 * the covariance of two distinct probes. For k = d the average is exactly tr A (the columns span
 * everything), so 0 = σ² + (d−1)c, c = −σ²/(d−1), and Var(avg) = σ²/k · (d−k)/(d−1).
 * (SsmVarianceFormula checks this with an independent Monte Carlo.)
 */
double orthogonal_block_variance(const symmetric_part_norms& a, int k) {
  const double d = var_dim;
  return single_probe_variance(probe_law::sphere, a) / k * (d - k) / (d - 1);
}

/// Per-sample averages of the divergences over the M probes, for N copies of one x.
std::vector<double> divergence_averages(probe_law law, std::uint32_t probes, std::size_t n,
                                        const gaussian_score<double, var_dim>& model,
                                        std::uint64_t seed) {
  std::vector<double> x(n * var_dim);
  for (std::size_t s = 0; s < n; ++s)
    for (int i = 0; i < var_dim; ++i) x[s * var_dim + i] = 0.25 * i - 0.8;
  std::vector<double> div(n * probes);
  ssm_options opt;
  opt.probes = probes;
  opt.law = law;
  ssm_outputs<double> out;
  out.divergences = host_output(div.data(), div.size());
  rng_stream rng(seed);
  sliced_score_matching(cpu(), rng, model, x, opt, out);
  std::vector<double> avg(n);
  for (std::size_t s = 0; s < n; ++s) {
    double sum = 0;
    for (std::uint32_t j = 0; j < probes; ++j) sum += div[s * probes + j];
    avg[s] = sum / probes;
  }
  return avg;
}

/// Sample variance against @p expected: relative error within 5·√((κ−1)/N), κ the kurtosis
/// estimated from the same data (the standard error of a sample variance), and the mean within
/// 5 SE of tr A (unbiasedness at fixed x).
void expect_variance(const std::vector<double>& values, double expected, double trace,
                     const std::string& what) {
  const mean_se s = stats(values);
  const double n = static_cast<double>(values.size());
  const double rel_se = std::sqrt((s.kurtosis - 1) / n);
  EXPECT_NEAR(s.var / expected, 1.0, 5 * rel_se)
      << what << ": sample variance " << s.var << " expected " << expected << " (kurtosis "
      << s.kurtosis << ")";
  EXPECT_NEAR(s.mean, trace, 5 * s.se) << what << ": mean";
}

class SsmVariance : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmVariance, SingleProbeDivergenceVarianceMatchesClosedForm) {
  const auto model = random_gaussian<var_dim>(21);
  const auto a = norms_of_minus_p(model);
  const probe_law law = GetParam();
  const double expected = single_probe_variance(law, a);
  // The laws differ enough to tell apart at this N (relative SE of the variance ≈ 1%, so the
  // 5-SE band is ≈ ±5%).
  ASSERT_GT(std::fabs(single_probe_variance(probe_law::gaussian, a) /
                          single_probe_variance(probe_law::sphere, a) - 1), 0.2);
  ASSERT_GT(std::fabs(single_probe_variance(probe_law::rademacher, a) /
                          single_probe_variance(probe_law::sphere, a) - 1), 0.2);
  const auto avg = divergence_averages(law, 1, 100000, model, 300 + static_cast<int>(law));
  expect_variance(avg, expected, a.trace, to_string(law));
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmVariance, ::testing::ValuesIn(all_laws), law_name);

TEST(SsmVarianceOrthogonal, BlockAverageVarianceShrinksAsDMinusKOverDMinusOne) {
  const auto model = random_gaussian<var_dim>(21);
  const auto a = norms_of_minus_p(model);
  for (int k : {2, 4}) {
    const auto avg = divergence_averages(probe_law::orthogonal, k, 50000, model, 400 + k);
    expect_variance(avg, orthogonal_block_variance(a, k), a.trace,
                    "orthogonal k=" + std::to_string(k));
  }
  // k = d: the block average is tr A exactly (up to rounding of sums of ~d² terms).
  const auto exact = divergence_averages(probe_law::orthogonal, var_dim, 1000, model, 408);
  for (double v : exact) ASSERT_NEAR(v, a.trace, 1e-12 * var_dim * std::sqrt(a.frob2) * var_dim);
}

TEST(SsmVarianceFormula, OrthogonalBlockVarianceAgreesWithIndependentMonteCarlo) {
  // The (d−k)/(d−1)·σ²/k formula, checked without the library: Haar frames from our own
  // Gram–Schmidt on std::mt19937_64 normals, A = −P of the model above.
  const auto model = random_gaussian<var_dim>(21);
  const auto norms = norms_of_minus_p(model);
  constexpr int d = var_dim;
  test_rng g(99);
  for (int k : {1, 4}) {
    const std::size_t n = 20000;
    std::vector<double> avg(n);
    for (std::size_t s = 0; s < n; ++s) {
      double basis[d][d];
      double sum = 0;
      for (int b = 0; b < k; ++b) {
        double v[d];
        for (double& e : v) e = g.normal();
        for (int p = 0; p < b; ++p) {
          const double proj = dot<d>(v, basis[p]);
          for (int i = 0; i < d; ++i) v[i] -= proj * basis[p][i];
        }
        const double len = std::sqrt(dot<d>(v, v));
        for (int i = 0; i < d; ++i) basis[b][i] = v[i] / len;
        double q = 0;
        for (int i = 0; i < d; ++i)
          for (int j = 0; j < d; ++j) q -= basis[b][i] * model.precision(i, j) * basis[b][j];
        sum += d * q;  // v = √d·u, so vᵀAv = d·uᵀAu
      }
      avg[s] = sum / k;
    }
    expect_variance(avg, orthogonal_block_variance(norms, k), norms.trace,
                    "independent MC k=" + std::to_string(k));
  }
}

// ---------------------------------------------------------------------------------------------
// Probe second moments
// ---------------------------------------------------------------------------------------------

class SsmProbes : public ::testing::TestWithParam<probe_law> {};

TEST_P(SsmProbes, SecondMomentIsIdentityAndLawInvariantsHold) {
  constexpr int D = var_dim;
  const std::uint32_t m = 2;  // orthogonal: blocks of k = 2
  const std::size_t n = 15000;
  const auto model = random_gaussian<D>(60);
  std::vector<double> x(n * D, 0.1);
  ssm_options opt;
  opt.probes = m;
  opt.law = GetParam();
  rng_stream rng(61);
  const auto r = run_ssm(cpu(), rng, model, x, opt);
  // Per-sample averages (1/M)Σ_j v_j v_jᵀ are independent across samples (own subsequences),
  // even when the probes within a sample are not, so their SE is the right yardstick.
  for (int i = 0; i < D; ++i) {
    for (int k = i; k < D; ++k) {
      std::vector<double> e(n);
      for (std::size_t s = 0; s < n; ++s) {
        double sum = 0;
        for (std::uint32_t j = 0; j < m; ++j) {
          const double* v = &r.probes[(s * m + j) * D];
          sum += v[i] * v[k];
        }
        e[s] = sum / m;
      }
      const mean_se st = stats(e);
      // 5 SE; the 1e-12 floor covers entries that are exactly 1 (Rademacher diagonal).
      EXPECT_NEAR(st.mean, i == k ? 1.0 : 0.0, 5 * st.se + 1e-12) << "entry " << i << "," << k;
    }
  }
  for (std::size_t s = 0; s < n; ++s) {
    for (std::uint32_t j = 0; j < m; ++j) {
      const double* v = &r.probes[(s * m + j) * D];
      switch (GetParam()) {
        case probe_law::rademacher:
          for (int i = 0; i < D; ++i) ASSERT_EQ(std::fabs(v[i]), 1.0);
          break;
        case probe_law::sphere:
        case probe_law::orthogonal:
          ASSERT_NEAR(dot<D>(v, v), D, 1e-13 * D);
          break;
        case probe_law::gaussian: break;
      }
    }
    if (GetParam() == probe_law::orthogonal) {
      ASSERT_NEAR(dot<D>(&r.probes[s * m * D], &r.probes[(s * m + 1) * D]), 0.0, 1e-13 * D);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SsmLaws, SsmProbes, ::testing::ValuesIn(all_laws), law_name);

// ---------------------------------------------------------------------------------------------
// Half scaling and reproducibility
// ---------------------------------------------------------------------------------------------

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  // memcmp may not be given the null data of an empty vector, even for zero bytes.
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
bool same_bits(const loss_estimate& a, const loss_estimate& b) {
  return std::memcmp(&a.value, &b.value, sizeof(double)) == 0 &&
         std::memcmp(&a.std_error, &b.std_error, sizeof(double)) == 0 && a.count == b.count;
}
void expect_identical(const ssm_run<double>& a, const ssm_run<double>& b, const char* what) {
  EXPECT_TRUE(same_bits(a.report.ssm, b.report.ssm)) << what;
  EXPECT_TRUE(same_bits(a.report.ssm_vr, b.report.ssm_vr)) << what;
  ASSERT_EQ(a.report.ism.has_value(), b.report.ism.has_value()) << what;
  if (a.report.ism) {
    EXPECT_TRUE(same_bits(*a.report.ism, *b.report.ism)) << what;
  }
  EXPECT_TRUE(same_bits(a.projections, b.projections)) << what;
  EXPECT_TRUE(same_bits(a.divergences, b.divergences)) << what;
  EXPECT_TRUE(same_bits(a.probes, b.probes)) << what;
  EXPECT_TRUE(same_bits(a.ssm_ps, b.ssm_ps)) << what;
  EXPECT_TRUE(same_bits(a.ssm_vr_ps, b.ssm_vr_ps)) << what;
  EXPECT_TRUE(same_bits(a.ism_ps, b.ism_ps)) << what;
}

TEST(SsmHalfScaling, LossesAreExactlyHalfWithTheSameSeed) {
  const auto params = random_mixture_params<2>(70);
  const auto model = make_mixture<double, 2>(params);
  const auto x = mixture_samples<2>(params, 2500, 71);
  for (probe_law law : all_laws) {
    ssm_options opt;
    opt.probes = 3;
    opt.law = law;
    opt.exact_ism = true;
    rng_stream r1(72), r2(72);
    const auto full = run_ssm(cpu(), r1, model, x, opt);
    opt.half_scaling = true;
    const auto half = run_ssm(cpu(), r2, model, x, opt);
    // Halving is exact in binary floating point, so equality is exact.
    EXPECT_EQ(half.report.ssm.value, 0.5 * full.report.ssm.value);
    EXPECT_EQ(half.report.ssm.std_error, 0.5 * full.report.ssm.std_error);
    EXPECT_EQ(half.report.ssm_vr.value, 0.5 * full.report.ssm_vr.value);
    EXPECT_EQ(half.report.ssm_vr.std_error, 0.5 * full.report.ssm_vr.std_error);
    EXPECT_EQ(half.report.ism->value, 0.5 * full.report.ism->value);
    EXPECT_EQ(half.report.ism->std_error, 0.5 * full.report.ism->std_error);
    for (std::size_t s = 0; s < x.size() / 2; ++s) {
      ASSERT_EQ(half.ssm_ps[s], 0.5 * full.ssm_ps[s]) << s;
      ASSERT_EQ(half.ssm_vr_ps[s], 0.5 * full.ssm_vr_ps[s]) << s;
      ASSERT_EQ(half.ism_ps[s], 0.5 * full.ism_ps[s]) << s;
    }
    // Per-probe quantities are not losses: unchanged.
    EXPECT_TRUE(same_bits(half.projections, full.projections));
    EXPECT_TRUE(same_bits(half.divergences, full.divergences));
    EXPECT_TRUE(same_bits(half.probes, full.probes));
  }
}

TEST(SsmReproducibility, BitwiseEqualForThreadCountsAndChunking) {
  const auto params = random_mixture_params<16>(80);
  const auto model = make_mixture<double, 16>(params);
  const auto x = mixture_samples<16>(params, 5000, 81);  // 5 reduction blocks, a partial one
  for (probe_law law : {probe_law::gaussian, probe_law::orthogonal}) {
    ssm_options opt;
    opt.probes = 4;
    opt.law = law;
    opt.exact_ism = true;
    rng_stream r1(82), r2(82), r3(82), r4(82);
    const auto one = run_ssm(cpu(1), r1, model, x, opt);
    const auto two = run_ssm(cpu(2), r2, model, x, opt);
    opt.chunk_samples = 1024;
    const auto chunked = run_ssm(cpu(2), r3, model, x, opt);
    opt.chunk_samples = 1;  // rounded up to one reduction block
    const auto tiny = run_ssm(cpu(1), r4, model, x, opt);
    expect_identical(one, two, "1 vs 2 threads");
    expect_identical(one, chunked, "chunk 1024 vs default");
    expect_identical(one, tiny, "chunk 1 vs default");
  }
}

TEST(SsmReproducibility, FloatAgreesWithDouble) {
  const auto params = random_mixture_params<2>(90);
  const auto md = make_mixture<double, 2>(params);
  const auto mf = make_mixture<float, 2>(params);
  const auto xd = mixture_samples<2>(params, 3000, 91);
  const std::vector<float> xf(xd.begin(), xd.end());
  std::vector<double> xd_rounded(xf.begin(), xf.end());  // the same points in both precisions
  {
    // Rademacher probes are ±1 in both precisions (same Philox words), so every per-sample term
    // agrees to float rounding. Terms are O(10–100) with mild cancellation; the float model's
    // relative error is ~1e-6, and 1e-4·(1 + |x|) is a wide bound that an error in either
    // precision's path would still break.
    ssm_options opt;
    opt.probes = 2;
    opt.law = probe_law::rademacher;
    opt.exact_ism = true;
    rng_stream rd(92), rf(92);
    const auto d = run_ssm(cpu(), rd, md, xd_rounded, opt);
    const auto f = run_ssm(cpu(), rf, mf, xf, opt);
    for (std::size_t k = 0; k < d.probes.size(); ++k) ASSERT_EQ(f.probes[k], d.probes[k]) << k;
    for (std::size_t s = 0; s < xf.size() / 2; ++s) {
      ASSERT_NEAR(f.ssm_ps[s], d.ssm_ps[s], 1e-4 * (1 + std::fabs(d.ssm_ps[s]))) << s;
      ASSERT_NEAR(f.ssm_vr_ps[s], d.ssm_vr_ps[s], 1e-4 * (1 + std::fabs(d.ssm_vr_ps[s]))) << s;
      ASSERT_NEAR(f.ism_ps[s], d.ism_ps[s], 1e-4 * (1 + std::fabs(d.ism_ps[s]))) << s;
    }
    EXPECT_NEAR(f.report.ssm.value, d.report.ssm.value, 1e-4 * (1 + std::fabs(d.report.ssm.value)));
    EXPECT_NEAR(f.report.ism->value, d.report.ism->value, 1e-4 * (1 + std::fabs(d.report.ism->value)));
    EXPECT_NEAR(f.report.ssm.std_error, d.report.ssm.std_error, 1e-3 * d.report.ssm.std_error);
  }
  {
    // Gaussian probes are drawn differently in float and double (4 vs 2 normals per Philox
    // block), so only the statistics agree: within 5 combined SEs.
    ssm_options opt;
    opt.probes = 1;
    opt.law = probe_law::gaussian;
    rng_stream rd(93), rf(93);
    const auto d = sliced_score_matching(cpu(), rd, md, xd_rounded, opt);
    const auto f = sliced_score_matching(cpu(), rf, mf, xf, opt);
    EXPECT_NEAR(f.ssm.value, d.ssm.value, 5 * std::hypot(f.ssm.std_error, d.ssm.std_error));
    EXPECT_NEAR(f.ssm_vr.value, d.ssm_vr.value,
                5 * std::hypot(f.ssm_vr.std_error, d.ssm_vr.std_error));
  }
}

TEST(SsmReproducibility, ConsecutiveCallsDrawNewProbesAndSavedStatesReplay) {
  const auto params = random_mixture_params<2>(95);
  const auto model = make_mixture<double, 2>(params);
  const auto x = mixture_samples<2>(params, 1000, 96);
  ssm_options opt;
  opt.probes = 2;
  rng_stream rng(97);
  const auto first = run_ssm(cpu(), rng, model, x, opt);
  EXPECT_EQ(rng.state().next_subsequence, 1000u);
  const auto second = run_ssm(cpu(), rng, model, x, opt);
  EXPECT_EQ(rng.state().next_subsequence, 2000u);
  EXPECT_EQ(first.report.rng.next_subsequence, 0u);
  EXPECT_EQ(second.report.rng.next_subsequence, 1000u);
  std::size_t equal = 0;
  for (std::size_t k = 0; k < first.probes.size(); ++k) equal += first.probes[k] == second.probes[k];
  EXPECT_EQ(equal, 0u) << "continuous Gaussian probes should never repeat";
  EXPECT_NE(first.report.ssm.value, second.report.ssm.value);
  rng_stream replay(first.report.rng);
  const auto again = run_ssm(cpu(2), replay, model, x, opt);
  expect_identical(first, again, "replay of the saved state");
}

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
                           std::string s;
                           for (char ch : p.param.name) {
                             s += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           }
                           return s;
                         });

template <class F>
void expect_parameter(F f, const std::string& parameter) {
  try {
    f();
    FAIL() << "no error for " << parameter;
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), parameter) << e.what();
  }
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
