// `scorepath demo`: its options and their checks. The sections run in demo_run.cpp.
#include <memory>

#include "command_runs.hpp"
#include "commands.hpp"
#include "thread_option.hpp"
#include "option_values.hpp"

namespace scorepath::cli {
namespace {

/// The demo's checks of its options: the backend exists here and the thread count is valid.
void check_demo(const run_settings& base) { (void)make_context(base.backend, base.threads); }

}  // namespace

void add_demo_command(CLI::App& app, cli_mode mode) {
  auto settings = std::make_shared<run_settings>();
  auto small = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("demo", "Both engines on built-in defaults, against exact values");
  cmd->add_option("--backend", settings->backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", settings->threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>());
  cmd->add_option("--seed", settings->seed, "Philox seed")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_flag("--small", *small,
                "a thousandth of the paths and samples (at least 1000 each), for memory checkers");
  refuse_missing_values(cmd);
  cmd->callback([cmd, settings, small, mode] {
    static const option_names names{{"threads", "--threads"}, {"backend", "--backend"}};
    naming_options(*cmd, names, [&] {
      check_demo(*settings);
      if (mode == cli_mode::validate_only) return;
      run_demo(*settings, *small ? 1000 : 1);
    });
  });
}

}  // namespace scorepath::cli
