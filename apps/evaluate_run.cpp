// Running `scorepath evaluate` on checked inputs.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command_runs.hpp"
#include "evaluate_command.hpp"
#include "output_file.hpp"
#include "scorepath/sampling/sample_quality.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

namespace {

/// The median distance between rows of the pooled first 500 rows of each side.
double median_distance(const std::vector<double>& x, const std::vector<double>& y, int d) {
  std::vector<const double*> rows;
  for (std::size_t r = 0; r < std::min<std::size_t>(500, x.size() / d); ++r) rows.push_back(&x[r * d]);
  for (std::size_t r = 0; r < std::min<std::size_t>(500, y.size() / d); ++r) rows.push_back(&y[r * d]);
  std::vector<double> dist;
  for (std::size_t a = 0; a < rows.size(); ++a) {
    for (std::size_t b = a + 1; b < rows.size(); ++b) {
      double s = 0;
      for (int i = 0; i < d; ++i) s += (rows[a][i] - rows[b][i]) * (rows[a][i] - rows[b][i]);
      dist.push_back(std::sqrt(s));
    }
  }
  std::nth_element(dist.begin(), dist.begin() + dist.size() / 2, dist.end());
  const double m = dist[dist.size() / 2];
  return m > 0 ? m : 1.0;
}

nlohmann::json as_json(const quality_estimate& e) {
  return {{"value", e.value}, {"std_error", e.std_error}};
}

}  // namespace

void run_evaluate(const evaluate_settings& s, const evaluate_inputs& in) {
  check_output_paths({{"--json", s.json}}, {{"--samples", s.samples}, {"--reference", s.reference}});
  const context ctx = make_context("cpu", s.threads);
  const int d = in.dim;
  const double h = s.bandwidth > 0 ? s.bandwidth : median_distance(in.samples, in.reference, d);
  struct measure {
    const char* name;
    quality_estimate value;
    std::optional<quality_estimate> reference;
  };
  auto all = [&](const std::vector<double>& x, const std::vector<double>& y) {
    return std::vector<quality_estimate>{energy_distance(ctx, x, y, d), mmd_squared(ctx, x, y, d, h),
                                         sliced_wasserstein(x, y, d, s.projections, s.seed + 3)};
  };
  const std::vector<quality_estimate> got = all(in.samples, in.reference);
  std::vector<quality_estimate> ref;
  if (!in.second_draw.empty()) ref = all(in.second_draw, in.reference);
  const char* names[] = {"energy_distance", "mmd_squared", "sliced_wasserstein"};
  std::printf("evaluate: %s against %s, D = %d, %zu and %zu rows; MMD bandwidth %.4g\n",
              s.samples.c_str(), s.reference.empty() ? ("fresh draws of " + s.data).c_str()
                                                      : s.reference.c_str(),
              d, in.samples.size() / d, in.reference.size() / d, h);
  std::printf("%20s %14s %12s%s\n", "measure", "value", "std error",
              ref.empty() ? "" : "   two draws of the law");
  nlohmann::json j;
  j["dim"] = d;
  j["rows"] = {in.samples.size() / d, in.reference.size() / d};
  j["bandwidth"] = h;
  j["projections"] = s.projections;
  for (std::size_t k = 0; k < got.size(); ++k) {
    std::printf("%20s %14.6f %12.6f", names[k], got[k].value, got[k].std_error);
    if (!ref.empty()) std::printf("   %14.6f", ref[k].value);
    std::printf("\n");
    j[names[k]] = as_json(got[k]);
    if (!ref.empty()) j[names[k]]["two_draws_reference"] = ref[k].value;
  }
  if (in.mixture) {
    const std::vector<double> f = mixture_component_fractions(*in.mixture, in.samples);
    std::printf("ring component weights (exact 0.125 each):");
    for (double v : f) std::printf(" %.3f", v);
    std::printf("\n");
    j["component_fractions"] = f;
  }
  if (!s.json.empty()) {
    output_file out("--json", s.json);
    out.stream() << j.dump(2) << '\n';
    out.commit();
  }
}

}  // namespace scorepath::cli
