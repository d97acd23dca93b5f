// `scorepath variance`: how many probes, and which law, for a target error of the sliced divergence.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "score_models.hpp"
#include "scorepath/probe_variance.hpp"

namespace scorepath::cli {
namespace {

struct variance_settings : model_settings {
  std::vector<std::uint32_t> probes{1, 2, 4, 8, 16};
  std::vector<std::string> laws{"gaussian", "rademacher", "sphere", "orthogonal"};
  std::uint32_t replicates = 64;
  double target = 0.1;
  std::string precision = "double";
  int threads = 0;
  std::string json_path;
};

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

template <class T>
void run_study(const variance_settings& s) {
  with_builtin_model<T>(s, [&](const auto& model, const std::string& description,
                               std::optional<double>) {
    using Model = std::decay_t<decltype(model)>;
    const std::vector<T> x = load_samples<T>(s, Model::dim);
    context ctx(backend_choice::cpu);
    ctx.set_threads(s.threads);
    variance_study_options opt;
    opt.probe_counts = s.probes;
    opt.laws.clear();
    for (const std::string& law : s.laws) opt.laws.push_back(parse_law_option("--laws", law));
    opt.replicates = s.replicates;
    opt.target_relative_error = s.target;
    rng_stream rng(s.seed + 1);
    const variance_study_result r = probe_variance_study(ctx, rng, model, x, opt);
    std::printf("model: %s\n%s", description.c_str(), format_variance_study(r).c_str());
    if (!s.json_path.empty()) {
      std::ofstream out(s.json_path);
      if (!out) throw std::runtime_error("scorepath: cannot write '" + s.json_path + "'");
      out << to_json(r, description).dump(2) << '\n';
    }
  });
}

}  // namespace

void add_variance_command(CLI::App& app) {
  auto s = std::make_shared<variance_settings>();
  s->samples = 1000;
  s->precision = "double";
  CLI::App* cmd = app.add_subcommand(
      "variance", "Probe-law variance study of the sliced divergence: empirical against closed "
                  "form, and the probes needed for a target relative error");
  cmd->add_option("--model", s->model, "gaussian (2-D), diag-gaussian (2, 16), gmm (2, 16, 64) or "
                                       "mlp (2, 64)")
      ->capture_default_str();
  cmd->add_option("--dim", s->dim, "dimension D")->capture_default_str();
  cmd->add_option("--weights", s->weights, "MLP weights file; default random weights");
  cmd->add_option("--hidden", s->hidden, "MLP hidden widths for random weights")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--activation", s->activation, "MLP activation for random weights")
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "samples drawn from the built-in data distribution")
      ->capture_default_str();
  cmd->add_option("--samples-file", s->samples_file, "read samples instead: rows of D numbers");
  cmd->add_option("--probes,-m", s->probes, "probe counts M to study")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--laws", s->laws, "probe laws to study")->delimiter(',')->capture_default_str();
  cmd->add_option("--replicates,-r", s->replicates, "independent estimates per sample")
      ->capture_default_str();
  cmd->add_option("--target", s->target, "target relative error of the divergence estimate")
      ->capture_default_str();
  cmd->add_option("--seed", s->seed, "Philox seed")->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)");
  cmd->add_option("--json", s->json_path, "write the study as JSON to this file");
  cmd->callback([s] {
    SCOREPATH_EXPECTS(s->precision == "float" || s->precision == "double", "--precision",
                      s->precision, "must be float or double");
    SCOREPATH_EXPECTS(!s->probes.empty(), "--probes", "empty", "must list at least one count");
    for (std::uint32_t m : s->probes) SCOREPATH_EXPECTS(m >= 1, "--probes", m, "must be >= 1");
    SCOREPATH_EXPECTS(!s->laws.empty(), "--laws", "empty", "must list at least one law");
    for (const std::string& law : s->laws) parse_law_option("--laws", law);  // before any work
    SCOREPATH_EXPECTS(s->replicates >= 2, "--replicates", s->replicates, "must be >= 2");
    SCOREPATH_EXPECTS(std::isfinite(s->target) && s->target > 0.0, "--target", s->target,
                      "must be finite and > 0");
    if (s->precision == "float") {
      run_study<float>(*s);
    } else {
      run_study<double>(*s);
    }
  });
}

}  // namespace scorepath::cli
