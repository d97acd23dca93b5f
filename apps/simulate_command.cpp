#include "simulate_command.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "commands.hpp"
#include "progress_bar.hpp"
#include "scorepath/ensemble.hpp"

namespace scorepath::cli {
namespace {

context make_context(const run_settings& s) {
  context ctx(parse_backend_choice(s.backend));
  ctx.set_threads(s.threads);
  return ctx;
}

em_options make_options(const run_settings& s) {
  em_options opt;
  opt.paths = s.paths;
  opt.steps = s.steps;
  opt.t0 = s.t0;
  opt.t1 = s.t1;
  opt.statistics = true;
  if (s.save_every > 0) {
    for (std::uint64_t k = s.save_every; k <= s.steps; k += s.save_every) opt.save_steps.push_back(k);
    if (opt.save_steps.empty() || opt.save_steps.back() != s.steps) opt.save_steps.push_back(s.steps);
  }
  return opt;
}

template <class T>
std::vector<T> initial_state(const sde_spec& spec, int dim) {
  if (spec.x0.empty()) return std::vector<T>(dim, static_cast<T>(default_x0(spec)));
  if (spec.x0.size() == 1) return std::vector<T>(dim, static_cast<T>(spec.x0[0]));
  SCOREPATH_EXPECTS(spec.x0.size() == static_cast<std::size_t>(dim), "--x0",
                    spec.x0.size() + 0, "needs 1 or dim = " + std::to_string(dim) + " values");
  return std::vector<T>(spec.x0.begin(), spec.x0.end());
}

template <class Sde>
run_result run_sde(const Sde& sde, const sde_spec& spec, const run_settings& s) {
  using T = typename Sde::scalar_type;
  run_result result;
  result.spec = spec;
  result.options = make_options(s);
  result.options.progress = make_progress_bar(
      "simulate", static_cast<double>(s.paths) * static_cast<double>(s.steps));
  if (result.options.progress) result.options.chunk_paths = progress_chunk(s.paths);
  result.precision = s.precision;
  const context ctx = make_context(s);
  rng_stream rng(s.seed);
  const auto x0 = initial_state<T>(spec, Sde::dim);
  const auto start = std::chrono::steady_clock::now();
  if (s.keep_saved) {
    const double values = static_cast<double>(s.paths) * static_cast<double>(Sde::dim) *
                          static_cast<double>(std::max<std::size_t>(1, result.options.save_steps.size()));
    SCOREPATH_EXPECTS(values <= 1e8, "--saved-csv", values,
                      "would write more than 1e8 values; use fewer --paths or a larger --save-every");
  }
  auto host = simulate_em_to_host(ctx, rng, sde, x0, result.options, s.keep_final, s.keep_saved);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.report = std::move(host.report);
  result.final_states.assign(host.final_states.begin(), host.final_states.end());
  result.saved_states.assign(host.saved_states.begin(), host.saved_states.end());
  return result;
}

[[noreturn]] void unsupported_dim(const sde_spec& spec, const char* supported) {
  throw invalid_argument_error("--dim", std::to_string(spec.dim),
                               "the " + spec.name + " SDE is built for dim " + supported, __FILE__,
                               __LINE__);
}

template <class T, int D>
std::array<T, D> all(double v) {
  std::array<T, D> a;
  a.fill(static_cast<T>(v));
  return a;
}

template <class T, int D>
run_result run_cgbm(const sde_spec& spec, const run_settings& s) {
  std::array<T, D * D> rho;
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) rho[i * D + j] = static_cast<T>(i == j ? 1.0 : spec.rho);
  return run_sde(correlated_gbm<T, D>(all<T, D>(spec.mu), all<T, D>(spec.sigma), rho), spec, s);
}

template <class T>
run_result run_precision(const sde_spec& spec, const run_settings& s) {
  const auto t = [](double v) { return static_cast<T>(v); };
  const std::string& n = spec.name;
  if (n == "bm") {
    if (spec.dim != 1) unsupported_dim(spec, "1");
    return run_sde(brownian_motion<T, 1>(t(spec.mu), t(spec.sigma)), spec, s);
  }
  if (n == "gbm") {
    if (spec.dim != 1) unsupported_dim(spec, "1 (use cgbm for several assets)");
    return run_sde(geometric_brownian_motion<T>(t(spec.mu), t(spec.sigma)), spec, s);
  }
  if (n == "cgbm") {
    if (spec.dim == 2) return run_cgbm<T, 2>(spec, s);
    if (spec.dim == 4) return run_cgbm<T, 4>(spec, s);
    unsupported_dim(spec, "2 or 4");
  }
  if (n == "ou") {
    if (spec.dim == 1) {
      return run_sde(ornstein_uhlenbeck<T, 1>(t(spec.theta), t(spec.mu), t(spec.sigma)), spec, s);
    }
    if (spec.dim == 8) {
      return run_sde(ornstein_uhlenbeck<T, 8>(t(spec.theta), t(spec.mu), t(spec.sigma)), spec, s);
    }
    unsupported_dim(spec, "1 or 8");
  }
  if (n == "vp") {
    if (spec.dim == 1) return run_sde(vp_sde<T, 1>(t(spec.beta_min), t(spec.beta_max)), spec, s);
    if (spec.dim == 2) return run_sde(vp_sde<T, 2>(t(spec.beta_min), t(spec.beta_max)), spec, s);
    unsupported_dim(spec, "1 or 2");
  }
  if (n == "ve") {
    if (spec.dim == 1) return run_sde(ve_sde<T, 1>(t(spec.sigma_min), t(spec.sigma_max)), spec, s);
    if (spec.dim == 2) return run_sde(ve_sde<T, 2>(t(spec.sigma_min), t(spec.sigma_max)), spec, s);
    unsupported_dim(spec, "1 or 2");
  }
  if (n == "langevin") {
    if (spec.dim != 2) unsupported_dim(spec, "2");
    const isotropic_gaussian_score<T, 2> score(all<T, 2>(spec.mu), t(spec.sigma));
    return run_sde(langevin<isotropic_gaussian_score<T, 2>, 2>(score), spec, s);
  }
  throw invalid_argument_error("--sde", n, "must be bm, gbm, cgbm, ou, vp, ve or langevin",
                               __FILE__, __LINE__);
}

}  // namespace

run_result run_builtin(const sde_spec& spec, const run_settings& settings) {
  if (settings.precision == "float") return run_precision<float>(spec, settings);
  if (settings.precision == "double") return run_precision<double>(spec, settings);
  throw invalid_argument_error("--precision", settings.precision, "must be float or double",
                               __FILE__, __LINE__);
}

void add_simulate_command(CLI::App& app) {
  struct state {
    sde_spec spec;
    run_settings settings;
    std::string csv, json, states_csv, saved_csv;
    double dt = 0.0;
  };
  auto st = std::make_shared<state>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Simulate an ensemble of a built-in SDE by Euler-Maruyama and summarise it");
  cmd->add_option("--sde", st->spec.name, "bm, gbm, cgbm, ou, vp, ve or langevin")
      ->capture_default_str();
  cmd->add_option("--dim", st->spec.dim, "state dimension (bm/gbm 1, cgbm 2|4, ou 1|8, vp/ve 1|2, "
                                         "langevin 2)")
      ->capture_default_str();
  cmd->add_option("--mu", st->spec.mu, "drift (bm, gbm, cgbm), long-run mean (ou), target mean "
                                       "(langevin)")
      ->capture_default_str();
  cmd->add_option("--sigma", st->spec.sigma, "noise scale (bm, gbm, cgbm, ou), target std "
                                             "(langevin)")
      ->capture_default_str();
  cmd->add_option("--theta", st->spec.theta, "reversion rate (ou)")->capture_default_str();
  cmd->add_option("--rho", st->spec.rho, "pairwise correlation (cgbm)")->capture_default_str();
  cmd->add_option("--beta-min", st->spec.beta_min, "vp: beta(0)")->capture_default_str();
  cmd->add_option("--beta-max", st->spec.beta_max, "vp: beta(1)")->capture_default_str();
  cmd->add_option("--sigma-min", st->spec.sigma_min, "ve: sigma(0)")->capture_default_str();
  cmd->add_option("--sigma-max", st->spec.sigma_max, "ve: sigma(1)")->capture_default_str();
  cmd->add_option("--x0", st->spec.x0, "initial state: one value for all components, or dim values");
  cmd->add_option("--paths", st->settings.paths, "number of paths")->capture_default_str();
  CLI::Option* steps =
      cmd->add_option("--steps", st->settings.steps, "time steps")->capture_default_str();
  CLI::Option* dt = cmd->add_option("--dt", st->dt, "step size instead of --steps; (t1 - t0)/dt must be a whole "
                                  "number")
      ->excludes(steps);
  cmd->add_option("--t0", st->settings.t0, "start time")->capture_default_str();
  cmd->add_option("--t1", st->settings.t1, "end time")->capture_default_str();
  cmd->add_option("--seed", st->settings.seed, "Philox seed")->capture_default_str();
  cmd->add_option("--precision", st->settings.precision, "float or double")->capture_default_str();
  cmd->add_option("--backend", st->settings.backend, "auto, cpu or cuda")->capture_default_str();
  cmd->add_option("--threads", st->settings.threads, "CPU threads (0: OpenMP default)")
      ->capture_default_str();
  cmd->add_option("--save-every", st->settings.save_every,
                  "statistics every N steps (0: at the end only)")
      ->capture_default_str();
  cmd->add_option("--csv", st->csv, "write the statistics table as CSV");
  cmd->add_option("--json", st->json, "write the run as JSON");
  cmd->add_option("--states-csv", st->states_csv, "write every path's final state as CSV");
  cmd->add_option("--saved-csv", st->saved_csv,
                  "write every path's state at each save point (--save-every) as CSV");
  cmd->callback([st, dt] {
    if (dt->count() > 0) {
      const double span = st->settings.t1 - st->settings.t0;
      const double count = std::round(span / st->dt);
      SCOREPATH_EXPECTS(st->dt > 0.0 && std::isfinite(st->dt) && count >= 1.0 &&
                            std::abs(count * st->dt - span) <= 1e-9 * std::abs(span),
                        "--dt", st->dt, "must be positive and divide t1 - t0 into whole steps");
      st->settings.steps = static_cast<std::uint64_t>(count);
    }
    st->settings.keep_final = !st->states_csv.empty();
    st->settings.keep_saved = !st->saved_csv.empty();
    const run_result run = run_builtin(st->spec, st->settings);
    print_summary(run);
    if (!st->csv.empty()) write_statistics_csv(run, st->csv);
    if (!st->json.empty()) write_json(run, st->json);
    if (!st->states_csv.empty()) write_states_csv(run, st->states_csv);
    if (!st->saved_csv.empty()) write_saved_csv(run, st->saved_csv);
  });
}

}  // namespace scorepath::cli
