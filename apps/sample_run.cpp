// Running `scorepath sample` on checked settings: the paths in chunks (a progress bar on a
// terminal), the samples and the summary written atomically, quality against the exact law.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
#include "progress_bar.hpp"
#include "sample_command.hpp"
#include "scorepath/sampling/sample_quality.hpp"
#include "scorepath/training/mlp_network_file.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

namespace {

/// Rows compared with fresh draws of the exact law (the measures cost rows² operations).
constexpr std::uint64_t quality_rows = 2000;

template <class T>
void run_precision(const sample_settings& s, const sample_inputs& in) {
  const context ctx = make_context(s.backend, s.threads);
  const batch_score<T> score = in.network
                                   ? network_batch_score(make_mlp_network<T>(*in.network, s.weights))
                                   : mixture_batch_score<T>(*in.exact);
  const int d = in.dim;
  std::vector<T> samples(s.paths * static_cast<std::uint64_t>(d));
  rng_stream rng(s.seed);
  // Chunks of paths run one after another on one stream give the paths of a single call when each
  // is a whole number of tiles.
  const std::uint64_t tile = sampler_tile_paths;
  const std::uint64_t chunk = (std::max<std::uint64_t>(4096, s.paths / 50) + tile - 1) / tile * tile;
  const auto progress = make_progress_bar(
      "sample", static_cast<double>(s.paths) * static_cast<double>(s.steps) * d * 50);
  sampler_report report;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t first = 0; first < s.paths; first += chunk) {
    const std::uint64_t count = std::min(chunk, s.paths - first);
    const sampler_report r = sample_paths(ctx, rng, score, in.options,
                                          host_output(samples.data() + first * d, count * d));
    if (first == 0) report = r;
    else report.non_finite_paths += r.non_finite_paths;
    if (progress) progress(first + count, s.paths);
  }
  report.paths = s.paths;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double path_steps = static_cast<double>(s.paths) * report.score_evaluations;

  std::printf("sample: %s, D = %d, %s", in.network ? ("network " + s.weights).c_str()
                                                    : ("exact score of " + in.exact_name).c_str(),
              d, to_string(in.options.kind));
  if (in.options.kind != sampler_kind::langevin) {
    std::printf(" (%s)", to_string(in.options.process.kind));
  }
  std::printf("; %llu paths, %llu steps, %s\n", static_cast<unsigned long long>(s.paths),
              static_cast<unsigned long long>(s.steps), s.precision.c_str());
  std::printf("%llu score evaluations per path in %.3f s (%.3g path-steps/s)\n",
              static_cast<unsigned long long>(report.score_evaluations), seconds,
              path_steps / seconds);

  // Per-coordinate mean and standard deviation over the finite paths (the first four shown).
  std::vector<double> finite;
  finite.reserve(samples.size());
  for (std::uint64_t p = 0; p < s.paths; ++p) {
    bool ok = true;
    for (int i = 0; i < d; ++i) ok = ok && std::isfinite(static_cast<double>(samples[p * d + i]));
    if (!ok) continue;
    for (int i = 0; i < d; ++i) finite.push_back(static_cast<double>(samples[p * d + i]));
  }
  const std::uint64_t rows = finite.size() / d;
  nlohmann::json j;
  j["sampler"] = to_string(in.options.kind);
  j["process"] = to_string(in.options.process.kind);
  j["score"] = in.network ? "network" : "exact " + in.exact_name;
  j["dim"] = d;
  j["paths"] = s.paths;
  j["steps"] = s.steps;
  j["seed"] = s.seed;
  j["precision"] = s.precision;
  j["score_evaluations_per_path"] = report.score_evaluations;
  j["non_finite_paths"] = report.non_finite_paths;
  j["seconds"] = seconds;
  j["path_steps_per_second"] = path_steps / seconds;
  std::printf("%10s %14s %14s\n", "coordinate", "mean", "std");
  for (int i = 0; i < d; ++i) {
    double m = 0, v = 0;
    for (std::uint64_t p = 0; p < rows; ++p) m += finite[p * d + i];
    m /= static_cast<double>(std::max<std::uint64_t>(rows, 1));
    for (std::uint64_t p = 0; p < rows; ++p) v += (finite[p * d + i] - m) * (finite[p * d + i] - m);
    const double sd = rows > 1 ? std::sqrt(v / static_cast<double>(rows - 1)) : NAN;
    j["mean"].push_back(m);
    j["std"].push_back(rows > 1 ? nlohmann::json(sd) : nlohmann::json());
    if (i < 4) std::printf("%10d %14.6f %14.6f\n", i, m, sd);
  }
  if (d > 4) std::printf("%10s (%d more in --json)\n", "...", d - 4);

  if (in.exact && rows >= 2) {
    const std::vector<double> fractions = mixture_component_fractions(*in.exact, finite);
    double total = 0;
    for (double w : in.exact->weights) total += w;
    std::printf("component weights (sample / exact):");
    for (std::size_t k = 0; k < fractions.size(); ++k) {
      std::printf(" %.3f/%.3f", fractions[k], in.exact->weights[k] / total);
    }
    std::printf("\n");
    j["component_fractions"] = fractions;
    const std::uint64_t n = std::min(rows, quality_rows);
    const std::vector<double> head(finite.begin(), finite.begin() + n * d);
    const std::vector<double> fresh = draw_mixture(*in.exact, n, s.seed + 101);
    const std::vector<double> again = draw_mixture(*in.exact, n, s.seed + 102);
    const quality_estimate e = energy_distance(ctx, head, fresh, d);
    const quality_estimate ref = energy_distance(ctx, again, fresh, d);
    std::printf("energy distance to %llu fresh draws of the law: %.5f ± %.5f (two draws of the "
                "law: %.5f)\n",
                static_cast<unsigned long long>(n), e.value, e.std_error, ref.value);
    j["energy_distance"] = {{"value", e.value}, {"std_error", e.std_error}, {"rows", n},
                            {"two_draws_reference", ref.value}};
  }
  if (!s.out.empty()) {
    output_file out("--out", s.out);
    std::ostream& o = out.stream();
    char text[40];
    const char* format = s.precision == "float" ? "%.9g" : "%.17g";
    for (std::uint64_t p = 0; p < s.paths; ++p) {
      for (int i = 0; i < d; ++i) {
        std::snprintf(text, sizeof text, format, static_cast<double>(samples[p * d + i]));
        o << (i ? "," : "") << text;
      }
      o << '\n';
    }
    out.commit();
  }
  if (!s.json.empty()) {
    output_file out("--json", s.json);
    out.stream() << j.dump(2) << '\n';
    out.commit();
  }
  if (report.non_finite_paths > 0) {
    throw not_finite_results(
        "scorepath: " + std::to_string(report.non_finite_paths) + " of " +
        std::to_string(s.paths) +
        " paths ended with a state that is not finite (the sampler diverged: try more --steps or "
        "a smaller --step-size; exit status 3)");
  }
}

}  // namespace

void run_sample(const sample_settings& s, const sample_inputs& in) {
  check_output_paths({{"--out", s.out}, {"--json", s.json}}, {{"--weights", s.weights}});
  if (s.precision == "float") {
    run_precision<float>(s, in);
  } else {
    run_precision<double>(s, in);
  }
}

}  // namespace scorepath::cli
