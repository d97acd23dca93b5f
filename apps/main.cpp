// The scorepath command-line tool. Exit codes: 0 success, 1 run-time failure, 2 bad arguments.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "scorepath/config.hpp"
#include "scorepath/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"scorepath: SDE path ensembles and sliced score matching on CPU and CUDA"};
  app.set_version_flag("--version", scorepath::version_string);
  app.require_subcommand(1);
  scorepath::cli::add_info_command(app);
  scorepath::cli::add_simulate_command(app);
  scorepath::cli::add_ssm_command(app);
  scorepath::cli::add_variance_command(app);
  scorepath::cli::add_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "scorepath: %s (see --help)\n", e.what());
    return 2;
  } catch (const scorepath::invalid_argument_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
