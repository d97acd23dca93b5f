#include "cli_app.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <sstream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "scorepath/config.hpp"
#include "scorepath/error.hpp"

namespace scorepath::cli {
namespace {

/// The options that name an output file, in every command that has them.
constexpr const char* output_options[] = {"--json", "--csv", "--states-csv", "--saved-csv"};

std::string last_error;

/// Prints @p message on stderr, control bytes escaped, when the tool runs; a validate-only parse
/// prints nothing. Either way the message is kept for last_reported_error().
void report(cli_mode mode, const char* format, const char* message) {
  const std::string escaped = escape_control_bytes(message);
  std::string line(std::snprintf(nullptr, 0, format, escaped.c_str()) + 1, '\0');
  std::snprintf(line.data(), line.size(), format, escaped.c_str());
  line.pop_back();
  last_error = line;
  if (mode == cli_mode::run) std::fputs(line.c_str(), stderr);
}

/// CLI11's exit for help and version requests, printing only when the tool runs.
int cli11_exit(const CLI::App& app, const CLI::Error& e, cli_mode mode) {
  if (mode == cli_mode::run) return app.exit(e);
  std::ostringstream discarded;
  return app.exit(e, discarded, discarded);
}

/// Refuses an empty value for every output option: "" names no file.
void refuse_empty_output_paths(CLI::App& app) {
  const CLI::Validator non_empty(
      [](std::string& value) {
        return value.empty() ? std::string("an empty path names no file; give a file name")
                             : std::string();
      },
      "FILE");
  for (CLI::App* command : app.get_subcommands({})) {
    for (const char* name : output_options) {
      if (CLI::Option* option = command->get_option_no_throw(name)) option->check(non_empty);
    }
  }
}

/// Parses and runs; the exit status before standard output is checked.
int parse_and_run(CLI::App& app, int argc, const char* const* argv, cli_mode mode) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli11_exit(app, e, mode);
  } catch (const CLI::CallForAllHelp& e) {
    return cli11_exit(app, e, mode);
  } catch (const CLI::CallForVersion& e) {
    return cli11_exit(app, e, mode);
  } catch (const rank_stopped& e) {
    report(mode, "%s\n", e.what());
    return e.status();
  } catch (const CLI::ParseError& e) {
    report(mode, "scorepath: %s (see --help)\n", e.what());
    return exit_bad_arguments;
  } catch (const invalid_argument_error& e) {
    report(mode, "%s\n", e.what());
    return exit_bad_arguments;
  } catch (const error& e) {
    report(mode, "%s\n", e.what());
    return exit_failure;
  } catch (const not_finite_results& e) {
    report(mode, "%s\n", e.what());
    return exit_not_finite;
  } catch (const std::bad_alloc&) {
    if (mode == cli_mode::validate_only) throw;  // checking options should allocate within bounds
    report(mode, "%s\n",
           "scorepath: out of memory: an allocation failed during the run; ask for less "
           "(--paths, --samples, --hidden, --threads, --save-every) or free memory");
    return exit_failure;
  } catch (const std::exception& e) {
    if (mode == cli_mode::validate_only) throw;  // checking options should raise nothing else
    report(mode, "%s\n", e.what());
    return exit_failure;
  }
  return exit_success;
}

/// Flushes standard output; a failed write there (a full disk, a closed descriptor) turns a
/// success into exit_failure with a message.
int check_standard_output(int status) {
  errno = 0;
  std::cout.flush();  // with stdio synchronised this flushes stdout too, setting errno on failure
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  if (flushed && !std::ferror(stdout) && std::cout.good()) return status;
  std::fprintf(stderr, "scorepath: cannot write standard output%s%s\n", err != 0 ? ": " : "",
               err != 0 ? std::strerror(err) : "");
  return status == exit_success ? exit_failure : status;
}

}  // namespace

const std::string& last_reported_error() { return last_error; }

std::string escape_control_bytes(const std::string& text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  auto escape = [&](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    const bool bom = c == 0xEF && next == 0xBB && i + 2 < text.size() &&
                     static_cast<unsigned char>(text[i + 2]) == 0xBF;
    const bool c1 = c == 0xC2 && next >= 0x80 && next <= 0x9F;  // U+0080..U+009F
    if (bom || c1) {
      const std::size_t length = bom ? 3 : 2;
      for (std::size_t k = 0; k < length; ++k) escape(static_cast<unsigned char>(text[i + k]));
      i += length - 1;
    } else if (c < 0x20 || c == 0x7F) {
      escape(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int run_cli(int argc, const char* const* argv, cli_mode mode) {
  CLI::App app{"scorepath: SDE path ensembles and sliced score matching on CPU and CUDA"};
  app.set_version_flag("--version", scorepath::version_string);
  app.require_subcommand(1);
  add_info_command(app, mode);
  add_simulate_command(app, mode);
  add_ssm_command(app, mode);
  add_variance_command(app, mode);
  add_train_command(app, mode);
  add_sample_command(app, mode);
  add_evaluate_command(app, mode);
  add_demo_command(app, mode);
  refuse_empty_output_paths(app);
  const int status = parse_and_run(app, argc, argv, mode);
  return mode == cli_mode::run ? check_standard_output(status) : status;
}

}  // namespace scorepath::cli
