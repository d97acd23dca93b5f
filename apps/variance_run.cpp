// Running the probe-law variance study of the sliced divergence on checked settings.
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
#include "scorepath/probe_variance.hpp"

namespace scorepath::cli {
namespace {

nlohmann::json to_json(const variance_study_result& r, const std::string& description) {
  nlohmann::json j;
  j["model"] = description;
  j["dimension"] = r.dimension;
  j["samples"] = r.samples;
  j["replicates"] = r.replicates;
  nlohmann::json rows = nlohmann::json::array();
  for (const variance_study_row& row : r.rows) {
    rows.push_back({{"law", to_string(row.law)}, {"probes", row.probes},
                    {"empirical", row.empirical}, {"std_error", row.std_error},
                    {"closed_form", row.closed_form}, {"relative_error", row.relative_error}});
  }
  j["rows"] = rows;
  nlohmann::json needed = nlohmann::json::array();
  for (const variance_study_need& n : r.needed) {
    needed.push_back({{"law", to_string(n.law)}, {"probes", n.probes},
                      {"single_probe_variance", n.single_probe_variance}});
  }
  j["probes_needed"] = needed;
  return j;
}

/// The first result of the study that is not finite, described; empty when all are finite.
/// (A row's standard error with two replicates and its ratio to a zero closed form are NaN by
/// definition, and are not counted.)
std::string first_non_finite(const variance_study_result& r) {
  for (const variance_study_row& row : r.rows) {
    const std::string where =
        std::string(to_string(row.law)) + ", M = " + std::to_string(row.probes);
    if (!std::isfinite(row.empirical)) return "empirical variance (" + where + ") not finite";
    if (!std::isfinite(row.closed_form)) return "closed-form variance (" + where + ") not finite";
  }
  for (const variance_study_need& n : r.needed) {
    if (!std::isfinite(n.single_probe_variance)) {
      return std::string("one-probe variance (") + to_string(n.law) + ") not finite";
    }
  }
  return {};
}

template <class T>
void run_study(const variance_settings& s, checked_inputs& in) {
  with_any_dim_model<T>(s, in.weights_file(), [&](const auto& model,
                                                  const std::string& description,
                                                  std::optional<double>) {
    const std::vector<T> x = take_samples<T>(s, in);
    const study_call call = prepare_study(model, s, x);
    rng_stream rng(s.seed + 1);
    const variance_study_result r = probe_variance_study(call.ctx, rng, model, x, call.options);
    std::printf("model: %s\n%s", description.c_str(), format_variance_study(r).c_str());
    if (!s.json_path.empty()) {
      output_file out("--json", s.json_path);
      out.stream() << to_json(r, description).dump(2) << '\n';
      out.commit();
    }
    if (const std::string bad = first_non_finite(r); !bad.empty()) {
      throw not_finite_results("scorepath: the study's results are not finite: " + bad +
                               ": the model overflowed or met an undefined value on "
                               "these samples; check them and the precision (exit status 3)");
    }
  });
}

}  // namespace

void run_variance(const variance_settings& s, checked_inputs& in) {
  check_output_paths({{"--json", s.json_path}},
                     {{"--weights", s.weights}, {"--samples-file", s.samples_file}});
  if (s.precision == "float") {
    run_study<float>(s, in);
  } else {
    run_study<double>(s, in);
  }
}

}  // namespace scorepath::cli
