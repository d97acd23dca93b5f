// The scorepath command line as a function, shared by the tool (main.cpp) and the fuzz target.
#pragma once

namespace scorepath::cli {

/// How far run_cli goes with a command line.
enum class cli_mode {
  run,            ///< parse, check, run and print: the tool itself
  validate_only,  ///< parse and check every option, then stop: nothing runs, prints or is written
};

/**
 * @brief Parses @p argv (argv[0] is the program name), checks the chosen command's options and,
 *        in cli_mode::run, runs the command.
 *
 * Each command checks everything its run would check before starting (sizes, laws, model names,
 * the weights and samples files its options name) before any work, so cli_mode::validate_only
 * gives the same verdict as a real run without running it. In that mode help and error messages
 * are formatted but not printed, and an exception that is neither a scorepath::error nor a CLI11
 * error is not caught, so that a fuzzer reports it.
 *
 * @return the exit status: 0 success (also after --help and --version), 2 bad arguments (CLI11
 *         parse errors and scorepath::invalid_argument_error), 1 any other failure
 */
int run_cli(int argc, const char* const* argv, cli_mode mode);

}  // namespace scorepath::cli
