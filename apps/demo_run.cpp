// The sections of `scorepath demo`: the path engine and sliced score matching on built-in defaults,
// each result next to its exact value.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "command_runs.hpp"
#include "demo_sections.hpp"
#include "processes.hpp"
#include "run_output.hpp"
#include "thread_option.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/training/train.hpp"
#include "simulate_command.hpp"
#include "ssm_command.hpp"

namespace scorepath::cli {
namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Black–Scholes price of a European call.
double black_scholes_call(double s0, double k, double r, double sigma, double t) {
  const double d1 = (std::log(s0 / k) + (r + 0.5 * sigma * sigma) * t) / (sigma * std::sqrt(t));
  const double d2 = d1 - sigma * std::sqrt(t);
  return s0 * normal_cdf(d1) - k * std::exp(-r * t) * normal_cdf(d2);
}

void section(const std::string& title) { std::printf("\n== %s\n", title.c_str()); }

/// A section's size: @p full divided by @p divisor, at least 1000 (whole statistics blocks).
std::uint64_t scaled(std::uint64_t full, std::uint64_t divisor) {
  return std::max<std::uint64_t>(full / divisor, 1000);
}

/// "a million paths" at full size, else the count.
std::string count_text(std::uint64_t full, std::uint64_t divisor, const char* what) {
  if (divisor == 1 && full == 1000000) return std::string("a million ") + what;
  return std::to_string(scaled(full, divisor)) + " " + what;
}

void gbm_against_exact_moments(const run_settings& base, std::uint64_t divisor) {
  section("Geometric Brownian motion dS = mu S dt + sigma S dW: " +
          count_text(1000000, divisor, "paths"));
  sde_spec spec;
  spec.name = "gbm";
  spec.mu = 0.05;
  spec.sigma = 0.2;
  spec.x0 = {100.0};
  run_settings s = base;
  s.paths = scaled(1000000, divisor);
  s.steps = 256;
  s.save_every = 64;
  print_summary(run_builtin(spec, s));
  std::printf("exact: mean x0(1+mu h)^k and variance of the Euler-Maruyama chain; |z| < 5 expected\n");
}

void call_option(const run_settings& base, std::uint64_t divisor) {
  section("European call on that GBM: discounted payoff, mean and standard error");
  const double s0 = 100, strike = 105, rate = 0.05, vol = 0.2, maturity = 1.0;
  const context ctx = make_context(base.backend, base.threads);
  rng_stream rng(base.seed + 1);
  em_options opt;
  opt.paths = scaled(1000000, divisor);
  opt.steps = 256;
  opt.t1 = maturity;
  const geometric_brownian_motion<float> gbm(static_cast<float>(rate), static_cast<float>(vol));
  const discounted_call_payoff<float> payoff(static_cast<float>(strike), static_cast<float>(rate),
                                             static_cast<float>(maturity));
  const em_report r = simulate_em(ctx, rng, gbm, {static_cast<float>(s0)}, opt, {}, payoff);
  const double exact = black_scholes_call(s0, strike, rate, vol, maturity);
  const moment_summary& price = *r.reducer;
  std::printf("Monte Carlo %.4f +- %s, Black-Scholes %.4f, z = %s (includes O(h) bias)\n",
              price.mean, std_error_text("%.4f", price.std_error, price.count).c_str(), exact,
              z_text("%.2f", price.mean, exact, price.std_error, price.count).c_str());
}

void noise_against_trend(const run_settings& base, std::uint64_t divisor) {
  section("Can noise change a long-term trend? GBM with mu < sigma^2/2");
  sde_spec spec;
  spec.name = "gbm";
  spec.mu = 0.05;
  spec.sigma = 0.5;
  spec.x0 = {1.0};
  run_settings s = base;
  s.paths = scaled(200000, divisor);
  s.steps = 400;
  s.t1 = 20.0;
  s.keep_final = true;
  s.precision = "double";
  // The samples themselves are used below, on every rank.
  const run_result run = run_builtin(spec, s, run_sharing::whole_on_all);
  const auto& m = run.report.at(0, 0);
  const auto exact = exact_em_moments(spec, 0, s.steps, 0.0, run.report.step_size);
  std::vector<double> x = run.final_states;
  const double below = static_cast<double>(std::count_if(x.begin(), x.end(),
                                                         [](double v) { return v < 1.0; })) /
                       static_cast<double>(x.size());
  std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(x.size() / 2), x.end());
  const double median = x[x.size() / 2];
  const double p_exact = normal_cdf((0.5 * spec.sigma * spec.sigma - spec.mu) * std::sqrt(s.t1) /
                                    spec.sigma);
  std::printf("mean X(20) = %.4f +- %s (exact EM mean %.4f): the average grows like e^(mu t)\n",
              m.mean, std_error_text("%.4f", m.std_error, m.count).c_str(), exact->mean);
  std::printf("median X(20) = %.4f (continuous-time exp((mu - sigma^2/2) t) = %.4f)\n", median,
              std::exp((spec.mu - 0.5 * spec.sigma * spec.sigma) * s.t1));
  std::printf("paths below their start: %.1f%% (continuous-time %.1f%%); that share tends to 100%%\n"
              "as t grows, since log X drifts down at mu - sigma^2/2 < 0 while the mean grows\n",
              100 * below, 100 * p_exact);
}

void ou_stationary(const run_settings& base, std::uint64_t divisor) {
  section("Ornstein-Uhlenbeck, 8 components: stationary variance of the EM chain");
  sde_spec spec;
  spec.name = "ou";
  spec.dim = 8;
  spec.theta = 2.0;
  spec.mu = 0.0;
  spec.sigma = 1.0;
  run_settings s = base;
  s.paths = scaled(100000, divisor);
  s.steps = 200;
  s.t1 = 10.0;
  const run_result run = run_builtin(spec, s);
  const double h = run.report.step_size;
  const double stationary = spec.sigma * spec.sigma / (spec.theta * (2.0 - spec.theta * h));
  double worst_rel = 0;
  for (int c = 0; c < 8; ++c) {
    worst_rel = std::max(worst_rel, std::fabs(run.report.at(0, c).variance / stationary - 1.0));
  }
  std::printf("variance sigma^2/(theta(2 - theta h)) = %.5f; component 0 %.5f; worst relative "
              "deviation over 8 components %.2e (%.3e path-steps/s)\n",
              stationary, run.report.at(0, 0).variance, worst_rel,
              static_cast<double>(s.paths * s.steps) / run.seconds);
}

void langevin_sampling(const run_settings& base, std::uint64_t divisor) {
  section("Langevin dynamics dx = S(x) dt + sqrt(2) dW with the score of N(1, 0.5^2 I)");
  sde_spec spec;
  spec.name = "langevin";
  spec.dim = 2;
  spec.mu = 1.0;
  spec.sigma = 0.5;
  spec.x0 = {-3.0};
  run_settings s = base;
  s.paths = scaled(200000, divisor);
  s.steps = 500;
  s.t1 = 5.0;
  print_summary(run_builtin(spec, s));
  std::printf("a score drives the SDE to its distribution: mean -> 1, variance -> 0.25 (plus the "
              "O(h) EM bias shown in 'exact var')\n");
}

void ssm_on_mixture(const run_settings& base, std::uint64_t divisor) {
  section("Sliced score matching: the exact score of an 8-Gaussian ring, " +
          count_text(1000000, divisor, "samples"));
  ssm_settings s;
  s.model = "gmm";
  s.dim = 2;
  s.samples = scaled(1000000, divisor);
  s.seed = base.seed;
  s.backend = base.backend;
  s.threads = base.threads;
  std::printf("%-11s %3s %22s %22s %22s %8s\n", "probe law", "M", "SSM +- se", "SSM-VR +- se",
              "exact ISM +- se", "z(SSM)");
  for (const char* law : {"gaussian", "rademacher", "sphere", "orthogonal"}) {
    for (std::uint32_t m : {1u, 2u}) {
      s.law = law;
      s.probes = m;
      const ssm_result r = run_ssm(s);
      const loss_estimate& ism = *r.report.ism;
      const loss_estimate& ssm = r.report.ssm;
      const loss_estimate& vr = r.report.ssm_vr;
      std::printf("%-11s %3u %12.4f +- %7s %12.4f +- %7s %12.4f +- %7s %8s\n", law, m, ssm.value,
                  std_error_text("%.4f", ssm.std_error, ssm.count).c_str(), vr.value,
                  std_error_text("%.4f", vr.std_error, vr.count).c_str(), ism.value,
                  std_error_text("%.4f", ism.std_error, ism.count).c_str(),
                  z_text("%.2f", ssm.value, ism.value, ssm.std_error, ssm.count).c_str());
    }
  }
  std::printf("SSM and SSM-VR are unbiased for the ISM loss without computing the trace of J. With\n"
              "M = D = 2 the orthogonal law's probes span the plane, so both equal ISM exactly; with\n"
              "M = 1 it coincides with the sphere law. By Stein's identity the loss of the true score\n"
              "is -E|S|^2 < 0.\n");
  ssm_settings g;
  g.model = "gaussian";
  g.samples = scaled(1000000, divisor);
  g.probes = 4;
  g.law = "rademacher";
  g.seed = base.seed;
  g.backend = base.backend;
  g.threads = base.threads;
  const ssm_result r = run_ssm(g);
  const loss_estimate& ssm = r.report.ssm;
  std::printf("Gaussian with precision [[2,-2],[-2,4]]: SSM %.4f +- %s against the exact -tr P = "
              "%.1f (z = %s)\n",
              ssm.value, std_error_text("%.4f", ssm.std_error, ssm.count).c_str(), *r.exact_ism,
              z_text("%.2f", ssm.value, *r.exact_ism, ssm.std_error, ssm.count).c_str());
}

/// E‖S_θ − ∇log p‖² / E‖∇log p‖² of @p net against the ring's exact score on @p x.
double relative_fisher_divergence(const mlp_network<float>& net, const std::vector<double>& x) {
  const auto exact = datasets::ring_mixture_score<double, 2>();
  const mlp_score<float, 2> model(net.hidden_widths(), net.activation(), net.parameters());
  double err = 0, norm = 0;
  for (std::size_t s = 0; s + 1 < x.size(); s += 2) {
    const vec<double, 2> want = exact(vec<double, 2>{{x[s], x[s + 1]}});
    const vec<float, 2> got =
        model(vec<float, 2>{{static_cast<float>(x[s]), static_cast<float>(x[s + 1])}});
    for (int i = 0; i < 2; ++i) {
      err += (got[i] - want[i]) * (got[i] - want[i]);
      norm += want[i] * want[i];
    }
  }
  return err / norm;
}

void training_on_ring(const run_settings& base, std::uint64_t divisor) {
  const std::uint64_t steps = divisor == 1 ? 1500 : 100;
  section("Training a score network: MLP 2-32-32-2 (softplus) on the 8-Gaussian ring, SSM-VR, " +
          std::to_string(steps) + " Adam steps");
  const std::vector<double> data64 =
      datasets::draw_samples(datasets::distribution::ring_mixture, 2, 20000, base.seed);
  const std::vector<float> data(data64.begin(), data64.end());
  const std::vector<double> fresh =
      datasets::draw_samples(datasets::distribution::ring_mixture, 2, 5000, base.seed + 9);
  auto net = mlp_network<float>::random(2, {32, 32}, mlp_activation::softplus, base.seed + 3);
  train_options opt;
  opt.loss.loss = score_loss::ssm_vr;
  opt.loss.probes = 1;
  opt.steps = steps;
  opt.batch = 128;
  opt.seed = base.seed;
  opt.adam.learning_rate = 5e-3;
  opt.adam.warmup_steps = steps / 20;
  const double before = relative_fisher_divergence(net, fresh);
  const context ctx = make_context("cpu", base.threads);
  std::printf("%8s %14s %10s\n", "step", "SSM-VR loss", "std error");
  const auto start = std::chrono::steady_clock::now();
  const train_report report =
      train_score_model(ctx, net, host_input(data.data(), data.size()), opt,
                        [&](const train_step& st) {
                          if (st.step % (steps / 5) == 0) {
                            std::printf("%8llu %14.4f %10s\n",
                                        static_cast<unsigned long long>(st.step), st.loss.value,
                                        std_error_text("%.4f", st.loss.std_error, st.loss.count).c_str());
                          }
                          return true;
                        });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double after = relative_fisher_divergence(net, fresh);
  std::printf("%llu steps of 128 samples in %.2f s. Relative Fisher divergence against the exact\n"
              "score, E|S_theta - grad log p|^2 / E|grad log p|^2 on 5000 fresh samples: %.3f before\n"
              "training, %.3f after (scorepath train does this from the command line).\n",
              static_cast<unsigned long long>(report.steps), seconds, before, after);
}

}  // namespace

void run_demo(const run_settings& base, std::uint64_t divisor) {
  checks_passed();  // demo writes no file: its checks end here
  const auto start = std::chrono::steady_clock::now();
  gbm_against_exact_moments(base, divisor);
  call_option(base, divisor);
  noise_against_trend(base, divisor);
  ou_stationary(base, divisor);
  langevin_sampling(base, divisor);
  ssm_on_mixture(base, divisor);
  training_on_ring(base, divisor);
  sampling_from_scores(base, divisor);
  std::printf("\ndemo finished in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace scorepath::cli
