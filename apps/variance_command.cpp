// `scorepath variance`: its options and their checks. The study runs in variance_run.cpp.
#include "variance_command.hpp"

#include <cmath>
#include <memory>

#include "command_runs.hpp"
#include "commands.hpp"
#include "scorepath/context.hpp"
#include "scorepath/memory.hpp"
#include "thread_option.hpp"
#include "unsigned_option.hpp"

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
  checked_inputs in = check_model_and_samples(s);
  context ctx(backend_choice::cpu);
  check_thread_option(s.threads);
  ctx.set_threads(s.threads);
  // probe_variance_study's buffer of one estimate per sample and replicate
  const std::size_t estimates = checked_size_product(in.samples, s.replicates, "replicates");
  check_host_request(checked_size_product(estimates, sizeof(double), "replicates"), "replicates");
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
  cmd->add_option("--dim", s->dim, "dimension D")->capture_default_str();
  cmd->add_option("--weights", s->weights, "MLP weights file; default random weights");
  cmd->add_option("--hidden", s->hidden, "MLP hidden widths for random weights")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--activation", s->activation, "MLP activation for random weights")
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "samples drawn from the built-in data distribution")
      ->check(not_negative())
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
  cmd->add_option("--seed", s->seed, "Philox seed")
      ->check(not_negative())
      ->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)");
  cmd->add_option("--json", s->json_path, "write the study as JSON to this file");
  cmd->callback([s, mode] {
    checked_inputs in = check_study(*s);
    if (mode == cli_mode::validate_only) return;
    run_variance(*s, in);
  });
}

}  // namespace scorepath::cli
