// `scorepath sample`: its options and their checks. The run is in sample_run.cpp.
#include "sample_command.hpp"

#include <memory>
#include <utility>

#include "command_runs.hpp"
#include "commands.hpp"
#include "model_checks.hpp"
#include "option_values.hpp"
#include "scorepath/datasets.hpp"
#include "scorepath/input_file.hpp"
#include "scorepath/training/mlp_network_file.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

namespace {

const option_names& sample_option_names() {
  static const option_names names{
      {"sampler", "--sampler"},     {"process", "--process"},     {"conditioning", "--process"},
      {"steps", "--steps"},         {"t_end", "--t-end"},         {"step_size", "--step-size"},
      {"initial_std", "--initial-std"}, {"corrector_steps", "--corrector-steps"},
      {"snr", "--snr"},             {"beta_min", "--beta-min"},   {"beta_max", "--beta-max"},
      {"sigma_min", "--sigma-min"}, {"sigma_max", "--sigma-max"}, {"levels", "--levels", false},
      {"threads", "--threads"},     {"backend", "--backend"},     {"dim", "--dim"},
      {"score", "--weights", false}};
  return names;
}

/// The law of a built-in data set as a diagonal mixture (ring, diag-gaussian).
diagonal_mixture exact_law(const std::string& name, int dim) {
  const datasets::distribution data = datasets::parse_distribution(name);
  SCOREPATH_EXPECTS(dim >= 1, "--dim", dim, "must be at least 1");
  if (data == datasets::distribution::ring_mixture) return ring_mixture_components(dim);
  SCOREPATH_EXPECTS(data == datasets::distribution::diagonal_gaussian, "--exact", name,
                    "must be ring or diag-gaussian: the laws whose diffused score is exact");
  diagonal_mixture m;
  m.dim = dim;
  m.weights = {1.0};
  for (int i = 0; i < dim; ++i) {
    m.means.push_back(datasets::diagonal_gaussian_mean(i));
    m.variances.push_back(datasets::diagonal_gaussian_variance(i));
  }
  return m;
}

template <class T>
void check_library(const sample_inputs& in) {
  const batch_score<T> score =
      in.network ? network_batch_score(make_mlp_network<T>(*in.network, "--weights"))
                 : mixture_batch_score<T>(*in.exact);
  std::vector<T> one(static_cast<std::size_t>(in.dim));
  validate_sampler(make_context("cpu", 0), score, in.options, host_output(one.data(), one.size()));
}

}  // namespace

sample_inputs check_sample(const sample_settings& s) {
  check_precision_option(s.precision);
  check_thread_option(s.threads);
  (void)parse_backend_choice(s.backend);  // names --backend
  SCOREPATH_EXPECTS(s.weights.empty() || s.exact.empty(), "--exact", s.exact,
                    "cannot be given with --weights: sample one score");
  SCOREPATH_EXPECTS(s.paths >= 1 && s.paths <= (std::uint64_t{1} << 32), "--paths", s.paths,
                    "must be between 1 and 2^32");
  sample_inputs in;
  sampler_options& o = in.options;
  o.kind = parse_sampler_kind(s.sampler);
  if (!s.weights.empty()) {
    check_input_file("--weights", s.weights, "weights file (an mlp file)");
    in.network = read_mlp_file(s.weights);
    in.dim = in.network->dim;
  } else {
    in.exact_name = s.exact.empty() ? "ring" : s.exact;
    in.exact = exact_law(in.exact_name, s.dim);
    in.dim = s.dim;
  }
  // The process: the network's own unless --process names one (then it must be the same).
  if (in.network && in.network->conditioning.conditioned() && s.process.empty()) {
    o.process = in.network->conditioning;
  } else {
    const char* default_process = o.kind == sampler_kind::annealed_langevin ? "levels" : "vp";
    o.process.kind = parse_conditioning_kind(s.process.empty() ? default_process : s.process);
    o.process.beta_min = s.beta_min;
    o.process.beta_max = s.beta_max;
    o.process.sigma_min = s.sigma_min;
    o.process.sigma_max = s.sigma_max;
    o.process.levels = s.levels;
  }
  o.steps = s.steps;
  o.t_end = s.t_end;
  o.step_size = s.step_size;
  o.initial_std = s.initial_std;
  o.corrector_steps = s.corrector_steps;
  o.snr = s.snr;
  o.denoise = !s.no_denoise;
  if (s.precision == "float") {
    check_library<float>(in);
  } else {
    check_library<double>(in);
  }
  return in;
}

void add_sample_command(CLI::App& app, cli_mode mode) {
  auto s = std::make_shared<sample_settings>();
  CLI::App* cmd = app.add_subcommand(
      "sample", "Draw samples with a score: a trained network or a built-in law's exact score");
  cmd->add_option("--weights", s->weights, "a trained network's weights file (scorepath train)");
  cmd->add_option("--exact", s->exact, "a built-in law's exact score instead: ring or "
                                       "diag-gaussian (the default is ring)");
  cmd->add_option("--dim", s->dim, "dimension of --exact")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  cmd->add_option("--sampler", s->sampler, "langevin, annealed_langevin, reverse_sde, pf_euler or "
                                           "pf_heun")
      ->capture_default_str();
  cmd->add_option("--process", s->process, "vp, ve or levels (default: the network's own; vp, "
                                           "or levels for annealed_langevin)");
  cmd->add_option("--beta-min", s->beta_min, "vp: beta(0)")->capture_default_str();
  cmd->add_option("--beta-max", s->beta_max, "vp: beta(1)")->capture_default_str();
  cmd->add_option("--sigma-min", s->sigma_min, "ve: sigma_min")->capture_default_str();
  cmd->add_option("--sigma-max", s->sigma_max, "ve: sigma_max")->capture_default_str();
  cmd->add_option("--levels", s->levels, "levels: sigma_1 > ... > sigma_L")->delimiter(',');
  cmd->add_option("--paths", s->paths, "samples to draw")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--steps", s->steps, "time steps (Langevin: steps, per level when annealed)")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--t-end", s->t_end, "last time of the reverse SDE or ODE")->capture_default_str();
  cmd->add_option("--step-size", s->step_size, "Langevin step epsilon")->capture_default_str();
  cmd->add_option("--initial-std", s->initial_std, "Langevin: spread of the initial states")
      ->capture_default_str();
  cmd->add_option("--corrector-steps", s->corrector_steps, "reverse_sde: Langevin corrector "
                                                           "steps per step")
      ->transform(decimal_integer<std::uint32_t>())
      ->capture_default_str();
  cmd->add_option("--snr", s->snr, "the corrector's signal-to-noise ratio")->capture_default_str();
  cmd->add_flag("--no-denoise", s->no_denoise, "skip the final denoising step");
  cmd->add_option("--seed", s->seed, "Philox seed")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--backend", s->backend, "where the paths run: auto, cpu or cuda")
      ->capture_default_str();
  cmd->add_option("--out", s->out, "write the samples as CSV to this file");
  cmd->add_option("--json", s->json, "write the summary as JSON to this file");
  refuse_missing_values(cmd);
  cmd->callback([cmd, s, mode] {
    naming_options(*cmd, sample_option_names(), [&] {
      const sample_inputs in = check_sample(*s);
      if (mode == cli_mode::validate_only) return;
      run_sample(*s, in);
    });
  });
}

}  // namespace scorepath::cli
