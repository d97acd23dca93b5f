// Forward-mode dual numbers (dual.hpp): every derivative rule against central finite differences,
// K tangents against K single-tangent evaluations, and duals over SIMD packs against scalar duals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/dual.hpp"
#include "support/test_support.hpp"

namespace scorepath {
namespace {

using d1 = dual<double, 1>;
using d2 = dual<double, 2>;

/// A one-tangent variable at @p x with tangent 1.
d1 variable(double x) {
  const double seed[1] = {1.0};
  return make_dual(x, seed);
}

// Central differences (f(x+h) − f(x−h)) / 2h, the step made exactly representable ((x + h) − x).
// The step is h = 1e-5 for functions whose derivatives do not shrink with |x| (exp, sin, tanh,
// activations), and h = 1e-5·|x| for power-law functions (log, sqrt, pow, 1/x), whose k-th
// derivative scales like |x|^(p−k), so that h²|f'''|/6 stays ≈ 1e-11·|f'| at every |x|. Budget:
//  - truncation h²|f'''|/6: ≲ 3e-11 relative to |f'| at the points below (f''' = f' for the
//    exponential-type tails, |f'''| ≤ 1 for sin and cos, ≈ |f'|·p²/x² for power laws);
//  - rounding: each f value is within ~1 ULP, so ≤ 2ε|f|/(2h) = ε|f|/h.
// The tolerance 1e-7·|f'| + 4ε|f|/h covers both with a wide margin, while a wrong derivative rule
// is off by O(1) relative.
constexpr double rtol = 1e-7;

template <class F>
void expect_matches_central_difference(const char* name, F f, double x, bool relative_step) {
  const double s = relative_step && x != 0.0 ? std::fabs(x) : 1.0;
  const volatile double xph = x + 1e-5 * s;
  const double h = xph - x;
  const double fd = (f(x + h) - f(x - h)) / (2 * h);
  const double fx = f(x);
  const d1 r = f(variable(x));
  ASSERT_TRUE(std::isfinite(r.val) && std::isfinite(r.tan[0])) << name << " at " << x;
  // The dual's value is the plain function's value (same operations on the primal).
  EXPECT_DOUBLE_EQ(r.val, fx) << name << " at " << x;
  const double tol = rtol * std::fabs(fd) + 4 * DBL_EPSILON * std::fabs(fx) / h;
  EXPECT_NEAR(r.tan[0], fd, tol) << name << " at " << x << " (value " << fx << ")";
}

template <class F>
void check_points(const char* name, F f, std::initializer_list<double> points,
                  bool relative_step = false) {
  for (double x : points) expect_matches_central_difference(name, f, x, relative_step);
}

TEST(DualDerivatives, ElementaryFunctionsMatchCentralDifferences) {
  check_points("exp", [](auto x) { return math::exp(x); }, {-30.0, -2.0, -0.3, 0.0, 0.7, 5.0, 30.0});
  check_points("expm1", [](auto x) { return math::expm1(x); },
               {-20.0, -1.0, -1e-3, 1e-3, 0.5, 4.0, 25.0});
  check_points("log", [](auto x) { return math::log(x); }, {1e-3, 0.2, 1.0, 3.5, 1e3, 1e8}, true);
  // log1p's scale is |1 + x|: a fixed step near −1 and at small |x|, relative far out.
  check_points("log1p", [](auto x) { return math::log1p(x); }, {-0.9, -0.25, -1e-4, 1e-4, 2.0});
  check_points("log1p", [](auto x) { return math::log1p(x); }, {1e3, 1e6}, true);
  check_points("sqrt", [](auto x) { return math::sqrt(x); }, {1e-4, 0.25, 1.0, 2.0, 100.0, 1e6},
               true);
  check_points("tanh", [](auto x) { return math::tanh(x); },
               {-20.0, -3.0, -0.5, 0.0, 0.4, 2.5, 20.0});
  check_points("sin", [](auto x) { return math::sin(x); }, {-7.0, -1.0, 0.0, 0.5, 2.0, 100.0});
  check_points("cos", [](auto x) { return math::cos(x); }, {-7.0, -1.0, 0.0, 0.5, 2.0, 100.0});
  check_points("abs", [](auto x) { return math::abs(x); }, {-50.0, -2.0, -0.1, 0.1, 3.0, 1e4},
               true);
}

TEST(DualDerivatives, ActivationsMatchCentralDifferencesOnBothSidesAndInTheTails) {
  check_points("sigmoid", [](auto x) { return math::sigmoid(x); },
               {-40.0, -10.0, -1.5, 0.0, 0.8, 6.0, 40.0});
  check_points("softplus", [](auto x) { return math::softplus(x); },
               {-30.0, -5.0, -0.7, 0.0, 0.3, 4.0, 30.0});
  check_points("silu", [](auto x) { return math::silu(x); },
               {-30.0, -4.0, -1.0, 0.0, 0.6, 3.0, 30.0});
  check_points("elu", [](auto x) { return math::elu(x); },
               {-30.0, -3.0, -0.5, -1e-3, 1e-3, 0.5, 3.0, 50.0});
}

TEST(DualDerivatives, ActivationsStayFiniteFarOutInTheTails) {
  // Far in the tails (e^{±800} overflows double): the rules must not produce inf·0 or inf/inf.
  for (double x : {-800.0, -100.0, 100.0, 800.0}) {
    for (const d1& r : {math::sigmoid(variable(x)), math::softplus(variable(x)),
                        math::silu(variable(x)), math::elu(variable(x)),
                        math::tanh(variable(x))}) {
      EXPECT_TRUE(std::isfinite(r.val)) << x;
      EXPECT_TRUE(std::isfinite(r.tan[0])) << x;
    }
    // Limits of the derivatives there (the neglected terms are below e^-100 ≈ 4e-44):
    // sigmoid' → 0, softplus' = sigmoid → [x > 0], elu' → [x > 0], tanh' → 0.
    EXPECT_NEAR(math::sigmoid(variable(x)).tan[0], 0.0, 1e-40) << x;
    EXPECT_NEAR(math::softplus(variable(x)).tan[0], x > 0 ? 1.0 : 0.0, 1e-40) << x;
    EXPECT_NEAR(math::elu(variable(x)).tan[0], x > 0 ? 1.0 : 0.0, 1e-40) << x;
    EXPECT_NEAR(math::tanh(variable(x)).tan[0], 0.0, 1e-40) << x;
  }
}

TEST(DualDerivatives, PowerWithConstantExponentMatchesCentralDifferences) {
  for (double p : {-1.5, 0.5, 2.0, 2.5, 3.0}) {
    const std::string name = "pow(x, " + std::to_string(p) + ")";
    check_points(name.c_str(), [p](auto x) { return math::pow(x, p); }, {0.01, 0.5, 1.0, 3.0, 50.0},
                 true);
  }
}

TEST(DualDerivatives, ArithmeticWithConstantsMatchesCentralDifferences) {
  check_points("x + c", [](auto x) { return x + 3.25; }, {-2.0, 0.5});
  check_points("c + x", [](auto x) { return 3.25 + x; }, {-2.0, 0.5});
  check_points("x - c", [](auto x) { return x - 3.25; }, {-2.0, 0.5});
  check_points("c - x", [](auto x) { return 3.25 - x; }, {-2.0, 0.5});
  check_points("x * c", [](auto x) { return x * 3.25; }, {-2.0, 0.5});
  check_points("c * x", [](auto x) { return 3.25 * x; }, {-2.0, 0.5});
  check_points("x * int", [](auto x) { return x * 3; }, {-2.0, 0.5});
  check_points("x / c", [](auto x) { return x / 3.25; }, {-2.0, 0.5});
  check_points("c / x", [](auto x) { return 3.25 / x; }, {-2.0, 0.01, 0.5, 40.0}, true);
  check_points("-x", [](auto x) { return -x; }, {-2.0, 0.5});
  check_points("x*x*x - 2x + 1/x", [](auto x) { return x * x * x - 2.0 * x + 1.0 / x; },
               {-3.0, -0.4, 0.7, 12.0}, true);
  check_points("compound assignment",
               [](auto x) {
                 auto y = x;
                 y *= x;          // x²
                 y += 2.0 * x;    // x² + 2x
                 y -= x / 4.0;    // x² + 1.75x
                 y /= (x + 10.0);  // (x² + 1.75x)/(x + 10)
                 return y;
               },
               {-3.0, 0.5, 7.0}, true);
}

// Binary operations differentiated in both arguments at once: tangent 0 seeds a, tangent 1 seeds b.
template <class F>
void expect_partials(const char* name, F f, double a, double b) {
  const double ha = 1e-5 * std::max(1.0, std::fabs(a));
  const double hb = 1e-5 * std::max(1.0, std::fabs(b));
  const double fd_a = (f(a + ha, b) - f(a - ha, b)) / (2 * ha);
  const double fd_b = (f(a, b + hb) - f(a, b - hb)) / (2 * hb);
  const double fab = f(a, b);
  const double seed_a[2] = {1.0, 0.0}, seed_b[2] = {0.0, 1.0};
  const d2 r = f(make_dual(a, seed_a), make_dual(b, seed_b));
  EXPECT_DOUBLE_EQ(r.val, fab) << name;
  // Same error budget as the one-variable case (truncation ≲ 3e-8 relative, rounding ε|f|/h).
  EXPECT_NEAR(r.tan[0], fd_a, rtol * std::fabs(fd_a) + 4 * DBL_EPSILON * std::fabs(fab) / ha)
      << name << " d/da at (" << a << ", " << b << ")";
  EXPECT_NEAR(r.tan[1], fd_b, rtol * std::fabs(fd_b) + 4 * DBL_EPSILON * std::fabs(fab) / hb)
      << name << " d/db at (" << a << ", " << b << ")";
}

TEST(DualDerivatives, BinaryOperationsMatchPartialCentralDifferences) {
  const double points[][2] = {{1.5, 2.0}, {-0.7, 3.1}, {4.0, -0.25}, {0.3, 0.9}};
  for (const auto& p : points) {
    expect_partials("a + b", [](auto a, auto b) { return a + b; }, p[0], p[1]);
    expect_partials("a - b", [](auto a, auto b) { return a - b; }, p[0], p[1]);
    expect_partials("a * b", [](auto a, auto b) { return a * b; }, p[0], p[1]);
    expect_partials("a / b", [](auto a, auto b) { return a / b; }, p[0], p[1]);
    expect_partials("max(a, b)", [](auto a, auto b) { return math::max(a, b); }, p[0], p[1]);
  }
  // x^y with both differentiated (x > 0), including a negative exponent and a large base.
  const double pow_points[][2] = {{0.5, 2.5}, {2.0, -1.5}, {3.0, 0.5}, {40.0, 1.7}, {1.0, 3.0}};
  for (const auto& p : pow_points) {
    expect_partials("pow(x, y)", [](auto x, auto y) { return math::pow(x, y); }, p[0], p[1]);
  }
}

// ---------------------------------------------------------------------------------------------
// A composite function that touches every rule (both branches of abs, elu and max among the
// inputs used below), written once for any dual type. Returns the terms separately so that the
// pack comparison can judge each against its own magnitude.
// ---------------------------------------------------------------------------------------------
constexpr int composite_terms = 15;

template <class Dual>
inline __attribute__((always_inline)) void composite(const Dual& x, const Dual& y, Dual (&t)[composite_terms]) {
  using V = std::decay_t<decltype(x.val)>;
  t[0] = math::exp(x * 0.3) * math::sigmoid(y);
  t[1] = math::log1p(x * x);
  t[2] = math::sqrt(y * y + 1.0) * math::tanh(x * 0.5);
  t[3] = math::softplus(x - y);
  t[4] = math::silu(y * 2.0);
  t[5] = math::elu(x);
  t[6] = math::abs(y);
  t[7] = math::sin(x) * math::cos(y);
  t[8] = math::pow(x * x + 1.0, V(1.5));
  t[9] = math::pow(y * y + 1.0, x * 0.1 + 0.5);
  t[10] = x / (math::cos(y) + 2.0);
  t[11] = math::expm1(y * 0.2);
  t[12] = math::log(math::sin(x) + 2.0);
  t[13] = math::max(x, y);
  t[14] = (x - 1.0) * (y + 2.0) - 3.0 * x + y / 4.0;
}

template <class Dual>
inline __attribute__((always_inline)) Dual composite_sum(const Dual& x, const Dual& y) {
  Dual t[composite_terms];
  composite(x, y, t);
  Dual sum = t[0];
  for (int i = 1; i < composite_terms; ++i) sum = sum + t[i];
  return sum;
}

using test_support::same_bits;

const double tangent_xs[] = {-2.5, -0.3, 0.4, 1.7, 3.1};
const double tangent_ys[] = {1.1, -0.7, 0.2, -1.9, 2.2};
const double seeds_x[3] = {1.0, 0.0, 0.3}, seeds_y[3] = {0.0, 1.0, -0.7};

// The composite with 3 tangents, and with tangent k alone, defined twice so that the enclosing
// function's floating-point contraction setting decides how the always-inlined body is compiled.
#define SCOREPATH_TEST_TANGENT_EVALS(suffix)                                                    \
  dual<double, 3> eval3_##suffix(int p) {                                                     \
    return composite_sum(make_dual(tangent_xs[p], seeds_x), make_dual(tangent_ys[p], seeds_y)); \
  }                                                                                           \
  d1 eval1_##suffix(int p, int k) {                                                           \
    const double sxk[1] = {seeds_x[k]}, syk[1] = {seeds_y[k]};                                \
    return composite_sum(make_dual(tangent_xs[p], sxk), make_dual(tangent_ys[p], syk));       \
  }

// Under the project's flags (-march=native gives FMA, and GCC's default is -ffp-contract=fast) the
// compiler may fuse a·b + c·d into fma(a, b, c·d) differently in the 3-tangent and the 1-tangent
// code, which changes last bits (observed: 1–3 ULP). In IEEE arithmetic
// without contraction the two must agree bitwise, so one pair of evaluations is compiled with
// contraction off.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
SCOREPATH_TEST_TANGENT_EVALS(ieee)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
SCOREPATH_TEST_TANGENT_EVALS(default_flags)

TEST(DualTangents, ThreeTangentsEqualThreeSingleTangentEvaluationsBitwise) {
  for (int p = 0; p < 5; ++p) {
    const dual<double, 3> r3 = eval3_ieee(p);
    for (int k = 0; k < 3; ++k) {
      const d1 r1 = eval1_ieee(p, k);
      // The same floating-point operations run per tangent, so the results agree to the bit.
      EXPECT_TRUE(same_bits(r3.val, r1.val)) << r3.val << " vs " << r1.val;
      EXPECT_TRUE(same_bits(r3.tan[k], r1.tan[0]))
          << "point " << p << " tangent " << k << ": " << r3.tan[k] << " vs " << r1.tan[0];
    }
    // And the directional derivative is the seed combination of the two partials (linearity;
    // rounding of a sum of ~15 O(1–10) terms: 1e-13 relative).
    EXPECT_NEAR(r3.tan[2], 0.3 * r3.tan[0] - 0.7 * r3.tan[1],
                1e-13 * (std::fabs(r3.tan[0]) + std::fabs(r3.tan[1])));
  }
}

TEST(DualTangents, ThreeTangentsAgreeWithSingleTangentsToRoundingUnderLibraryFlags) {
  // With contraction allowed, only rounding-level differences may remain: a fused product-sum
  // differs from the unfused one by ≤ 1 ULP of each product, carried through ~15 terms of size
  // O(1–10); 64 ULP of max(1, |value|) bounds that and still catches any mixing of tangents.
  for (int p = 0; p < 5; ++p) {
    const dual<double, 3> r3 = eval3_default_flags(p);
    for (int k = 0; k < 3; ++k) {
      const d1 r1 = eval1_default_flags(p, k);
      EXPECT_NEAR(r3.val, r1.val, 64 * DBL_EPSILON * std::max(1.0, std::fabs(r1.val)));
      EXPECT_NEAR(r3.tan[k], r1.tan[0], 64 * DBL_EPSILON * std::max(1.0, std::fabs(r1.tan[0])))
          << "point " << p << " tangent " << k;
    }
  }
}

TEST(DualTangents, CompositeMatchesCentralDifferences) {
  // The composite's gradient against central differences (same error budget as above).
  const double xs[] = {-2.5, -0.3, 0.4, 1.7, 3.1};
  const double ys[] = {1.1, -0.7, 0.2, -1.9, 2.2};
  for (int p = 0; p < 5; ++p) {
    expect_partials(
        "composite",
        [](auto x, auto y) {
          if constexpr (std::is_same_v<decltype(x), double>) {
            const double sx[1] = {0.0};
            return composite_sum(make_dual(x, sx), make_dual(y, sx)).val;
          } else {
            return composite_sum(x, y);
          }
        },
        xs[p], ys[p]);
  }
}

// ---------------------------------------------------------------------------------------------
// Duals over SIMD packs.
// ---------------------------------------------------------------------------------------------
using fpack = simd::pack<float, simd::float_lanes>;
constexpr int W = fpack::lanes;

TEST(DualSimd, PackDualEqualsScalarDualLaneByLaneToAFewUlp) {
  // Lanes mix signs, so elu, abs and max take different branches within one pack.
  const float base_x[] = {-2.5f, -1.2f, -0.3f, 0.4f, 0.9f, 1.7f, 2.6f, 3.1f};
  const float base_y[] = {1.1f, -0.7f, 0.2f, -1.9f, 2.2f, 0.6f, -0.4f, -2.8f};
  std::vector<float> xs, ys;
  for (int i = 0; i < 2 * W; ++i) {
    xs.push_back(base_x[i % 8] + 0.01f * static_cast<float>(i / 8));
    ys.push_back(base_y[(i + 3) % 8] - 0.02f * static_cast<float>(i / 8));
  }
  const float sx[2] = {1.0f, 0.25f}, sy[2] = {-0.5f, 1.0f};
  double worst = 0.0;
  for (std::size_t g = 0; g + W <= xs.size(); g += W) {
    const fpack sxp[2] = {fpack(sx[0]), fpack(sx[1])}, syp[2] = {fpack(sy[0]), fpack(sy[1])};
    dual<fpack, 2> tp[composite_terms];
    composite(make_dual(fpack::load(&xs[g]), sxp), make_dual(fpack::load(&ys[g]), syp),
                     tp);
    for (int l = 0; l < W; ++l) {
      dual<float, 2> ts[composite_terms];
      composite(make_dual(xs[g + l], sx), make_dual(ys[g + l], sy), ts);
      for (int i = 0; i < composite_terms; ++i) {
        // SIMD math (SLEEF ≤ 1 ULP, inlined log ≤ 2 ULP) against std math (≤ 1 ULP), through a
        // handful of dependent operations: each term's value and tangents must agree to 4 ULP of
        // max(|scalar|, 1) (terms are O(1–10); the floor keeps tiny results from a relative test).
        const float got[3] = {tp[i].val[l], tp[i].tan[0][l], tp[i].tan[1][l]};
        const float want[3] = {ts[i].val, ts[i].tan[0], ts[i].tan[1]};
        for (int c = 0; c < 3; ++c) {
          const double ulps = std::fabs(static_cast<double>(got[c]) - want[c]) /
                              (FLT_EPSILON * std::max(1.0, std::fabs(static_cast<double>(want[c]))));
          worst = std::max(worst, ulps);
          EXPECT_LE(ulps, 4.0) << "term " << i << " part " << c << " lane " << g + l << ": "
                               << got[c] << " vs " << want[c];
        }
      }
    }
  }
  // Report the worst agreement seen, for the record.
  RecordProperty("worst_ulps", std::to_string(worst));
}

/// abs of a dual over a pack of lanes T: in each lane the value is |x| and every tangent is the
/// input tangent times sign(x), the same as the scalar dual's abs; at 0 (either sign) the rule
/// keeps the tangents (the derivative from the right), as the scalar dual does.
template <class T>
void expect_pack_abs() {
  using pack = simd::pack<T, std::is_same_v<T, float> ? simd::float_lanes : simd::double_lanes>;
  constexpr int lanes = pack::lanes;
  // Negative, positive and zero points in every pack, in rotating positions.
  const T points[] = {T(-2.5), T(0), T(3.25), T(-1e-30), T(7e20), T(-0.0), T(-4), T(0.125)};
  constexpr int n_points = sizeof(points) / sizeof(points[0]);
  for (int shift = 0; shift < n_points; ++shift) {
    T xs[lanes], t0[lanes], t1[lanes];
    for (int l = 0; l < lanes; ++l) {
      xs[l] = points[(l + shift) % n_points];
      t0[l] = T(1.5) + T(l);      // distinct tangents per lane, both signs
      t1[l] = T(-0.75) * T(l + 1);
    }
    dual<pack, 2> x(pack::load(xs));
    x.tan[0] = pack::load(t0);
    x.tan[1] = pack::load(t1);
    const dual<pack, 2> r = math::abs(x);
    for (int l = 0; l < lanes; ++l) {
      const T v = xs[l];
      EXPECT_EQ(r.val[l], std::fabs(v)) << "lane " << l << " at " << v;
      const T sign = v < T(0) ? T(-1) : T(1);
      EXPECT_EQ(r.tan[0][l], sign * t0[l]) << "lane " << l << " at " << v;
      EXPECT_EQ(r.tan[1][l], sign * t1[l]) << "lane " << l << " at " << v;
      // And the scalar dual gives the same, lane by lane.
      const T seeds[2] = {t0[l], t1[l]};
      const dual<T, 2> scalar = math::abs(make_dual(v, seeds));
      EXPECT_EQ(r.val[l], scalar.val) << "lane " << l << " at " << v;
      EXPECT_EQ(r.tan[0][l], scalar.tan[0]) << "lane " << l << " at " << v;
      EXPECT_EQ(r.tan[1][l], scalar.tan[1]) << "lane " << l << " at " << v;
    }
  }
}

TEST(DualSimd, AbsOfPackDualsNegatesValueAndTangentsOnlyInNegativeLanes) {
  expect_pack_abs<float>();
  expect_pack_abs<double>();
}

}  // namespace
}  // namespace scorepath
