// Probe laws as types (probes.hpp, concepts.hpp): the four named law types give the numbers of
// the enum bit for bit, and a user-supplied law (coordinate probes √D·e_k, k uniform) is drawn
// by sliced_score_matching, on scalar lanes and SIMD packs, with the unbiased divergence its law
// implies (E[vᵀJv] = tr J).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/concepts.hpp"
#include "support/ssm_test_support.hpp"

namespace scorepath {
namespace {

using namespace test_support;

/// v = √D·e_k with k uniform on {0, …, D − 1}: k is the coordinate of the largest |n_i| among
/// D standard normals (each equally likely by symmetry). E[v vᵀ] = D·diag(1/D) = I.
struct coordinate_probes {
  template <class R, int D>
  class generator {
   public:
    SCOREPATH_HDI generator(std::uint32_t, std::uint64_t seed, const lane_word_t<R>& sub_lo,
                            const lane_word_t<R>& sub_hi)
        : normals_(seed, sub_lo, sub_hi) {}
    SCOREPATH_HDI void next(vec<R, D>& v) {
      vec<R, D> size;
      R largest = R(-1);
      for (int i = 0; i < D; ++i) {
        size[i] = math::abs(normals_.next());
        largest = math::max(largest, size[i]);
      }
      const R root_d = R(std::sqrt(static_cast<double>(D)));
      for (int i = 0; i < D; ++i) v[i] = math::select(size[i] >= largest, root_d, R(0));
    }

   private:
    philox_normals<R> normals_;
  };
};

/// A type with no generator: not a probe law.
struct not_a_probe_law {};

static_assert(is_probe_law_type<gaussian_probes, 4, double, true>::value);
static_assert(is_probe_law_type<orthogonal_probes, 3, float, true>::value);
static_assert(is_probe_law_type<coordinate_probes, 4, double, true>::value);
static_assert(!is_probe_law_type<not_a_probe_law, 4, double>::value);
static_assert(is_named_probe_law<sphere_probes>::value);
static_assert(!is_named_probe_law<coordinate_probes>::value);

template <probe_law L>
void expect_named_type_equals_enum(const gaussian_score<double, 5>& model,
                                   const std::vector<double>& x) {
  ssm_options opt;
  opt.probes = 6;
  opt.exact_ism = true;
  opt.law = L;
  rng_stream by_enum(77);
  const auto a = run_ssm(cpu(), by_enum, model, x, opt);
  // The law type decides; opt.law is not read (set it to another law to show that).
  opt.law = L == probe_law::gaussian ? probe_law::rademacher : probe_law::gaussian;
  rng_stream by_type(77);
  const auto b = run_ssm(cpu(), by_type, model, named_probe_law<L>{}, x, opt);
  EXPECT_TRUE(same_bits(a.probes, b.probes)) << to_string(L);
  EXPECT_TRUE(same_bits(a.projections, b.projections)) << to_string(L);
  EXPECT_TRUE(same_bits(a.divergences, b.divergences)) << to_string(L);
  EXPECT_TRUE(same_bits(a.report.ssm.value, b.report.ssm.value)) << to_string(L);
  EXPECT_TRUE(same_bits(a.report.ssm_vr.value, b.report.ssm_vr.value)) << to_string(L);
  EXPECT_TRUE(same_bits(a.report.ism->value, b.report.ism->value)) << to_string(L);
  EXPECT_EQ(by_enum.state().next_subsequence, by_type.state().next_subsequence);
}

TEST(ProbeLawTypes, NamedTypesGiveTheEnumsNumbersBitForBit) {
  const auto model = random_gaussian<5>(4);
  test_rng g(8);
  std::vector<double> x(29 * 5);  // 29 samples: a partial pack at the end
  for (double& e : x) e = g.normal();
  expect_named_type_equals_enum<probe_law::gaussian>(model, x);
  expect_named_type_equals_enum<probe_law::rademacher>(model, x);
  expect_named_type_equals_enum<probe_law::sphere>(model, x);
  expect_named_type_equals_enum<probe_law::orthogonal>(model, x);
}

/// A Gaussian score with the same parameters that the CPU runs on scalar lanes.
struct scalar_lane_gaussian {
  static constexpr int dim = 5;
  static constexpr bool vectorizable = false;
  using scalar_type = double;
  gaussian_score<double, 5> inner;
  template <class R>
  vec<R, 5> operator()(const vec<R, 5>& x) const {
    return inner(x);
  }
};

template <class Model>
void expect_coordinate_probes_unbiased(const Model& model, const gaussian_score<double, 5>& g5) {
  constexpr int D = 5;
  const double root_d = std::sqrt(double(D));
  const std::size_t n = 20000;
  test_rng g(21);
  std::vector<double> x(n * D);
  for (double& e : x) e = g.normal();
  ssm_options opt;
  opt.probes = 3;
  opt.exact_ism = true;
  rng_stream rng(5);
  const auto r = run_ssm(cpu(), rng, model, coordinate_probes{}, x, opt);

  // Every probe is √D·e_k, and the coordinates are drawn equally often.
  std::vector<double> hits(D, 0.0);
  for (std::size_t p = 0; p < n * opt.probes; ++p) {
    int nonzero = 0;
    for (int i = 0; i < D; ++i) {
      const double v = r.probes[p * D + i];
      if (v != 0.0) {
        ASSERT_EQ(v, root_d) << p << "," << i;
        ++nonzero;
        hits[i] += 1;
      }
    }
    ASSERT_EQ(nonzero, 1) << p;
  }
  const double draws = double(n * opt.probes), share = 1.0 / D;
  for (int i = 0; i < D; ++i) {
    // Binomial count: 5 standard errors.
    EXPECT_NEAR(hits[i] / draws, share, 5 * std::sqrt(share * (1 - share) / draws)) << i;
  }

  // vᵀJv = −D·P_kk, exactly, and its mean is −tr P within Monte Carlo error.
  double trace_p = 0;
  for (int i = 0; i < D; ++i) trace_p += g5.precision(i, i);
  std::vector<double> divergences(r.divergences.begin(), r.divergences.end());
  for (std::size_t p = 0; p < divergences.size(); ++p) {
    int k = 0;
    while (r.probes[p * D + k] == 0.0) ++k;
    EXPECT_NEAR(divergences[p], -D * g5.precision(k, k), 1e-12 * D * g5.precision(k, k)) << p;
  }
  const mean_se div = stats(divergences);
  EXPECT_NEAR(div.mean, -trace_p, 5 * div.se);
  // SSM-VR and exact ISM agree in expectation: their per-sample difference has mean 0.
  std::vector<double> gap(n);
  for (std::size_t s = 0; s < n; ++s) gap[s] = r.ssm_vr_ps[s] - r.ism_ps[s];
  const mean_se d = stats(gap);
  EXPECT_NEAR(d.mean, 0.0, 5 * d.se);
  EXPECT_GT(d.se, 0.0);
}

TEST(ProbeLawTypes, UserLawIsDrawnOnPacksAndScalarLanesWithItsOwnUnbiasedDivergence) {
  const auto g5 = random_gaussian<5>(11);
  expect_coordinate_probes_unbiased(g5, g5);
  expect_coordinate_probes_unbiased(scalar_lane_gaussian{g5}, g5);
}

TEST(ProbeLawTypes, UserLawResultsDoNotDependOnTheThreadCount) {
  const auto model = random_gaussian<5>(2);
  test_rng g(3);
  std::vector<double> x(5000 * 5);
  for (double& e : x) e = g.normal();
  ssm_options opt;
  opt.probes = 2;
  opt.chunk_samples = 1024;
  rng_stream one(9), two(9);
  const auto a = run_ssm(cpu(1), one, model, coordinate_probes{}, x, opt);
  const auto b = run_ssm(cpu(2), two, model, coordinate_probes{}, x, opt);
  EXPECT_TRUE(same_bits(a.divergences, b.divergences));
  EXPECT_TRUE(same_bits(a.report.ssm.value, b.report.ssm.value));
  EXPECT_TRUE(same_bits(a.report.ssm.std_error, b.report.ssm.std_error));
}

TEST(ProbeLawTypes, UserLawIsCheckedLikeTheNamedOnes) {
  const auto model = random_gaussian<5>(2);
  std::vector<double> x(4 * 5, 0.5);
  ssm_options opt;
  opt.probes = 0;
  rng_stream rng(1);
  EXPECT_THROW(sliced_score_matching(cpu(), rng, model, coordinate_probes{}, x, opt),
               invalid_argument_error);
  EXPECT_EQ(rng.state().next_subsequence, 0u);  // nothing drawn
}

}  // namespace
}  // namespace scorepath
