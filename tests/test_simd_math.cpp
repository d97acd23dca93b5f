// Accuracy of the inlined float log, sincospi, exp_nonpositive, softplus and sigmoid of SIMD packs
// (simd_float_math.hpp), measured in ULP against double-precision references, and their fallback
// off the fast domain.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "scorepath/dual.hpp"
#include "scorepath/math.hpp"

namespace scorepath {
namespace {

using Pack = simd::pack<float, simd::float_lanes>;
constexpr int W = Pack::lanes;

/// Distance in float ULPs between @p got and the double reference @p ref.
double ulp_error(float got, double ref) {
  const float ref_f = static_cast<float>(ref);
  const double ulp = std::nextafter(std::fabs(ref_f), INFINITY) - std::fabs(ref_f);
  return std::fabs(static_cast<double>(got) - ref) / ulp;
}

/// Applies a pack function to @p xs lane group by lane group.
template <class F>
std::vector<float> apply_lanes(const std::vector<float>& xs, F f) {
  std::vector<float> out(xs.size());
  for (std::size_t i = 0; i + W <= xs.size(); i += W) f(Pack::load(&xs[i])).store(&out[i]);
  return out;
}

TEST(SimdMath, LogWithinTwoUlpOnUnitIntervalAndBeyond) {
  std::vector<float> xs;
  for (std::uint32_t w = 1; w < 4000000; w += 3) xs.push_back(w * 2.3283064365386963e-10f * 1024);
  for (int e = -120; e <= 120; ++e) {
    for (float m : {1.0f, 1.2f, 1.41421f, 1.5f, 1.9999f}) xs.push_back(std::ldexp(m, e));
  }
  while (xs.size() % W != 0) xs.push_back(1.0f);
  const auto got = apply_lanes(xs, [](const Pack& p) { return math::log(p); });
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double ref = std::log(static_cast<double>(xs[i]));
    if (ref == 0.0) {
      EXPECT_EQ(got[i], 0.0f);
      continue;
    }
    worst = std::max(worst, ulp_error(got[i], ref));
  }
  EXPECT_LE(worst, 2.0) << "worst log error in ULP";
}

TEST(SimdMath, SincospiWithinTwoUlpOfTheLargerValue) {
  std::vector<float> xs;
  for (int i = -400000; i <= 400000; i += 7) xs.push_back(i * 1.0e-5f);
  for (float big : {1000.25f, -77777.5f, 4194303.0f, 123.456f}) xs.push_back(big);
  while (xs.size() % W != 0) xs.push_back(0.0f);
  std::vector<float> s(xs.size()), c(xs.size());
  for (std::size_t i = 0; i < xs.size(); i += W) {
    Pack ps, pc;
    math::sincospi(Pack::load(&xs[i]), ps, pc);
    ps.store(&s[i]);
    pc.store(&c[i]);
  }
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    // Reference with exact reduction: x mod 2 is exact in double for these floats.
    const double r = std::fmod(static_cast<double>(xs[i]), 2.0) * M_PI;
    // Absolute error in ULPs of 1 (sin/cos near zero crossings are judged on that scale).
    worst = std::max(worst, std::fabs(s[i] - std::sin(r)) / 5.96e-8);
    worst = std::max(worst, std::fabs(c[i] - std::cos(r)) / 5.96e-8);
  }
  EXPECT_LE(worst, 2.0) << "worst sincospi error in ULP of 1";
}

TEST(SimdMath, OffDomainLanesFallBackToTheLibrary) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float in[W];
  const float specials[] = {0.0f, -1.0f, inf, nan, 1e-40f, 2.0f, -0.0f, 3e38f};
  for (int i = 0; i < W; ++i) in[i] = specials[i % 8];
  float out[W];
  math::log(Pack::load(in)).store(out);
  for (int i = 0; i < W; ++i) {
    const float ref = std::log(in[i]);
    if (std::isnan(ref)) {
      EXPECT_TRUE(std::isnan(out[i])) << "lane " << i;
    } else if (std::isinf(ref)) {
      EXPECT_EQ(out[i], ref) << "lane " << i;
    } else {
      EXPECT_NEAR(out[i], ref, std::fabs(ref) * 1e-6f) << "lane " << i;
    }
  }
  float big[W], s[W], c[W];
  for (int i = 0; i < W; ++i) big[i] = (i % 2 ? 1.0e8f : 0.5f);
  Pack ps, pc;
  math::sincospi(Pack::load(big), ps, pc);
  ps.store(s);
  pc.store(c);
  for (int i = 0; i < W; ++i) {
    EXPECT_NEAR(s[i], i % 2 ? 0.0f : 1.0f, 1e-6f);
    EXPECT_NEAR(c[i], i % 2 ? 1.0f : 0.0f, 1e-6f);
  }
}

/// softplus and sigmoid in double, written so neither overflows.
double softplus_reference(double x) {
  return std::fmax(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
}
double sigmoid_reference(double x) {
  const double e = std::exp(-std::fabs(x));
  return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

TEST(SimdMath, SoftplusAndSigmoidWithinThreeUlpAboveMinus87) {
  std::vector<float> xs;
  for (int i = -1500000; i <= 1500000; i += 3) xs.push_back(i * 7.3e-5f);  // [−110, 110]
  for (float x : {1e-30f, -1e-30f, 1e-8f, -1e-8f, 86.9f, -86.9f, 87.1f, -87.1f, 0.0f, -0.0f}) {
    xs.push_back(x);
  }
  while (xs.size() % W != 0) xs.push_back(0.5f);
  const auto sp = apply_lanes(xs, [](const Pack& p) { return math::softplus(p); });
  const auto sg = apply_lanes(xs, [](const Pack& p) { return math::sigmoid(p); });
  double worst_softplus = 0, worst_sigmoid = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (xs[i] < -87.0f) {  // flushed to 0 where the value is under 1.7e-38
      EXPECT_LE(sp[i], 1.7e-38f) << xs[i];
      EXPECT_LE(sg[i], 1.7e-38f) << xs[i];
      continue;
    }
    worst_softplus = std::max(worst_softplus, ulp_error(sp[i], softplus_reference(xs[i])));
    worst_sigmoid = std::max(worst_sigmoid, ulp_error(sg[i], sigmoid_reference(xs[i])));
  }
  EXPECT_LE(worst_softplus, 3.0) << "worst softplus error in ULP";
  EXPECT_LE(worst_sigmoid, 3.0) << "worst sigmoid error in ULP";
}

TEST(SimdMath, SoftplusAndSigmoidOfInfiniteAndNanLanes) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float in[W];
  const float specials[] = {inf, -inf, nan, 200.0f, -200.0f, 1.0f, -1.0f, 0.0f};
  for (int i = 0; i < W; ++i) in[i] = specials[i % 8];
  float sp[W], sg[W];
  math::softplus(Pack::load(in)).store(sp);
  math::sigmoid(Pack::load(in)).store(sg);
  for (int i = 0; i < W; ++i) {
    const double x = in[i];
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(sp[i]) && std::isnan(sg[i])) << "lane " << i;
      continue;
    }
    const double ref = softplus_reference(x);
    if (std::isinf(ref)) {
      EXPECT_EQ(sp[i], ref) << "lane " << i;
    } else {
      EXPECT_LE(ulp_error(sp[i], ref), 3.0) << "lane " << i;
    }
    EXPECT_LE(ulp_error(sg[i], sigmoid_reference(x)), 3.0) << "lane " << i;
  }
}

TEST(SimdMath, ExpNonpositiveWithinTwoUlpAboveMinus87) {
  std::vector<float> xs;
  for (int i = 0; i <= 1500000; ++i) xs.push_back(i * -7.3e-5f);  // [−109.5, 0]
  for (float x : {-0.0f, -1e-30f, -1e-8f, -86.9f, -87.1f, -0.5f * 0.693147182f}) xs.push_back(x);
  while (xs.size() % W != 0) xs.push_back(-0.5f);
  const auto e = apply_lanes(xs, [](const Pack& p) { return math::exp_nonpositive(p); });
  double worst = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (xs[i] < -87.0f) {  // flushed to 0 where the value is under 1.7e-38
      EXPECT_LE(e[i], 1.7e-38f) << xs[i];
      continue;
    }
    worst = std::max(worst, ulp_error(e[i], std::exp(static_cast<double>(xs[i]))));
  }
  EXPECT_LE(worst, 2.0) << "worst exp_nonpositive error in ULP";
  // Every other lane type is exp itself; duals carry e^x as the derivative.
  EXPECT_EQ(math::exp_nonpositive(-1.5f), std::exp(-1.5f));
  EXPECT_EQ(math::exp_nonpositive(-1.5), std::exp(-1.5));
  dual<Pack, 2> d;
  d.val = Pack(-2.0f);
  d.tan[0] = Pack(3.0f);
  d.tan[1] = Pack(-0.5f);
  const dual<Pack, 2> r = math::exp_nonpositive(d);
  const float e2 = math::exp_nonpositive(Pack(-2.0f))[0];
  for (int l = 0; l < W; ++l) {
    EXPECT_EQ(r.val[l], e2);
    EXPECT_EQ(r.tan[0][l], 3.0f * e2);
    EXPECT_EQ(r.tan[1][l], -0.5f * e2);
  }
}

TEST(SimdMath, ExpNonpositiveOfNanAndInfiniteLanes) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float in[W], out[W];
  const float specials[] = {-inf, nan, -200.0f, 0.0f};
  for (int i = 0; i < W; ++i) in[i] = specials[i % 4];
  math::exp_nonpositive(Pack::load(in)).store(out);
  for (int i = 0; i < W; ++i) {
    if (std::isnan(in[i])) {
      EXPECT_TRUE(std::isnan(out[i])) << "lane " << i;
    } else {
      EXPECT_EQ(out[i], in[i] == 0.0f ? 1.0f : 0.0f) << "lane " << i;
    }
  }
}

}  // namespace
}  // namespace scorepath
