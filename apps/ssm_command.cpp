// `scorepath ssm`: its options and their checks. The run is in ssm_run.cpp.
#include "ssm_command.hpp"

#include <memory>

#include "command_runs.hpp"
#include "commands.hpp"
#include "option_values.hpp"

namespace scorepath::cli {

namespace {

template <class T>
void check_run(const ssm_settings& s, const checked_inputs& in) {
  with_any_dim_model<T>(s, in.weights_file(), [&](const auto& model, const std::string&,
                                                  std::optional<double>) {
    (void)prepare_ssm(model, s, samples_to_check<T>(s, in));
  });
}

}  // namespace

checked_inputs check_ssm(const ssm_settings& s) {
  (void)parse_law_option("--law", s.law);
  check_precision_option(s.precision);
  checked_inputs in = check_model_and_samples(s, s.precision);
  if (s.precision == "float") {
    check_run<float>(s, in);
  } else {
    check_run<double>(s, in);
  }
  return in;
}

void add_ssm_command(CLI::App& app, cli_mode mode) {
  auto s = std::make_shared<ssm_settings>();
  auto json_path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "ssm", "Sliced score matching losses of a built-in score model on its data");
  cmd->add_option("--model", s->model, "gaussian (2-D), diag-gaussian, gmm or mlp (any D; "
                                       "compiled at 2, 16, 64)")
      ->capture_default_str();
  cmd->add_option("--dim", s->dim, "dimension D")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  cmd->add_option("--weights", s->weights, "MLP weights file (see mlp_file.hpp); default random");
  add_list_option(cmd, "--hidden", s->hidden, "MLP hidden widths for random weights");
  cmd->add_option("--activation", s->activation, "MLP activation for random weights: softplus, "
                                                 "tanh, silu or elu")
      ->capture_default_str();
  cmd->add_option("--samples", s->samples, "samples drawn from the built-in data distribution")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--samples-file", s->samples_file, "read samples instead: rows of D numbers");
  cmd->add_option("--probes,-m", s->probes, "probes per sample M")
      ->transform(decimal_integer<std::uint32_t>())
      ->capture_default_str();
  cmd->add_option("--law", s->law, "gaussian, rademacher, sphere or orthogonal")
      ->capture_default_str();
  cmd->add_flag("--half", s->half_scaling, "report Song et al.'s 1/2-scaled losses");
  cmd->add_flag("!--no-ism", s->exact_ism, "skip the exact ISM loss");
  cmd->add_option("--seed", s->seed, "Philox seed")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--precision", s->precision, "float or double")->capture_default_str();
  cmd->add_option("--backend", s->backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", s->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--json", *json_path, "write the results as JSON to this file");
  refuse_missing_values(cmd);
  cmd->callback([cmd, s, json_path, mode] {
    naming_options(*cmd, model_option_names(), [&] {
      if (mode == cli_mode::validate_only) {
        (void)check_ssm(*s);
        return;
      }
      run_ssm_command(*s, *json_path);  // makes the same checks first
    });
  });
}

}  // namespace scorepath::cli
