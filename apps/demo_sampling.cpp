// `scorepath demo`, the last section: from data to a trained, noise-conditioned score to samples,
// each sampler's quality next to the exact score's and two draws of the law.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "demo_sections.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/sample_quality.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "scorepath/training/train.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

namespace {

/// Largest distance of a component's share from the ring's 1/8.
double worst_weight_error(const diagonal_mixture& ring, const std::vector<double>& x) {
  double worst = 0;
  for (double f : mixture_component_fractions(ring, x)) worst = std::max(worst, std::fabs(f - 0.125));
  return worst;
}

}  // namespace

void sampling_from_scores(const run_settings& base, std::uint64_t divisor) {
  const std::uint64_t steps = divisor == 1 ? 1500 : 100;
  const std::uint64_t paths = divisor == 1 ? 2000 : 500;
  const std::uint64_t sde_steps = divisor == 1 ? 500 : 100, ode_steps = divisor == 1 ? 100 : 25;
  std::printf("\n== Sampling with scores: a VP-conditioned MLP 3-64-64-2 (SiLU) trained by DSM on the ring "
              "(%llu steps),\n   then the reverse SDE and the probability-flow ODE from its score "
              "and from the exact one\n",
              static_cast<unsigned long long>(steps));
  const context ctx = make_context("cpu", base.threads);
  const std::vector<double> data64 =
      datasets::draw_samples(datasets::distribution::ring_mixture, 2, 20000, base.seed + 20);
  const std::vector<float> data(data64.begin(), data64.end());
  noise_conditioning vp;
  vp.kind = conditioning_kind::vp;
  vp.beta_max = 10.0;
  vp.t_min = 1e-3;
  auto net = mlp_network<float>::random(2, {64, 64}, mlp_activation::silu, base.seed + 21, vp);
  train_options opt;
  opt.loss.loss = score_loss::dsm;
  opt.steps = steps;
  opt.batch = 256;
  opt.seed = base.seed + 22;
  opt.adam.learning_rate = 3e-3;
  opt.adam.warmup_steps = steps / 20;
  opt.adam.ema_decay = 0.99;
  auto start = std::chrono::steady_clock::now();
  const train_report trained = train_score_model(ctx, net, host_input(data.data(), data.size()), opt);
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("trained in %.2f s, last DSM loss %.4f; the samplers use the moving average of the "
              "weights\n", train_seconds, trained.last_loss.value);
  net.set_parameters(std::vector<float>(trained.average.begin(), trained.average.end()));

  const diagonal_mixture ring = ring_mixture_components(2);
  const std::vector<double> fresh = draw_mixture(ring, paths, base.seed + 23);
  const std::vector<double> again = draw_mixture(ring, paths, base.seed + 24);
  std::printf("%-40s %6s %8s %16s %10s %8s\n", "samples", "steps", "seconds", "energy distance",
              "MMD^2", "weights");
  auto row = [&](const char* name, std::uint64_t n_steps, double seconds,
                 const std::vector<double>& x) {
    const quality_estimate e = energy_distance(ctx, x, fresh, 2);
    const quality_estimate m = mmd_squared(ctx, x, fresh, 2, 1.0);
    std::printf("%-40s %6s %8s %8.5f+-%.5f %10.6f %8.3f\n", name,
                n_steps ? std::to_string(n_steps).c_str() : "-",
                seconds > 0 ? (std::to_string(seconds).substr(0, 5)).c_str() : "-", e.value,
                e.std_error, m.value, worst_weight_error(ring, x));
  };
  auto sample = [&](const batch_score<float>& score, sampler_kind kind, std::uint64_t n_steps,
                    const char* name) {
    sampler_options so;
    so.kind = kind;
    so.process = vp;
    so.steps = n_steps;
    std::vector<float> out(paths * 2);
    rng_stream rng(base.seed + 25);
    start = std::chrono::steady_clock::now();
    sample_paths(ctx, rng, score, so, host_output(out.data(), out.size()));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    row(name, n_steps, seconds, std::vector<double>(out.begin(), out.end()));
  };
  const batch_score<float> exact = mixture_batch_score<float>(ring);
  const batch_score<float> learned = network_batch_score(net);
  sample(exact, sampler_kind::reverse_sde, sde_steps, "exact score, reverse SDE");
  sample(learned, sampler_kind::reverse_sde, sde_steps, "trained score, reverse SDE");
  sample(learned, sampler_kind::probability_flow_heun, ode_steps,
         "trained score, probability flow (Heun)");
  row("two independent draws of the law", 0, 0, again);
  std::printf("(%llu samples against %llu fresh draws; MMD with a Gaussian kernel of bandwidth 1; "
              "weights: the largest\n distance of a component's share from 1/8. scorepath sample and "
              "scorepath evaluate do this\n from the command line.)\n",
              static_cast<unsigned long long>(paths), static_cast<unsigned long long>(paths));
}

}  // namespace scorepath::cli
