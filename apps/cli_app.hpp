// The scorepath command line as a function, shared by the tool (main.cpp) and the fuzz target.
#pragma once

#include <stdexcept>
#include <string>

namespace scorepath::cli {

/// The tool's exit statuses (main.cpp and the README list them with the signals' 128 + N).
enum exit_status : int {
  exit_success = 0,        ///< the command ran and every output was written
  exit_failure = 1,        ///< a run-time failure: a write, memory, a backend
  exit_bad_arguments = 2,  ///< bad arguments, checked before anything ran or was written
  exit_not_finite = 3,     ///< the run completed, but its statistics or losses are not finite
};

/// A run completed and wrote its outputs, but some of its results are not finite (exit_not_finite).
class not_finite_results : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Another rank of a distributed run failed before the run began (processes.hpp): carries that
/// rank's exit status and message, which this rank reports as its own.
class rank_stopped : public std::runtime_error {
 public:
  rank_stopped(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }  ///< the failing rank's exit status

 private:
  int status_;
};

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
 * the weights and samples files its options name, and in cli_mode::run the paths its outputs
 * name) before any work, so cli_mode::validate_only gives the same verdict as a real run without
 * running it or touching the file system beyond its input files. In that mode help and error
 * messages are formatted but not printed, and an exception that is neither a scorepath::error
 * nor a CLI11 error is not caught, so that a fuzzer reports it. In cli_mode::run, control bytes
 * in messages are escaped (\xNN) before they reach stderr, and a failed write to standard output
 * is a failure.
 *
 * @return an exit_status: 0 success (also after --help and --version), 2 bad arguments (CLI11
 *         parse errors, scorepath::invalid_argument_error, an empty output path), 3 non-finite
 *         results, 1 any other failure (out of memory, a write to a file or to standard output)
 */
int run_cli(int argc, const char* const* argv, cli_mode mode);

/// The last error message run_cli reported (printed or not), empty when none.
const std::string& last_reported_error();

/// @p text with control bytes (C0, DEL, C1 in UTF-8) and a byte-order mark written as \xNN.
std::string escape_control_bytes(const std::string& text);

}  // namespace scorepath::cli
