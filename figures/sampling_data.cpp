// The data behind the sampling figures, written as CSV into the directory given:
//   ring_samples.csv        the 8-Gaussian ring's data, and samples of a trained VP-conditioned
//                           network (reverse SDE) and of the exact score (reverse SDE)
//   ring_training_loss.csv  that network's DSM loss per step (mean over the batch, and its error)
//   quality_vs_steps.csv    energy distance of 5000 samples to 5000 fresh draws against the number
//                           of steps, for each sampler, with the exact score and the trained one
#include "sampling_data.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv_file.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/sampling/batch_score.hpp"
#include "scorepath/sampling/sample_quality.hpp"
#include "scorepath/sampling/samplers.hpp"
#include "scorepath/training/train.hpp"

namespace sp = scorepath;

namespace {

using scorepath::figures::csv_file;

sp::noise_conditioning vp_process() {
  sp::noise_conditioning c;
  c.kind = sp::conditioning_kind::vp;
  c.beta_max = 10.0;
  return c;
}

/// A 3-64-64-2 SiLU network trained by DSM on the ring, its loss per step written to @p loss.
sp::mlp_network<float> trained_ring_network(const sp::context& ctx, FILE* loss) {
  const std::vector<double> data64 =
      sp::datasets::draw_samples(sp::datasets::distribution::ring_mixture, 2, 20000, 1);
  const std::vector<float> data(data64.begin(), data64.end());
  auto net = sp::mlp_network<float>::random(2, {64, 64}, sp::mlp_activation::silu, 2, vp_process());
  sp::train_options opt;
  opt.loss.loss = sp::score_loss::dsm;
  opt.steps = 3000;
  opt.batch = 256;
  opt.adam.learning_rate = 3e-3;
  opt.adam.warmup_steps = 100;
  opt.adam.ema_decay = 0.99;
  std::fprintf(loss, "step,loss,std_error\n");
  const sp::train_report r = sp::train_score_model(
      ctx, net, sp::host_input(data.data(), data.size()), opt, [&](const sp::train_step& s) {
        std::fprintf(loss, "%llu,%.6g,%.6g\n", static_cast<unsigned long long>(s.step),
                     s.loss.value, s.loss.std_error);
        return true;
      });
  net.set_parameters(std::vector<float>(r.average.begin(), r.average.end()));
  return net;
}

std::vector<double> sample(const sp::context& ctx, const sp::batch_score<float>& score,
                           sp::sampler_kind kind, std::uint64_t steps, std::uint64_t paths) {
  sp::sampler_options opt;
  opt.kind = kind;
  opt.process = vp_process();
  opt.steps = steps;
  std::vector<float> out(paths * 2);
  sp::rng_stream rng(5);
  sp::sample_paths(ctx, rng, score, opt, sp::host_output(out.data(), out.size()));
  return std::vector<double>(out.begin(), out.end());
}

}  // namespace

void sampling_figure_data(const sp::context& ctx, const std::string& dir) {
  csv_file loss(dir, "ring_training_loss.csv");
  const sp::mlp_network<float> net = trained_ring_network(ctx, loss.f);
  loss.close();
  const sp::batch_score<float> learned = sp::network_batch_score(net);
  const sp::diagonal_mixture ring = sp::ring_mixture_components(2);
  const sp::batch_score<float> exact = sp::mixture_batch_score<float>(ring);
  const std::uint64_t n = 2000;

  csv_file points(dir, "ring_samples.csv");
  std::fprintf(points.f, "source,x,y\n");
  const auto write = [&](const char* source, const std::vector<double>& x) {
    for (std::size_t k = 0; k + 1 < x.size(); k += 2) {
      std::fprintf(points.f, "%s,%.6g,%.6g\n", source, x[k], x[k + 1]);
    }
  };
  write("data", sp::draw_mixture(ring, n, 7));
  write("trained score (reverse SDE)", sample(ctx, learned, sp::sampler_kind::reverse_sde, 500, n));
  write("exact score (reverse SDE)", sample(ctx, exact, sp::sampler_kind::reverse_sde, 500, n));
  points.close();

  csv_file quality(dir, "quality_vs_steps.csv");
  std::fprintf(quality.f, "score,sampler,steps,energy_distance,std_error,reference\n");
  const std::uint64_t m = 5000;  // samples per point of the curve, against as many fresh draws
  const std::vector<double> fresh = sp::draw_mixture(ring, m, 8);
  const double reference = sp::energy_distance(ctx, sp::draw_mixture(ring, m, 9), fresh, 2).value;
  for (const auto& [score_name, score] : {std::pair{"exact", exact}, std::pair{"trained", learned}}) {
    for (sp::sampler_kind kind : {sp::sampler_kind::reverse_sde, sp::sampler_kind::probability_flow_euler,
                                  sp::sampler_kind::probability_flow_heun}) {
      for (std::uint64_t steps : {5, 10, 20, 50, 100, 200, 500}) {
        const sp::quality_estimate e =
            sp::energy_distance(ctx, sample(ctx, score, kind, steps, m), fresh, 2);
        std::fprintf(quality.f, "%s,%s,%llu,%.6g,%.6g,%.6g\n", score_name, sp::to_string(kind),
                     static_cast<unsigned long long>(steps), e.value, e.std_error, reference);
      }
    }
  }
  quality.close();
}
