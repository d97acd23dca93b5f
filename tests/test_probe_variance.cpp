// The probe variance study (probe_variance.hpp): exact Jacobians against closed forms and finite
// differences, the study's empirical variances against closed forms derived here (Gaussian with a
// full precision, diagonal Gaussian, Gaussian mixture), the probes-needed answer, exact orthogonal
// blocks, the text table, and typed errors on bad input. Models are the library's built-in
// instantiations, so no sliced score matching kernel is compiled here.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "scorepath/detail/builtin_ssm_types.hpp"
#include "scorepath/probe_variance.hpp"
#include "support/mixture_reference.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using detail::builtin::diag_gauss16;
using detail::builtin::gauss2;
using detail::builtin::gmm2;

const std::vector<probe_law> all_laws = {probe_law::gaussian, probe_law::rademacher,
                                          probe_law::sphere, probe_law::orthogonal};

using namespace test_support;

// ---------------------------------------------------------------------------------------------
// Reference variances, written from the formulas (not from the header's helpers)
// ---------------------------------------------------------------------------------------------

/// Variance of one probe's vᵀJv from J's symmetric part A (row-major d×d, in double).
double one_probe(probe_law law, const std::vector<double>& j, int d) {
  double frob2 = 0, diag2 = 0, trace = 0;
  for (int a = 0; a < d; ++a) {
    for (int b = 0; b < d; ++b) {
      const double s = 0.5 * (j[a * d + b] + j[b * d + a]);
      frob2 += s * s;
    }
    diag2 += j[a * d + a] * j[a * d + a];
    trace += j[a * d + a];
  }
  switch (law) {
    case probe_law::gaussian: return 2 * frob2;
    case probe_law::rademacher: return 2 * (frob2 - diag2);
    case probe_law::sphere:
    case probe_law::orthogonal: return 2.0 * d / (d + 2) * (frob2 - trace * trace / d);
  }
  return 0;
}

/**
 * Variance of the M-probe mean, given the one-probe variance v1.
 *
 * Independent probes: v1/M. Orthogonal, M ≤ d: one block of k = M columns u_1..u_k of a Haar
 * frame, all pairs exchangeable, so Var(mean) = (v1 + (k−1)c)/k; with k = d the mean is tr J
 * exactly, which fixes c = −v1/(d−1): Var = v1 (d−k)/((d−1)k). For M > d, only the cases used
 * below: a multiple of d (every block exact: 0), and d = 2, M = 3 (one exact block of 2 and one
 * lone probe: mean = (2τ + q₃)/3, Var = v1/9).
 */
double m_probe(probe_law law, double v1, std::uint32_t m, int d) {
  if (law != probe_law::orthogonal) return v1 / m;
  if (m <= static_cast<std::uint32_t>(d)) return v1 * (d - m) / ((d - 1.0) * m);
  if (m % d == 0) return 0;
  if (d == 2 && m == 3) return v1 / 9;
  ADD_FAILURE() << "no reference for orthogonal M = " << m << ", d = " << d;
  return NAN;
}

/// Smallest M with mean Var_M ≤ target²·mean τ², by direct search over M.
std::uint64_t needed_by_search(probe_law law, double v1, double mean_tau2, double target, int d) {
  for (std::uint32_t m = 1; m < 100000; ++m) {
    if (std::sqrt(m_probe(law, v1, m, d)) <= target * std::sqrt(mean_tau2)) return m;
    if (law == probe_law::orthogonal && m == static_cast<std::uint32_t>(d)) break;
  }
  ADD_FAILURE() << "search found no M";
  return 0;
}

/// The row for (law, M), or a failure.
const variance_study_row& row_of(const variance_study_result& r, probe_law law, std::uint32_t m) {
  for (const auto& row : r.rows) {
    if (row.law == law && row.probes == m) return row;
  }
  ADD_FAILURE() << "no row for " << to_string(law) << " M = " << m;
  static const variance_study_row none{};
  return none;
}

/**
 * Empirical against reference for every row, and proof that the check has teeth.
 *
 * Tolerance: |empirical − reference| ≤ 5 standard errors (a false alarm has probability ~6e-7
 * per row for a normal error). `std_error` is the Monte Carlo error of the mean of N per-sample
 * variances, so the band is a few percent here; over a few hundred seeds of the two d = 2 cases
 * below, (empirical − reference)/std_error had a standard deviation of 0.7–1.1 per row and tails
 * a little heavier than normal (largest |z| 4.6 of ~7000), so the fixed seeds are not tuned. Power: for every other law whose formula gives a
 * value more than 25% away, the empirical value must lie more than 5 SE from that value too, so a
 * swapped formula (e.g. Rademacher's replaced by Gaussian's) would fail the first check.
 */
void expect_rows_match(const variance_study_result& r, const std::vector<std::uint32_t>& counts,
                       const std::vector<probe_law>& laws, const std::vector<double>& one,
                       int d) {
  ASSERT_EQ(r.rows.size(), counts.size() * laws.size());
  std::size_t k = 0;
  for (std::size_t li = 0; li < laws.size(); ++li) {
    for (std::uint32_t m : counts) {
      const variance_study_row& row = r.rows[k++];
      const probe_law law = laws[li];
      ASSERT_EQ(row.law, law);
      ASSERT_EQ(row.probes, m);
      const std::string what = std::string(to_string(law)) + " M=" + std::to_string(m);
      const double expected = m_probe(law, one[li], m, d);
      // Closed form: the same sums in another order, 1e-12 relative.
      EXPECT_NEAR(row.closed_form, expected, 1e-12 * one[li] + 1e-300) << what;
      if (expected == 0) {
        EXPECT_TRUE(std::isnan(row.ratio)) << what;
        continue;
      }
      ASSERT_TRUE(std::isfinite(row.std_error) && row.std_error > 0) << what;
      EXPECT_NEAR(row.empirical, expected, 5 * row.std_error)
          << what << ": ratio " << row.ratio << " ± " << row.std_error / expected;
      EXPECT_DOUBLE_EQ(row.ratio, row.empirical / row.closed_form) << what;
      for (std::size_t lj = 0; lj < laws.size(); ++lj) {
        const double alt = m_probe(laws[lj], one[lj], m, d);
        if (std::fabs(alt - expected) > 0.25 * expected) {
          EXPECT_GT(std::fabs(row.empirical - alt), 5 * row.std_error)
              << what << " cannot be told from the " << to_string(laws[lj]) << " formula";
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// exact_jacobian
// ---------------------------------------------------------------------------------------------

template <int D>
void check_full_gaussian(std::uint64_t seed) {
  test_rng g(seed + 7);
  std::array<double, D> mean{};
  for (double& m : mean) m = g.normal();
  const auto p = random_spd_precision<D>(seed, 1.0);  // diagonal from 1
  const gaussian_score<double, D> model(mean, p);
  for (int trial = 0; trial < 3; ++trial) {
    vec<double, D> x;
    for (int i = 0; i < D; ++i) x[i] = 3 * g.normal();
    const auto j = exact_jacobian(model, x);
    // The tangent of S_i along e_k is −Σ_j e_k[j]·P_ij: products with 0 and 1 and sums with 0
    // are exact, so J = −P to the last bit.
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) ASSERT_EQ(j(a, b), -p[a * D + b]) << a << "," << b;
  }
}

TEST(ExactJacobian, FullGaussianIsMinusPrecision) {
  check_full_gaussian<2>(1);   // one evaluation of 2 tangents
  check_full_gaussian<8>(2);   // one evaluation of 8
  check_full_gaussian<11>(3);  // 8 + 3: the second evaluation has unused tangents
}

TEST(ExactJacobian, DiagonalGaussianIsMinusDiagonalPrecision) {
  std::array<double, 16> mean{}, prec{};
  for (int i = 0; i < 16; ++i) {
    mean[i] = 0.2 * i - 1.0;
    prec[i] = 0.3 + 0.25 * i;
  }
  const diag_gauss16<double> model(mean, prec);
  vec<double, 16> x;
  for (int i = 0; i < 16; ++i) x[i] = std::sin(1.0 + i);
  const auto j = exact_jacobian(model, x);  // two evaluations of 8 tangents
  for (int a = 0; a < 16; ++a)
    for (int b = 0; b < 16; ++b) ASSERT_EQ(j(a, b), a == b ? -prec[a] : 0.0) << a << "," << b;
}

/// A field that is no gradient, so J ≠ Jᵀ: a transposed Jacobian shows.
struct twisted_field {
  static constexpr int dim = 3;
  static constexpr bool vectorizable = false;
  using scalar_type = double;
  template <class R>
  vec<R, 3> operator()(const vec<R, 3>& x) const {
    vec<R, 3> s;
    s[0] = x[0] * x[1];
    s[1] = math::sin(x[2]) + 0.5 * x[0] * x[0];
    s[2] = math::exp(x[0]) * x[1];
    return s;
  }
};

TEST(ExactJacobian, NonSymmetricFieldIsNotTransposed) {
  // J = [[x₁, x₀, 0], [x₀, 0, cos x₂], [eˣ⁰x₁, eˣ⁰, 0]]; entries agree to a few ulps.
  const double pts[][3] = {{0.3, -1.2, 0.7}, {-2.0, 0.5, 3.0}, {1.1, 2.2, -0.4}};
  for (const auto& p : pts) {
    const vec<double, 3> x{{p[0], p[1], p[2]}};
    const auto j = exact_jacobian(twisted_field{}, x);
    const double e = std::exp(p[0]);
    const double ref[3][3] = {{p[1], p[0], 0}, {p[0], 0, std::cos(p[2])}, {e * p[1], e, 0}};
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        EXPECT_NEAR(j(a, b), ref[a][b], 1e-14 * (1 + std::fabs(ref[a][b]))) << a << "," << b;
  }
}

template <int D, int C>
gaussian_mixture_score<double, D, C> random_mixture(std::uint64_t seed) {
  test_rng g(seed);
  std::array<double, C> w;
  std::array<double, C * D> m, v;
  for (double& e : w) e = g.uniform(0.5, 1.5);
  for (double& e : m) e = 2 * g.normal();
  for (double& e : v) e = g.uniform(0.3, 1.5);
  return gaussian_mixture_score<double, D, C>(w, m, v);
}

template <int D, int C>
void check_mixture_against_differences(std::uint64_t seed) {
  const auto model = random_mixture<D, C>(seed);
  test_rng g(seed + 1);
  for (int trial = 0; trial < 20; ++trial) {
    vec<double, D> x;
    for (int i = 0; i < D; ++i) x[i] = 2.5 * g.normal();
    const auto j = exact_jacobian(model, x);
    // Central differences with h = 1e-5: truncation h²/6·|S'''| ~ 1e-10·(scale), rounding
    // ε·|S|/h ~ 1e-11·|S|. A 1e-6·(1 + |J| + |S|) band is wide for both and far below the O(1)
    // of a wrong entry.
    const double h = 1e-5;
    for (int b = 0; b < D; ++b) {
      vec<double, D> up = x, down = x;
      up[b] += h;
      down[b] -= h;
      const vec<double, D> su = model(up), sd = model(down), s0 = model(x);
      for (int a = 0; a < D; ++a) {
        const double fd = (su[a] - sd[a]) / (2 * h);
        EXPECT_NEAR(j(a, b), fd, 1e-6 * (1 + std::fabs(fd) + std::fabs(s0[a])))
            << "trial " << trial << " entry " << a << "," << b;
      }
    }
  }
}

TEST(ExactJacobian, MixtureMatchesCentralDifferences) {
  check_mixture_against_differences<2, 8>(11);  // the built-in gmm2 shape
  check_mixture_against_differences<11, 3>(12);  // 8 + 3 tangents
}

// ---------------------------------------------------------------------------------------------
// The study against closed forms
// ---------------------------------------------------------------------------------------------

TEST(ProbeVarianceStudy, FullGaussianMatchesClosedFormsPerLaw) {
  // J = −P is constant and strongly diagonal: one probe's variance is 2‖P‖² = 20.64 (Gaussian),
  // 2(‖P‖² − Σ P_ii²) = 4 P₁₂² = 0.64 (Rademacher) and 2·½(‖P‖² − τ²/2) = 2.32 (sphere), so the
  // laws are far apart. Orthogonal: M = 2 and 4 are exact, M = 3 is one exact block plus a lone
  // sphere probe (2.32/9).
  const std::array<double, 4> p = {3.0, 0.4, 0.4, 1.0};
  const gauss2<double> model({0.3, -0.2}, p);
  const std::vector<double> j = {-3.0, -0.4, -0.4, -1.0};
  const std::size_t n = 300;
  test_rng g(5);
  std::vector<double> x(2 * n);
  for (double& e : x) e = 2 * g.normal();
  variance_study_options opt;
  opt.probe_counts = {1, 2, 3, 4};
  opt.replicates = 64;
  opt.target_relative_error = 0.07;
  rng_stream rng(31);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);

  EXPECT_EQ(r.dimension, 2);
  EXPECT_EQ(r.samples, n);
  EXPECT_EQ(r.replicates, 64u);
  EXPECT_NEAR(r.mean_trace_squared, 16.0, 1e-13);
  // Each of the 4·4·64 passes reserved one subsequence per sample.
  EXPECT_EQ(rng.state().next_subsequence, 4u * 4u * 64u * n);
  std::vector<double> one;
  for (probe_law law : all_laws) one.push_back(one_probe(law, j, 2));
  EXPECT_NEAR(one[0], 20.64, 1e-12);
  EXPECT_NEAR(one[1], 0.64, 1e-12);
  EXPECT_NEAR(one[2], 2.32, 1e-12);
  expect_rows_match(r, opt.probe_counts, all_laws, one, 2);

  // Exact orthogonal blocks: every replicate gives tr J = −4 up to rounding (~1e-15 relative),
  // so the variance stays below (1e-11·|τ|)².
  for (std::uint32_t m : {2u, 4u}) {
    const auto& row = row_of(r, probe_law::orthogonal, m);
    EXPECT_LE(row.empirical, 1.6e-21) << m;
    EXPECT_EQ(row.closed_form, 0.0) << m;
    EXPECT_EQ(row.relative_error, 0.0) << m;
  }
  // Relative errors √(Var/τ²), and the probes needed for 7%: bound 0.07²·16 = 0.0784.
  EXPECT_NEAR(row_of(r, probe_law::gaussian, 4).relative_error, std::sqrt(20.64 / 4 / 16), 1e-12);
  ASSERT_EQ(r.needed.size(), 4u);
  for (std::size_t li = 0; li < 4; ++li) {
    EXPECT_EQ(r.needed[li].law, all_laws[li]);
    EXPECT_NEAR(r.needed[li].single_probe_variance, one[li], 1e-12 * one[li]);
    EXPECT_EQ(r.needed[li].probes, needed_by_search(all_laws[li], one[li], 16.0, 0.07, 2))
        << to_string(all_laws[li]);
  }
  EXPECT_EQ(r.needed[0].probes, 264u);  // ⌈20.64 / 0.0784⌉
  EXPECT_EQ(r.needed[1].probes, 9u);    // ⌈0.64 / 0.0784⌉
  EXPECT_EQ(r.needed[3].probes, 2u);
}

/// The mixture's score Jacobian (row-major), in closed form from its raw parameters.
std::vector<double> mixture_jacobian_of(const mixture_params<2>& p, const double* x) {
  const auto cf = mixture_closed_form<2>(p, x);
  return {cf.jac[0][0], cf.jac[0][1], cf.jac[1][0], cf.jac[1][1]};
}

TEST(ProbeVarianceStudy, MixtureMatchesClosedFormsPerLaw) {
  // gmm2 (2 dimensions, 8 components) on its own samples: J varies from point to point and is
  // mostly diagonal near a component, so Rademacher probes have far less variance than Gaussian.
  test_rng g(41);
  mixture_params<2> params;
  auto& w = params.weights;
  auto& means = params.means;
  auto& vars = params.variances;
  for (double& e : w) e = g.uniform(0.5, 1.5);
  for (double& e : means) e = 2 * g.normal();
  for (double& e : vars) e = g.uniform(0.3, 1.5);
  const gmm2<double> model(w, means, vars);
  const std::size_t n = 400;
  double w_total = 0;
  for (double e : w) w_total += e;
  std::vector<double> x(2 * n);
  for (std::size_t s = 0; s < n; ++s) {
    double u = g.uniform() * w_total;
    int c = 0;
    while (c < 7 && u >= w[c]) u -= w[c++];
    for (int i = 0; i < 2; ++i) x[2 * s + i] = means[2 * c + i] + std::sqrt(vars[2 * c + i]) * g.normal();
  }
  variance_study_options opt;
  opt.probe_counts = {1, 2, 4};
  opt.replicates = 48;
  rng_stream rng(42);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);

  std::vector<double> one(4, 0.0);
  double tau2 = 0;
  for (std::size_t s = 0; s < n; ++s) {
    const auto j = mixture_jacobian_of(params, &x[2 * s]);
    for (int li = 0; li < 4; ++li) one[li] += one_probe(all_laws[li], j, 2) / n;
    tau2 += (j[0] + j[3]) * (j[0] + j[3]) / n;
  }
  ASSERT_GT(one[0], 4 * one[1]) << "the case must separate Gaussian from Rademacher";
  EXPECT_NEAR(r.mean_trace_squared, tau2, 1e-11 * tau2);
  expect_rows_match(r, opt.probe_counts, all_laws, one, 2);
  for (std::size_t li = 0; li < 4; ++li) {
    EXPECT_EQ(r.needed[li].probes, needed_by_search(all_laws[li], one[li], tau2, 0.1, 2))
        << to_string(all_laws[li]);
  }
}

TEST(ProbeVarianceStudy, DiagonalJacobianRademacherAndFullOrthogonalBlocksAreExact) {
  // J = −diag(λ), d = 16: Rademacher probes give Σ λ_i v_i² = τ for every draw, and orthogonal
  // blocks of 16 span everything, so both have variance 0 (for M = 16 and 32); M = 5 orthogonal
  // probes keep (16 − 5)/(15·5) of the sphere value.
  std::array<double, 16> mean{}, prec{};
  for (int i = 0; i < 16; ++i) {
    mean[i] = 0.1 * i;
    prec[i] = 0.5 + 0.2 * i;
  }
  const diag_gauss16<double> model(mean, prec);
  const std::size_t n = 64;
  std::vector<double> x(16 * n, 0.25);
  std::vector<double> j(16 * 16, 0.0);
  double trace = 0;
  for (int i = 0; i < 16; ++i) {
    j[i * 16 + i] = -prec[i];
    trace -= prec[i];
  }
  variance_study_options opt;
  opt.laws = {probe_law::orthogonal, probe_law::rademacher, probe_law::gaussian};
  opt.probe_counts = {5, 16, 32};
  opt.replicates = 32;
  rng_stream rng(43);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);
  std::vector<double> one;
  for (probe_law law : opt.laws) one.push_back(one_probe(law, j, 16));
  expect_rows_match(r, opt.probe_counts, opt.laws, one, 16);
  for (std::uint32_t m : {16u, 32u}) {
    // Rounding of the Gram–Schmidt frame and of the sums: ~1e-14 relative to |τ| = 32 per
    // estimate, so the variance stays below (1e-11·|τ|)².
    EXPECT_LE(row_of(r, probe_law::orthogonal, m).empirical, 1e-22 * trace * trace) << m;
  }
  for (std::uint32_t m : {5u, 16u, 32u}) {
    // ±1 probes: every product λ_i·v_i·v_i is exact and summed in the same order.
    EXPECT_EQ(row_of(r, probe_law::rademacher, m).empirical, 0.0) << m;
  }
  EXPECT_EQ(r.needed[1].probes, 1u);  // Rademacher: exact with one probe
  EXPECT_LE(r.needed[0].probes, 16u);
  EXPECT_EQ(r.needed[0].probes, needed_by_search(probe_law::orthogonal, one[0], trace * trace,
                                                 0.1, 16));
  EXPECT_EQ(r.needed[2].probes, needed_by_search(probe_law::gaussian, one[2], trace * trace,
                                                 0.1, 16));
}

TEST(ProbeVarianceStudy, FloatModelMatchesClosedForms) {
  const gauss2<float> model({0.3f, -0.2f}, {3.0f, 0.4f, 0.4f, 1.0f});
  const double p12 = 0.4f;  // the float model's entry, exactly
  const std::vector<double> j = {-3.0, -p12, -p12, -1.0};
  test_rng g(51);
  std::vector<float> x(2 * 200);
  for (float& e : x) e = static_cast<float>(g.normal());
  variance_study_options opt;
  opt.laws = {probe_law::gaussian, probe_law::rademacher};
  opt.probe_counts = {1, 4};
  opt.replicates = 32;
  rng_stream rng(52);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);
  // The float model's divergences carry relative rounding ~1e-7, far inside 5 SE.
  expect_rows_match(r, opt.probe_counts, opt.laws,
                    {one_probe(probe_law::gaussian, j, 2), one_probe(probe_law::rademacher, j, 2)},
                    2);
}

/// The empirical column computed by hand from R separate sliced_score_matching calls.
double variance_from_separate_calls(const gmm2<double>& model, const std::vector<double>& x,
                                    probe_law law, std::uint32_t m, std::uint32_t reps,
                                    rng_stream& rng) {
  const std::size_t n = x.size() / 2;
  std::vector<std::vector<double>> est(n);
  std::vector<double> div(n * m);
  ssm_options so;
  so.probes = m;
  so.law = law;
  ssm_outputs<double> out;
  out.divergences = host_output(div.data(), div.size());
  for (std::uint32_t r = 0; r < reps; ++r) {
    sliced_score_matching(cpu(), rng, model, x, so, out);
    for (std::size_t s = 0; s < n; ++s) {
      double sum = 0;
      for (std::uint32_t j = 0; j < m; ++j) sum += div[s * m + j];
      est[s].push_back(sum / m);
    }
  }
  double total = 0;
  for (const auto& e : est) {
    double mean = 0, m2 = 0;
    for (double v : e) mean += v / reps;
    for (double v : e) m2 += (v - mean) * (v - mean);
    total += m2 / (reps - 1);
  }
  return total / n;
}

TEST(ProbeVarianceStudy, EmpiricalIsWhatRSeparateCallsGive) {
  // N = 37: all 5 replicates go through one tiled call; N = 3000: tiles of 2, 2 and 1. Either
  // way the probes are those of 5 consecutive calls on the samples, so the study equals the hand
  // computation up to the order of its sums (1e-12 relative), and the stream ends in one place.
  test_rng g(61);
  std::array<double, 8> w;
  std::array<double, 16> means, vars;
  for (double& e : w) e = g.uniform(0.5, 1.5);
  for (double& e : means) e = 2 * g.normal();
  for (double& e : vars) e = g.uniform(0.3, 1.5);
  const gmm2<double> model(w, means, vars);
  for (std::size_t n : {std::size_t{37}, std::size_t{3000}}) {
    std::vector<double> x(2 * n);
    for (double& e : x) e = 2 * g.normal();
    variance_study_options opt;
    opt.laws = {probe_law::orthogonal, probe_law::gaussian};
    opt.probe_counts = {3, 1};
    opt.replicates = 5;
    rng_stream study_rng(62), hand_rng(62);
    const auto r = probe_variance_study(cpu(), study_rng, model, x, opt);
    ASSERT_EQ(r.rows.size(), 4u);
    for (const auto& row : r.rows) {
      const double hand = variance_from_separate_calls(model, x, row.law, row.probes, 5, hand_rng);
      EXPECT_NEAR(row.empirical, hand, 1e-12 * hand)
          << "N=" << n << " " << to_string(row.law) << " M=" << row.probes;
    }
    EXPECT_EQ(study_rng.state(), hand_rng.state()) << n;
  }
}

TEST(ProbeVarianceStudy, SameStreamStateGivesTheSameStudy) {
  const gauss2<double> model({0.0, 0.0}, {2.0, 0.5, 0.5, 1.0});
  const std::vector<double> x = {0.1, 0.2, -0.3, 0.4, 1.0, -1.0};
  variance_study_options opt;
  opt.probe_counts = {1, 3};
  opt.replicates = 5;
  rng_stream a(7), b(7), c(8);
  const auto ra = probe_variance_study(cpu(), a, model, x, opt);
  const auto rb = probe_variance_study(cpu(), b, model, x, opt);
  const auto rc = probe_variance_study(cpu(), c, model, x, opt);
  ASSERT_EQ(ra.rows.size(), rb.rows.size());
  for (std::size_t k = 0; k < ra.rows.size(); ++k) {
    EXPECT_EQ(ra.rows[k].empirical, rb.rows[k].empirical) << k;
    EXPECT_EQ(ra.rows[k].std_error, rb.rows[k].std_error) << k;
  }
  EXPECT_NE(ra.rows[0].empirical, rc.rows[0].empirical);  // another seed, other probes
}

TEST(ProbeVarianceStudy, TwoReplicatesGiveAVarianceButNoStandardError) {
  const gauss2<double> model({0.0, 0.0}, {2.0, 0.5, 0.5, 1.0});
  const std::vector<double> x = {0.1, 0.2, -0.3, 0.4};
  variance_study_options opt;
  opt.laws = {probe_law::gaussian};
  opt.probe_counts = {1};
  opt.replicates = 2;
  rng_stream rng(9);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(std::isfinite(r.rows[0].empirical) && r.rows[0].empirical > 0);
  EXPECT_TRUE(std::isnan(r.rows[0].std_error));
}

TEST(ProbeVarianceStudy, TableHasARowPerLawAndCountAndTheProbesNeeded) {
  const gauss2<double> model({0.0, 0.0}, {3.0, 0.5, 0.5, 1.0});
  const std::vector<double> x = {0.1, 0.2, -0.3, 0.4, 1.0, -1.0, 0.0, 0.5};
  variance_study_options opt;
  opt.probe_counts = {1, 2, 8};
  opt.replicates = 4;
  rng_stream rng(3);
  const auto r = probe_variance_study(cpu(), rng, model, x, opt);
  const std::string table = format_variance_study(r);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(table.substr(start, end - start));
  }
  // Title, header, 4·3 rows, the probes-needed title and 4 answers.
  ASSERT_EQ(lines.size(), 2u + 12u + 1u + 4u) << table;
  EXPECT_NE(lines[0].find("d = 2, N = 4 samples, R = 4 replicates"), std::string::npos) << table;
  EXPECT_NE(lines[1].find("closed_form"), std::string::npos) << table;
  EXPECT_EQ(lines[2].rfind("gaussian", 0), 0u) << table;
  EXPECT_EQ(lines[13].rfind("orthogonal", 0), 0u) << table;
  EXPECT_NE(lines[13].find(" - "), std::string::npos) << "M = 8 orthogonal has no ratio\n" << table;
  EXPECT_NE(lines[14].find("0.1"), std::string::npos) << table;
  // τ² = 16, one-probe Gaussian variance 2‖P‖² = 21: ⌈21/0.16⌉ = 132 probes.
  EXPECT_NE(lines[15].find("gaussian"), std::string::npos) << table;
  EXPECT_NE(lines[15].find(" 132"), std::string::npos) << table;
  EXPECT_NE(lines[18].find("(M = d: exact)"), std::string::npos) << table;
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

struct bad_case {
  std::string name;
  std::string parameter;
  std::function<void(variance_study_options&, std::vector<double>&)> spoil;
  memory_space space = memory_space::host;
};

void PrintTo(const bad_case& c, std::ostream* os) { *os << c.name; }

class ProbeVarianceBadInput : public ::testing::TestWithParam<bad_case> {};

TEST_P(ProbeVarianceBadInput, ThrowsNamingTheParameterAndKeepsTheStream) {
  const bad_case& c = GetParam();
  const gauss2<double> model({0.0, 0.0}, {2.0, 0.5, 0.5, 1.0});
  std::vector<double> x = {0.1, 0.2, -0.3, 0.4, 1.0, -1.0};
  variance_study_options opt;
  opt.probe_counts = {1, 2};
  opt.replicates = 3;
  c.spoil(opt, x);
  rng_stream rng(5);
  try {
    probe_variance_study(cpu(), rng, model, input_span<double>{x.data(), x.size(), c.space}, opt);
    FAIL() << c.name << ": no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), c.parameter) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.parameter), std::string::npos) << e.what();
  }
  EXPECT_EQ(rng.state().next_subsequence, 0u) << c.name;
}

using opts = variance_study_options;
using xs = std::vector<double>;
const double nan_value = std::numeric_limits<double>::quiet_NaN();

const bad_case bad_cases[] = {
    {"no laws", "laws", [](opts& o, xs&) { o.laws.clear(); }},
    {"no probe counts", "probe_counts", [](opts& o, xs&) { o.probe_counts.clear(); }},
    {"zero probes", "probe_counts[1]", [](opts& o, xs&) { o.probe_counts = {4, 0, 2}; }},
    {"one replicate", "replicates", [](opts& o, xs&) { o.replicates = 1; }},
    {"zero replicates", "replicates", [](opts& o, xs&) { o.replicates = 0; }},
    {"zero target", "target_relative_error", [](opts& o, xs&) { o.target_relative_error = 0; }},
    {"negative target", "target_relative_error",
     [](opts& o, xs&) { o.target_relative_error = -0.1; }},
    {"NaN target", "target_relative_error",
     [](opts& o, xs&) { o.target_relative_error = nan_value; }},
    {"infinite target", "target_relative_error",
     [](opts& o, xs&) { o.target_relative_error = INFINITY; }},
    {"no samples", "samples", [](opts&, xs& x) { x.clear(); }},
    {"size not a multiple of d", "samples size", [](opts&, xs& x) { x.pop_back(); }},
    {"NaN sample", "samples[1][0]", [](opts&, xs& x) { x[2] = nan_value; }},
    {"device samples", "samples space", [](opts&, xs&) {}, memory_space::device},
};

INSTANTIATE_TEST_SUITE_P(Cases, ProbeVarianceBadInput, ::testing::ValuesIn(bad_cases),
                         [](const ::testing::TestParamInfo<bad_case>& p) {
                           return test_name(p.param.name);
                         });

TEST(ProbeVarianceBadInputValue, ZeroProbeCountReportsTheValue) {
  const gauss2<double> model({0.0, 0.0}, {2.0, 0.5, 0.5, 1.0});
  variance_study_options opt;
  opt.probe_counts = {0};
  rng_stream rng(1);
  try {
    probe_variance_study(cpu(), rng, model, std::vector<double>{0.0, 0.0}, opt);
    FAIL() << "no error";
  } catch (const invalid_argument_error& e) {
    EXPECT_EQ(e.parameter(), "probe_counts[0]");
    EXPECT_EQ(e.value(), "0");
  }
}

}  // namespace
}  // namespace scorepath
