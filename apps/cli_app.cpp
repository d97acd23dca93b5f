#include "cli_app.hpp"

#include <cstdio>
#include <exception>
#include <sstream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "scorepath/config.hpp"
#include "scorepath/error.hpp"

namespace scorepath::cli {
namespace {

/// Prints @p message on stderr when the tool runs; a validate-only parse prints nothing.
void report(cli_mode mode, const char* format, const char* message) {
  if (mode == cli_mode::run) std::fprintf(stderr, format, message);
}

/// CLI11's exit for help and version requests, printing only when the tool runs.
int cli11_exit(const CLI::App& app, const CLI::Error& e, cli_mode mode) {
  if (mode == cli_mode::run) return app.exit(e);
  std::ostringstream discarded;
  return app.exit(e, discarded, discarded);
}

}  // namespace

int run_cli(int argc, const char* const* argv, cli_mode mode) {
  CLI::App app{"scorepath: SDE path ensembles and sliced score matching on CPU and CUDA"};
  app.set_version_flag("--version", scorepath::version_string);
  app.require_subcommand(1);
  add_info_command(app, mode);
  add_simulate_command(app, mode);
  add_ssm_command(app, mode);
  add_variance_command(app, mode);
  add_demo_command(app, mode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli11_exit(app, e, mode);
  } catch (const CLI::CallForAllHelp& e) {
    return cli11_exit(app, e, mode);
  } catch (const CLI::CallForVersion& e) {
    return cli11_exit(app, e, mode);
  } catch (const CLI::ParseError& e) {
    report(mode, "scorepath: %s (see --help)\n", e.what());
    return 2;
  } catch (const invalid_argument_error& e) {
    report(mode, "%s\n", e.what());
    return 2;
  } catch (const error& e) {
    report(mode, "%s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    if (mode == cli_mode::validate_only) throw;  // checking options should raise nothing else
    report(mode, "%s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace scorepath::cli
