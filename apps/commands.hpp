// Sub-commands of the scorepath command-line tool.
#pragma once

#include <CLI/CLI.hpp>

namespace scorepath::cli {

/// `scorepath info`: version, backends, devices, threads.
void add_info_command(CLI::App& app);
/// `scorepath simulate`: a built-in SDE ensemble with a summary table and optional CSV/JSON.
void add_simulate_command(CLI::App& app);
/// `scorepath ssm`: sliced score matching losses of a built-in score model.
void add_ssm_command(CLI::App& app);
/// `scorepath variance`: the probe-law variance study of the sliced divergence.
void add_variance_command(CLI::App& app);
/// `scorepath demo`: the library on built-in defaults, checked against exact values.
void add_demo_command(CLI::App& app);

}  // namespace scorepath::cli
