// Runs scorepath's two engines on this project's own types (models.hpp): an Euler–Maruyama
// ensemble of growing_noise_ou against the exact mean and variance of its chain, and sliced score
// matching of logistic_score on samples of its own law against the exact implicit score matching
// loss. Uses the GPU when the library has its CUDA backend and a device exists, else the CPU.
// Exits 1 if any check is off by 5 standard errors or more.
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

#include <scorepath/ensemble.hpp>
#include <scorepath/ssm.hpp>

#include "models.hpp"

namespace {

constexpr double tolerance = 5.0;  // standard errors

bool report(const char* what, double estimate, double se, double exact) {
  const double z = (estimate - exact) / se;
  std::printf("  %-24s %12.6f +- %.6f, exact %12.6f, z = %+.2f\n", what, estimate, se, exact, z);
  return std::isfinite(z) && std::fabs(z) < tolerance;
}

bool check_ensemble(const scorepath::context& ctx) {
  const example::growing_noise_ou sde;
  const std::vector<float> x0 = {1.0f, -0.5f};
  scorepath::em_options opt;
  opt.paths = 400'000;
  opt.steps = 50;
  opt.t1 = 1.0;
  opt.statistics = true;
  scorepath::rng_stream rng(2024);
  const scorepath::em_report r = scorepath::simulate_em(ctx, rng, sde, x0, opt);
  std::printf("growing_noise_ou: %llu paths x %llu steps on %s\n",
              static_cast<unsigned long long>(r.paths),
              static_cast<unsigned long long>(opt.steps), scorepath::to_string(r.used));
  // The chain x_{k+1} = (1 − θh) x_k + σ(1 + t_k)√h z_k is Gaussian with
  // m_{k+1} = (1 − θh) m_k and v_{k+1} = (1 − θh)² v_k + σ²(1 + t_k)² h.
  const double h = r.step_size, a = 1.0 - static_cast<double>(sde.theta) * h;
  bool ok = true;
  for (int c = 0; c < 2; ++c) {
    double m = x0[c], v = 0.0;
    for (std::uint64_t k = 0; k < opt.steps; ++k) {
      const double g = static_cast<double>(sde.sigma) * (1.0 + opt.t0 + static_cast<double>(k) * h);
      m *= a;
      v = a * a * v + g * g * h;
    }
    const scorepath::moment_summary& s = r.at(0, c);
    const double n = static_cast<double>(s.count);
    ok &= report(c == 0 ? "mean x0(T)" : "mean x1(T)", s.mean, s.std_error, m);
    // For a Gaussian, the sample variance has standard error v √(2 / (n − 1)).
    ok &= report(c == 0 ? "variance x0(T)" : "variance x1(T)", s.variance,
                 v * std::sqrt(2.0 / (n - 1.0)), v);
  }
  return ok;
}

bool check_score_matching(const scorepath::context& ctx) {
  const example::logistic_score model;
  // Samples of the model's own law, by inverse CDF: x = s log(u / (1 − u)).
  std::mt19937_64 gen(99);
  std::uniform_real_distribution<double> uniform(1e-12, 1.0 - 1e-12);
  std::vector<float> samples(2 * 200'000);
  for (float& x : samples) {
    const double u = uniform(gen);
    x = static_cast<float>(model.scale * std::log(u / (1.0 - u)));
  }
  scorepath::ssm_options opt;
  opt.probes = 2;
  opt.exact_ism = true;
  scorepath::rng_stream rng(5);
  const scorepath::ssm_report r = scorepath::sliced_score_matching(ctx, rng, model, samples, opt);
  std::printf("logistic_score: %llu samples x %u probes\n",
              static_cast<unsigned long long>(r.ssm.count), opt.probes);
  // With the data drawn from the model, E[tr J] = −E‖S‖², so the loss is −E‖S‖². Here
  // tanh(x / 2s) = 2F(x) − 1 is uniform on (−1, 1), E[S_i²] = 1 / (3s²) and the loss is −2 / (3s²).
  const double s = model.scale, exact = -2.0 / (3.0 * s * s);
  bool ok = report("SSM", r.ssm.value, r.ssm.std_error, exact);
  ok &= report("ISM (exact trace)", r.ism->value, r.ism->std_error, exact);
  return ok;
}

}  // namespace

int main() {
  try {
    const scorepath::context ctx;  // CUDA when the library has it and a GPU exists, else CPU
    std::printf("scorepath %s, backend %s; CUDA kernels for growing_noise_ou: %s, for "
                "logistic_score: %s\n",
                scorepath::version_string, scorepath::to_string(ctx.kind()),
                scorepath::has_em_cuda_kernel<example::growing_noise_ou> ? "yes" : "no",
                scorepath::has_ssm_cuda_kernel<example::logistic_score> ? "yes" : "no");
    const bool ensemble_ok = check_ensemble(ctx);
    const bool ssm_ok = check_score_matching(ctx);
    std::printf("%s\n", ensemble_ok && ssm_ok ? "OK" : "FAILED");
    return ensemble_ok && ssm_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorepath_extension_example: %s\n", e.what());
    return 1;
  }
}
