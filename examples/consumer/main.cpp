// Uses both halves of an installed scorepath: an Euler–Maruyama ensemble of geometric Brownian
// motion checked against the exact mean of the chain, and sliced score matching of a Gaussian
// score model checked against the exact implicit score matching loss. Exits 1 if either fails.
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

#include <scorepath/ensemble.hpp>
#include <scorepath/exact_em_moments.hpp>
#include <scorepath/ssm.hpp>

namespace {

constexpr double tolerance = 5.0;  // standard errors; a false alarm is about 1 in 1.7 million

bool check_gbm(const scorepath::context& ctx) {
  const float s0 = 100.0f, mu = 0.05f, sigma = 0.2f;
  scorepath::rng_stream rng(42);
  scorepath::geometric_brownian_motion<float> gbm(mu, sigma);
  scorepath::em_options opt;
  opt.paths = 1'000'000;
  opt.steps = 64;
  opt.t1 = 1.0;
  opt.statistics = true;
  const scorepath::em_report r = scorepath::simulate_em(ctx, rng, gbm, {s0}, opt);
  const scorepath::moment_summary& s = r.at(0, 0);
  // Each EM step multiplies the mean by (1 + mu h), so E[S(T)] = S0 (1 + mu h)^n exactly.
  const double exact =
      scorepath::exact_em_moments_gbm(s0, mu, sigma, opt.steps, r.step_size).mean;
  const double z = (s.mean - exact) / s.std_error;
  std::printf("GBM  %llu paths x %llu steps: E[S(T)] = %.4f +- %.4f, exact %.4f, z = %+.2f\n",
              static_cast<unsigned long long>(r.paths),
              static_cast<unsigned long long>(opt.steps), s.mean, s.std_error, exact, z);
  return std::isfinite(z) && std::fabs(z) < tolerance;
}

bool check_ssm(const scorepath::context& ctx) {
  // Score of N(m, diag(1/precision)); the samples come from a different Gaussian.
  const scorepath::diagonal_gaussian_score<float, 2> model({1.0f, -1.0f}, {4.0f, 0.5f});
  std::mt19937_64 gen(7);
  std::normal_distribution<float> normal(0.0f, 1.5f);
  std::vector<float> samples(2 * 100'000);  // row-major N x 2
  for (float& x : samples) x = normal(gen);

  scorepath::rng_stream rng(11);
  scorepath::ssm_options opt;
  opt.probes = 2;
  opt.exact_ism = true;
  const scorepath::ssm_report r = scorepath::sliced_score_matching(ctx, rng, model, samples, opt);
  // SSM is an unbiased estimate of ISM; the two are positively correlated, so the combined
  // standard error below over-covers their difference.
  const double se = std::hypot(r.ssm.std_error, r.ism->std_error);
  const double z = (r.ssm.value - r.ism->value) / se;
  std::printf("SSM  %llu samples x %u probes: SSM = %.4f +- %.4f, SSM-VR = %.4f +- %.4f, "
              "ISM = %.4f +- %.4f, z = %+.2f\n",
              static_cast<unsigned long long>(r.ssm.count), opt.probes, r.ssm.value,
              r.ssm.std_error, r.ssm_vr.value, r.ssm_vr.std_error, r.ism->value,
              r.ism->std_error, z);
  return std::isfinite(z) && std::fabs(z) < tolerance;
}

}  // namespace

int main() {
  try {
    const scorepath::context ctx;  // CUDA when the library has it and a GPU exists, else CPU
    std::printf("scorepath %s, backend %s\n", scorepath::version_string,
                scorepath::to_string(ctx.kind()));
    const bool gbm_ok = check_gbm(ctx);
    const bool ssm_ok = check_ssm(ctx);
    std::printf("%s\n", gbm_ok && ssm_ok ? "OK" : "FAILED");
    return gbm_ok && ssm_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorepath_consumer: %s\n", e.what());
    return 1;
  }
}
