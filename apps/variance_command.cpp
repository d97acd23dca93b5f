// `scorepath variance`: its options and their checks. The study runs in variance_run.cpp.
#include "variance_command.hpp"

#include <cmath>
#include <memory>

#include "command_runs.hpp"
#include "commands.hpp"
#include "scorepath/context.hpp"
#include "scorepath/memory.hpp"
#include "thread_option.hpp"
#include "option_values.hpp"

namespace scorepath::cli {

checked_inputs check_study(const variance_settings& s) {
  SCOREPATH_EXPECTS(s.precision == "float" || s.precision == "double", "--precision",
                    s.precision, "must be float or double");
  SCOREPATH_EXPECTS(!s.probes.empty(), "--probes", "empty", "must list at least one count");
  for (std::uint32_t m : s.probes) SCOREPATH_EXPECTS(m >= 1, "--probes", m, "must be >= 1");
  SCOREPATH_EXPECTS(!s.laws.empty(), "--laws", "empty", "must list at least one law");
  for (const std::string& law : s.laws) parse_law_option("--laws", law);
  SCOREPATH_EXPECTS(s.replicates >= 2, "--replicates", s.replicates, "must be >= 2");
  SCOREPATH_EXPECTS(std::isfinite(s.target) && s.target > 0.0, "--target", s.target,
                    "must be finite and > 0");
  checked_inputs in = check_model_and_samples(s, s.precision);
  context ctx(backend_choice::cpu);
  check_thread_option(s.threads);
  ctx.set_threads(s.threads);
  // probe_variance_study's buffer of one estimate per sample and replicate
  const std::size_t estimates = checked_size_product(in.samples, s.replicates, "--replicates");
  check_host_request(checked_size_product(estimates, sizeof(double), "--replicates"),
                     "--replicates");
  return in;
}

void add_variance_command(CLI::App& app, cli_mode mode) {
  auto s = std::make_shared<variance_settings>();
  s->samples = 1000;
  s->precision = "double";
  CLI::App* cmd = app.add_subcommand(
      "variance", "Probe-law variance study of the sliced divergence: empirical against closed "
                  "form, and the probes needed for a target relative error");
  cmd->add_option("--model", s->model, "gaussian (2-D), diag-gaussian (2, 16), gmm (2, 16, 64) or "
                                       "mlp (2, 64)")
      ->capture_default_str();
  cmd->add_option("--dim", s->dim, "dimension D")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  cmd->add_option("--weights", s->weights, "MLP weights file; default random weights");
  add_list_option(cmd, "--hidden", s->hidden, "MLP hidden widths for random weights");
  cmd->add_option("--activation", s->activation, "MLP activation for random weights")
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "samples drawn from the built-in data distribution")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--samples-file", s->samples_file, "read samples instead: rows of D numbers");
  add_list_option(cmd, "--probes,-m", s->probes, "probe counts M to study");
  add_list_option(cmd, "--laws", s->laws, "probe laws to study");
  cmd->add_option("--replicates,-r", s->replicates, "independent estimates per sample")
      ->transform(decimal_integer<std::uint32_t>())
      ->capture_default_str();
  cmd->add_option("--target", s->target, "target relative error of the divergence estimate")
      ->capture_default_str();
  cmd->add_option("--seed", s->seed, "Philox seed")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--json", s->json_path, "write the study as JSON to this file");
  refuse_missing_values(cmd);
  cmd->callback([cmd, s, mode] {
    naming_options(*cmd, model_option_names(), [&] {
      checked_inputs in = check_study(*s);
      if (mode == cli_mode::validate_only) return;
      run_variance(*s, in);
    });
  });
}

}  // namespace scorepath::cli
