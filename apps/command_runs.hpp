// What each command runs once its options are checked. These are defined in the *_run.cpp files;
// the fuzz target fuzz_cli, which only checks options (cli_mode::validate_only), links stubs that
// abort instead (fuzz/cli_runs_absent.cpp), so a run reached while validating is a finding.
#pragma once

#include <cstdint>
#include <string>

#include "evaluate_command.hpp"
#include "model_checks.hpp"
#include "sample_command.hpp"
#include "simulate_command.hpp"
#include "ssm_command.hpp"
#include "train_command.hpp"
#include "variance_command.hpp"

namespace scorepath::cli {

/// Runs a checked `simulate` request, prints its summary and writes the files it names.
void run_simulate(const simulate_request& request, const run_settings& settings);
/// Runs `ssm` on checked settings, prints the losses and writes @p json_path unless empty.
void run_ssm_command(const ssm_settings& settings, const std::string& json_path);
/// Runs the variance study on checked settings and the inputs their checks read.
void run_variance(const variance_settings& settings, checked_inputs& inputs);
/// Runs every section of `demo` with the backend, threads and seed of @p base, each section's
/// paths or samples divided by @p divisor (1 for the full demo).
void run_demo(const run_settings& base, std::uint64_t divisor);

}  // namespace scorepath::cli
