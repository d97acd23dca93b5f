// In place of the command runs (apps/*_run.cpp) for fuzz_cli: validate-only never runs a command,
// so reaching one of these is a finding.
#include <cstdio>
#include <cstdlib>

#include "command_runs.hpp"

namespace scorepath::cli {
namespace {
[[noreturn]] void reached(const char* run) {
  std::fprintf(stderr, "fuzz_cli: %s was reached in cli_mode::validate_only\n", run);
  std::abort();
}
}  // namespace

void run_simulate(const simulate_request&, const run_settings&) { reached("run_simulate"); }
void run_ssm_command(const ssm_settings&, const std::string&) { reached("run_ssm_command"); }
void run_variance(const variance_settings&, checked_inputs&) { reached("run_variance"); }
void run_demo(const run_settings&, std::uint64_t) { reached("run_demo"); }
void run_train(const train_settings&, train_inputs&) { reached("run_train"); }
void run_sample(const sample_settings&, const sample_inputs&) { reached("run_sample"); }
void run_evaluate(const evaluate_settings&, const evaluate_inputs&) { reached("run_evaluate"); }

}  // namespace scorepath::cli
