// `scorepath variance`: its options and their checks. The study runs in variance_run.cpp.
#include "variance_command.hpp"

#include <memory>
#include <optional>

#include "command_runs.hpp"
#include "commands.hpp"
#include "scorepath/memory.hpp"
#include "option_values.hpp"

namespace scorepath::cli {

namespace {

template <class T>
void check_run(const variance_settings& s, const checked_inputs& in) {
  with_any_dim_model<T>(s, in.weights_file(), [&](const auto& model, const std::string&,
                                                  std::optional<double>) {
    (void)prepare_study(model, s, samples_to_check<T>(s, in));
  });
}

}  // namespace

checked_inputs check_study(const variance_settings& s) {
  check_precision_option(s.precision);
  checked_inputs in = check_model_and_samples(s, s.precision);
  // the study's buffer of one estimate per sample and replicate, for all the samples (the
  // library's own check in prepare_study sees the first drawn sample only)
  const std::size_t estimates = checked_size_product(in.samples, s.replicates, "--replicates");
  check_host_request(checked_size_product(estimates, sizeof(double), "--replicates"),
                     "--replicates");
  if (s.precision == "float") {
    check_run<float>(s, in);
  } else {
    check_run<double>(s, in);
  }
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
