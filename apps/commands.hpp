// Sub-commands of the scorepath command-line tool. Each checks its options when CLI11 calls it back
// and runs only in cli_mode::run.
#pragma once

#include <CLI/CLI.hpp>

#include "cli_app.hpp"

namespace scorepath::cli {

/// `scorepath info`: version, backends, devices, threads.
void add_info_command(CLI::App& app, cli_mode mode);
/// `scorepath simulate`: a built-in SDE ensemble with a summary table and optional CSV/JSON.
void add_simulate_command(CLI::App& app, cli_mode mode);
/// `scorepath ssm`: sliced score matching losses of a built-in score model.
void add_ssm_command(CLI::App& app, cli_mode mode);
/// `scorepath variance`: the probe-law variance study of the sliced divergence.
void add_variance_command(CLI::App& app, cli_mode mode);
/// `scorepath train`: trains an MLP score network on a data set.
void add_train_command(CLI::App& app, cli_mode mode);
/// `scorepath sample`: samples from a trained network or a built-in law's exact score.
void add_sample_command(CLI::App& app, cli_mode mode);
/// `scorepath evaluate`: sample-quality measures against a reference sample or a built-in law.
void add_evaluate_command(CLI::App& app, cli_mode mode);
/// `scorepath demo`: the library on built-in defaults, checked against exact values.
void add_demo_command(CLI::App& app, cli_mode mode);

}  // namespace scorepath::cli
