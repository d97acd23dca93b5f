// Writes the data behind the README figures as CSV files into the directory given as argument:
//   gbm_paths.csv       a few Euler–Maruyama paths of geometric Brownian motion
//   gbm_band.csv        mean and standard deviation of a large ensemble at every step, with the
//                       exact moments of the Euler–Maruyama chain
//   convergence.csv     strong and weak errors against the step size, on shared Brownian paths
//   probe_variance.csv  variance of the sliced divergence estimate against the number of probes
//   and the sampling data of sampling_data.cpp (ring samples, training loss, quality vs steps)
// figures/make_figures.py turns them into PNGs.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv_file.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/exact_em_moments.hpp"
#include "scorepath/probe_variance.hpp"
#include "sampling_data.hpp"

namespace sp = scorepath;

namespace {

// dS = μS dt + σS dW on [0, T] from S0.
constexpr double s0 = 100.0, mu = 0.05, sigma = 0.2, big_t = 1.0;

using scorepath::figures::csv_file;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Figure 1: sample paths over the ensemble's mean ± 2 sd. The shown paths are paths 0…29 of the
// ensemble (same seed, so the same Philox subsequences).
void gbm_paths(const sp::context& ctx, const std::string& dir) {
  const std::uint64_t steps = 256, shown = 30, ensemble = 1'000'000, seed = 2024;
  const sp::geometric_brownian_motion<double> gbm(mu, sigma);
  sp::em_options opt;
  opt.steps = steps;
  opt.t1 = big_t;
  for (std::uint64_t k = 1; k <= steps; ++k) opt.save_steps.push_back(k);

  opt.paths = shown;
  sp::rng_stream few(seed);
  const auto paths = sp::simulate_em_to_host(ctx, few, gbm, {s0}, opt, false, true);

  opt.paths = ensemble;
  opt.statistics = true;
  sp::rng_stream all(seed);
  const sp::em_report report = sp::simulate_em(ctx, all, gbm, {s0}, opt);

  // Exact moments of the chain S_{k+1} = S_k (1 + μh + σ√h Z_k).
  const double h = big_t / static_cast<double>(steps);
  csv_file band(dir, "gbm_band.csv");
  csv_file samples(dir, "gbm_paths.csv");
  std::fprintf(band.f, "step,t,mean,sd,std_error,exact_mean,exact_sd,paths\n");
  std::fprintf(band.f, "0,0,%.17g,0,0,%.17g,0,%llu\n", s0, s0,
               static_cast<unsigned long long>(ensemble));
  std::fprintf(samples.f, "t");
  for (std::uint64_t p = 0; p < shown; ++p) {
    std::fprintf(samples.f, ",path_%llu", static_cast<unsigned long long>(p));
  }
  std::fprintf(samples.f, "\n0");
  for (std::uint64_t p = 0; p < shown; ++p) std::fprintf(samples.f, ",%.17g", s0);
  std::fprintf(samples.f, "\n");
  for (std::uint64_t k = 1; k <= steps; ++k) {
    const sp::moment_summary& m = report.at(k - 1, 0);
    const sp::em_chain_moments exact = sp::exact_em_moments_gbm(s0, mu, sigma, k, h);
    const double exact_mean = exact.mean;
    const double exact_sd = std::sqrt(exact.variance);
    std::fprintf(band.f, "%llu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%llu\n",
                 static_cast<unsigned long long>(k), report.save_times[k - 1], m.mean,
                 std::sqrt(m.variance), m.std_error, exact_mean, exact_sd,
                 static_cast<unsigned long long>(m.count));
    std::fprintf(samples.f, "%.17g", report.save_times[k - 1]);
    for (std::uint64_t p = 0; p < shown; ++p) {
      std::fprintf(samples.f, ",%.17g", paths.saved_states[(k - 1) * shown + p]);
    }
    std::fprintf(samples.f, "\n");
  }
  band.close();
  samples.close();
}

// Figure 2: strong and weak errors. Level k runs 2^k steps with refinement K − k, so every level
// takes its increments as sums of the same 2^K fine increments: one Brownian path per sample for
// all step sizes. W_T is the one-step run of standard Brownian motion with refinement K (EM is
// exact for it), and S_T = S0 exp((μ − σ²/2)T + σW_T) is the exact solution on that path.
// E[S_T] = S0 e^{μT}, so mean(S_EM − S_T) estimates the weak error E[S_EM] − S0 e^{μT}, with far
// less noise than a mean over independent paths; the exact value is S0((1 + μh)^N − e^{μT}).
void convergence(const sp::context& ctx, const std::string& dir) {
  const unsigned top = 8;  // levels h = 1, 1/2, …, 1/256
  const std::uint64_t paths = 4'000'000, seed = 7;
  auto final_states = [&](const auto& sde, double x0, std::uint64_t steps, unsigned refinement) {
    sp::em_options opt;
    opt.paths = paths;
    opt.steps = steps;
    opt.t1 = big_t;
    opt.refinement = refinement;
    sp::rng_stream rng(seed);  // fresh stream: every run sees the same subsequences
    return sp::simulate_em_to_host(ctx, rng, sde, {x0}, opt, true, false).final_states;
  };
  const std::vector<double> w =
      final_states(sp::brownian_motion<double, 1>(0.0, 1.0), 0.0, 1, top);
  std::vector<double> exact(paths);
  for (std::uint64_t p = 0; p < paths; ++p) {
    exact[p] = s0 * std::exp((mu - 0.5 * sigma * sigma) * big_t + sigma * w[p]);
  }
  csv_file out(dir, "convergence.csv");
  std::fprintf(out.f, "steps,h,strong,strong_se,weak,weak_se,exact_weak,paths\n");
  const double n = static_cast<double>(paths);
  for (unsigned k = 0; k <= top; ++k) {
    const std::uint64_t steps = std::uint64_t{1} << k;
    const std::vector<double> x =
        final_states(sp::geometric_brownian_motion<double>(mu, sigma), s0, steps, top - k);
    double abs_sum = 0.0, sum = 0.0, sq = 0.0;
    for (std::uint64_t p = 0; p < paths; ++p) {
      const double d = x[p] - exact[p];
      abs_sum += std::abs(d);
      sum += d;
      sq += d * d;
    }
    const double strong = abs_sum / n, weak = sum / n;
    const double strong_se = std::sqrt((sq / n - strong * strong) / (n - 1.0));
    const double weak_se = std::sqrt((sq / n - weak * weak) / (n - 1.0));
    const double h = big_t / static_cast<double>(steps);
    const double exact_weak =
        sp::exact_em_moments_gbm(s0, mu, sigma, steps, h).mean - s0 * std::exp(mu * big_t);
    std::fprintf(out.f, "%llu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%llu\n",
                 static_cast<unsigned long long>(steps), h, strong, strong_se, weak, weak_se,
                 exact_weak, static_cast<unsigned long long>(paths));
  }
  out.close();
}

// Figure 3: the probe-variance study on the 16-D mixture of 8 unit-variance Gaussians that
// `scorepath variance --model gmm --dim 16` uses (the library's ring mixture, datasets.hpp), with
// samples drawn from that mixture.
void probe_variance(const sp::context& ctx, const std::string& dir) {
  constexpr int d = 16;
  const std::uint64_t samples = 1000, seed = 42;
  const auto model = sp::datasets::ring_mixture_score<double, d>();
  const std::vector<double> x =
      sp::datasets::draw_samples(sp::datasets::distribution::ring_mixture, d, samples, seed);

  sp::variance_study_options opt;
  opt.probe_counts = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};
  opt.replicates = 64;
  sp::rng_stream rng(seed + 1);
  const sp::variance_study_result r = sp::probe_variance_study(ctx, rng, model, x, opt);

  csv_file out(dir, "probe_variance.csv");
  std::fprintf(out.f, "law,probes,empirical,std_error,closed_form,single_probe,dimension,samples,"
                      "replicates\n");
  for (const sp::variance_study_row& row : r.rows) {
    double single = 0.0;
    for (const sp::variance_study_need& need : r.needed) {
      if (need.law == row.law) single = need.single_probe_variance;
    }
    std::fprintf(out.f, "%s,%u,%.17g,%.17g,%.17g,%.17g,%d,%llu,%u\n", sp::to_string(row.law),
                 row.probes, row.empirical, row.std_error, row.closed_form, single, r.dimension,
                 static_cast<unsigned long long>(r.samples), r.replicates);
  }
  out.close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  try {
    const sp::context ctx(sp::backend_choice::cpu);
    const struct {
      const char* name;
      void (*run)(const sp::context&, const std::string&);
    } parts[] = {{"GBM paths and band", gbm_paths},
                 {"strong and weak errors", convergence},
                 {"probe variance study", probe_variance},
                 {"sampling", sampling_figure_data}};
    for (const auto& part : parts) {
      const auto start = std::chrono::steady_clock::now();
      part.run(ctx, dir);
      std::printf("%-24s %6.1f s\n", part.name, seconds_since(start));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorepath_figure_data: %s\n", e.what());
    return 1;
  }
  return 0;
}
