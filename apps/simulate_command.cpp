// `scorepath simulate`: its options and their checks. The run is in simulate_run.cpp.
#include "simulate_command.hpp"

#include <cmath>
#include <memory>

#include "builtin_sdes.hpp"
#include "command_runs.hpp"
#include "commands.hpp"
#include "simulate_prepare.hpp"
#include "option_values.hpp"

namespace scorepath::cli {

run_settings settings_of(const simulate_request& r) {
  run_settings s = r.settings;
  if (r.dt_given) {
    const double span = s.t1 - s.t0;
    const double count = std::round(span / r.dt);
    SCOREPATH_EXPECTS(r.dt > 0.0 && std::isfinite(r.dt) && count >= 1.0 &&
                          std::abs(count * r.dt - span) <= 1e-9 * std::abs(span),
                      "--dt", r.dt, "must be positive and divide t1 - t0 into whole steps");
    // the library takes fewer than 2^62 draws per path, so as many steps at most; the bound also
    // keeps the conversion defined
    SCOREPATH_EXPECTS(count < max_em_draws_per_path, "--dt", r.dt,
                      "gives " + number_text(count) + " steps over t1 - t0, at most 2^62");
    s.steps = static_cast<std::uint64_t>(count);
  }
  s.keep_final = !r.states_csv.empty();
  s.keep_saved = !r.saved_csv.empty();
  return s;
}

void check_builtin(const sde_spec& spec, const run_settings& settings) {
  with_precision(settings, [&](auto precision) {
    using T = decltype(precision);
    with_builtin_sde<T>(spec, [&](const auto& sde) { (void)prepare_run(sde, spec, settings); });
  });
}

namespace {

/// The library's names of what simulate's options set.
const option_names& simulate_names() {
  static const option_names names{
      {"paths", "--paths"},         {"steps", "--steps"},         {"t0", "--t0"},
      {"t1", "--t1"},               {"x0", "--x0"},               {"x0 size", "--x0", false},
      {"mu", "--mu"},               {"mean", "--mu"},             {"sigma", "--sigma"},
      {"stddev", "--sigma"},        {"theta", "--theta"},         {"rho", "--rho"},
      {"correlation", "--rho", false},     {"beta_min", "--beta-min"},   {"beta_max", "--beta-max"},
      {"sigma_min", "--sigma-min"}, {"sigma_max", "--sigma-max"}, {"threads", "--threads"},
      {"backend", "--backend"},     {"save_steps", "--save-every"}};
  return names;
}

}  // namespace

void add_simulate_command(CLI::App& app, cli_mode mode) {
  auto st = std::make_shared<simulate_request>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Simulate an ensemble of a built-in SDE by Euler-Maruyama and summarise it");
  cmd->add_option("--sde", st->spec.name, "bm, gbm, cgbm, ou, vp, ve or langevin")
      ->capture_default_str();
  std::vector<CLI::Option*> reals;  // the SDE's parameters and x0, checked against --precision
  cmd->add_option("--dim", st->spec.dim, "state dimension (bm/gbm 1, cgbm 2|4, ou 1|8, vp/ve 1|2, "
                                         "langevin 2)")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  reals.push_back(cmd->add_option("--mu", st->spec.mu, "drift (bm, gbm, cgbm), long-run mean (ou), target mean "
                                       "(langevin)")
      ->capture_default_str());
  reals.push_back(cmd->add_option("--sigma", st->spec.sigma, "noise scale (bm, gbm, cgbm, ou), target std "
                                             "(langevin)")
      ->capture_default_str());
  reals.push_back(cmd->add_option("--theta", st->spec.theta, "reversion rate (ou)")->capture_default_str());
  reals.push_back(cmd->add_option("--rho", st->spec.rho, "pairwise correlation (cgbm)")->capture_default_str());
  reals.push_back(cmd->add_option("--beta-min", st->spec.beta_min, "vp: beta(0)")->capture_default_str());
  reals.push_back(cmd->add_option("--beta-max", st->spec.beta_max, "vp: beta(1)")->capture_default_str());
  reals.push_back(cmd->add_option("--sigma-min", st->spec.sigma_min, "ve: sigma(0)")->capture_default_str());
  reals.push_back(cmd->add_option("--sigma-max", st->spec.sigma_max, "ve: sigma(1)")->capture_default_str());
  reals.push_back(cmd->add_option("--x0", st->spec.x0, "initial state: one value for all components, or dim values"));
  cmd->add_option("--paths", st->settings.paths, "number of paths")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  CLI::Option* steps =
      cmd->add_option("--steps", st->settings.steps, "time steps")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  CLI::Option* dt = cmd->add_option("--dt", st->dt, "step size instead of --steps; (t1 - t0)/dt must be a whole "
                                  "number")
      ->excludes(steps);
  // the times stay double: the run's checks of the step size bound them
  cmd->add_option("--t0", st->settings.t0, "start time")->capture_default_str();
  cmd->add_option("--t1", st->settings.t1, "end time")->capture_default_str();
  cmd->add_option("--seed", st->settings.seed, "Philox seed")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--precision", st->settings.precision, "float or double")->capture_default_str();
  cmd->add_option("--backend", st->settings.backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", st->settings.threads, "CPU threads (0: OpenMP default)")
      ->transform(decimal_integer<int>())
      ->capture_default_str();
  cmd->add_option("--save-every", st->settings.save_every,
                  "statistics every N steps (0: at the end only)")
      ->transform(decimal_integer<std::uint64_t>())
      ->capture_default_str();
  cmd->add_option("--csv", st->csv, "write the statistics table as CSV");
  cmd->add_option("--json", st->json, "write the run as JSON");
  cmd->add_option("--states-csv", st->states_csv, "write every path's final state as CSV");
  cmd->add_option("--saved-csv", st->saved_csv,
                  "write every path's state at each save point (--save-every) as CSV");
  refuse_missing_values(cmd);
  cmd->callback([cmd, st, dt, reals, mode] {
    naming_options(*cmd, simulate_names(), [&] {
      st->dt_given = dt->count() > 0;
      if (st->settings.precision == "float") {
        for (const CLI::Option* real : reals) check_in_range<float>(real, "float");
      }
      const run_settings settings = settings_of(*st);
      if (mode == cli_mode::validate_only) {
        check_builtin(st->spec, settings);
        return;
      }
      run_simulate(*st, settings);  // makes the same checks first
    });
  });
}

}  // namespace scorepath::cli
