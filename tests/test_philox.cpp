// Philox4x32-10 words and normals: published known-answer vectors, cuRAND's own stream (its device
// API compiled for the host), and the SIMD pack path against the scalar path.
#define QUALIFIERS static inline
#include <curand_kernel.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "scorepath/normals.hpp"
#include "scorepath/philox.hpp"
#include "scorepath/random_fill.hpp"

namespace scorepath {
namespace {

struct known_answer {
  std::uint32_t ctr[4];
  std::uint32_t key[2];
  std::uint32_t out[4];
};

// Random123's published Philox4x32-10 known-answer vectors.
const known_answer kat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox, ScalarMatchesPublishedVectors) {
  for (const auto& k : kat) {
    const auto r = philox4x32_10(philox_block<std::uint32_t>{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]},
                                 k.key[0], k.key[1]);
    EXPECT_EQ(r.x, k.out[0]);
    EXPECT_EQ(r.y, k.out[1]);
    EXPECT_EQ(r.z, k.out[2]);
    EXPECT_EQ(r.w, k.out[3]);
  }
}

TEST(Philox, SimdPackMatchesPublishedVectorsInEveryLane) {
  using Word = simd::pack<std::uint32_t, simd::float_lanes>;
  for (const auto& k : kat) {
    const auto r = philox4x32_10(
        philox_block<Word>{Word(k.ctr[0]), Word(k.ctr[1]), Word(k.ctr[2]), Word(k.ctr[3])},
        k.key[0], k.key[1]);
    for (int lane = 0; lane < Word::lanes; ++lane) {
      EXPECT_EQ(r.x[lane], k.out[0]);
      EXPECT_EQ(r.y[lane], k.out[1]);
      EXPECT_EQ(r.z[lane], k.out[2]);
      EXPECT_EQ(r.w[lane], k.out[3]);
    }
  }
}

TEST(Philox, CurandMatchesPublishedVectors) {
  // Documents the premise that cuRAND's Philox is the published one.
  for (const auto& k : kat) {
    uint4 ctr{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]};
    uint2 key{k.key[0], k.key[1]};
    const uint4 r = curand_Philox4x32_10(ctr, key);
    EXPECT_EQ(r.x, k.out[0]);
    EXPECT_EQ(r.w, k.out[3]);
  }
}

TEST(Philox, BulkWordsEqualCurandStreamPerSubsequence) {
  // generate_philox_words (SIMD packs, threads) against curand() on curand_init(seed, sub, 0).
  const std::uint64_t seed = 0x0123456789abcdefull;
  const std::uint64_t streams = 37, words = 23;  // not multiples of the lane count or of 4
  rng_stream rng(seed);
  rng.reserve(5);  // start at subsequence 5
  std::vector<std::uint32_t> out(streams * words);
  context ctx(backend_choice::cpu);
  generate_philox_words(ctx, rng, streams, words, host_output(out.data(), out.size()));
  for (std::uint64_t s = 0; s < streams; ++s) {
    curandStatePhilox4_32_10_t state;
    curand_init(seed, 5 + s, 0, &state);
    for (std::uint64_t d = 0; d < words; ++d) {
      ASSERT_EQ(out[d * streams + s], curand(&state)) << "stream " << s << " word " << d;
    }
  }
}

TEST(Philox, HighSubsequenceBitsReachTheCounter) {
  // Subsequence ids above 2^32 (path counts beyond 2^32) must use the counter's high word.
  rng_stream low(7), high(rng_state{7, (std::uint64_t{1} << 32)});
  std::vector<std::uint32_t> a(4), b(4);
  context ctx(backend_choice::cpu);
  generate_philox_words(ctx, low, 1, 4, host_output(a.data(), a.size()));
  generate_philox_words(ctx, high, 1, 4, host_output(b.data(), b.size()));
  EXPECT_NE(a, b);
  curandStatePhilox4_32_10_t state;
  curand_init(7, std::uint64_t{1} << 32, 0, &state);
  EXPECT_EQ(b[0], curand(&state));
}

template <class T>
void expect_normals_match_curand(double tolerance) {
  const std::uint64_t seed = 99, streams = 19, draws = 40;
  rng_stream rng(seed);
  std::vector<T> out(streams * draws);
  context ctx(backend_choice::cpu);
  generate_normals<T>(ctx, rng, streams, draws, host_output(out.data(), out.size()));
  for (std::uint64_t s = 0; s < streams; ++s) {
    curandStatePhilox4_32_10_t state;
    curand_init(seed, s, 0, &state);
    std::vector<double> ref;
    while (ref.size() < draws) {
      if constexpr (std::is_same_v<T, float>) {
        const float4 n = curand_normal4(&state);
        ref.insert(ref.end(), {n.x, n.y, n.z, n.w});
      } else {
        const double2 n = curand_normal2_double(&state);
        ref.insert(ref.end(), {n.x, n.y});
      }
    }
    for (std::uint64_t d = 0; d < draws; ++d) {
      const double got = out[d * streams + s];
      ASSERT_NEAR(got, ref[d], tolerance * (1.0 + std::fabs(ref[d])))
          << "stream " << s << " draw " << d;
    }
  }
}

TEST(Normals, FloatDrawsMatchCurandNormal4) { expect_normals_match_curand<float>(4e-6); }
TEST(Normals, DoubleDrawsMatchCurandNormal2Double) { expect_normals_match_curand<double>(1e-13); }

TEST(Normals, SimdPathEqualsScalarPathToFewUlp) {
  // The CPU engine runs packs; a non-vectorizable SDE runs the scalar path. Same words, same
  // transform, math from different implementations: equal to a few ULP.
  using Real = simd::pack<float, simd::float_lanes>;
  constexpr int W = Real::lanes;
  lane_word_t<Real> lo = simd::iota<W>(1000), hi(0u);
  philox_normals<Real> packed(3, lo, hi);
  std::vector<philox_normals<float>> scalar;
  for (int i = 0; i < W; ++i) scalar.emplace_back(3, 1000u + i, 0u);
  for (int d = 0; d < 64; ++d) {
    const Real z = packed.next();
    for (int i = 0; i < W; ++i) {
      const float ref = scalar[i].next();
      EXPECT_NEAR(z[i], ref, 4e-6f * (1.0f + std::fabs(ref)));
    }
  }
}

TEST(Normals, MomentsOfOneMillionDraws) {
  // Mean 0, variance 1, kurtosis 3 within 5 standard errors.
  const std::uint64_t n = 1 << 20;
  std::vector<float> out(n);
  rng_stream rng(2024);
  context ctx(backend_choice::cpu);
  generate_normals<float>(ctx, rng, n / 16, 16, host_output(out.data(), out.size()));
  double s1 = 0, s2 = 0, s4 = 0;
  for (float z : out) {
    s1 += z;
    s2 += double(z) * z;
    s4 += double(z) * z * z * z;
  }
  const double N = static_cast<double>(n);
  EXPECT_NEAR(s1 / N, 0.0, 5.0 / std::sqrt(N));
  EXPECT_NEAR(s2 / N, 1.0, 5.0 * std::sqrt(2.0 / N));
  EXPECT_NEAR(s4 / N, 3.0, 5.0 * std::sqrt(96.0 / N));
}

TEST(RandomFill, RejectsBadArgumentsWithoutWriting) {
  context ctx(backend_choice::cpu);
  rng_stream rng(1);
  std::vector<float> out(10, -7.0f);
  EXPECT_THROW(generate_normals<float>(ctx, rng, 0, 10, host_output(out.data(), out.size())),
               invalid_argument_error);
  EXPECT_THROW(generate_normals<float>(ctx, rng, 2, 4, host_output(out.data(), out.size())),
               invalid_argument_error);
  EXPECT_THROW(generate_normals<float>(ctx, rng, 10, 1, device_output(out.data(), out.size())),
               invalid_argument_error);
  for (float v : out) EXPECT_EQ(v, -7.0f);
  EXPECT_EQ(rng.state().next_subsequence, 0u);  // nothing reserved by failed calls
}

}  // namespace
}  // namespace scorepath
