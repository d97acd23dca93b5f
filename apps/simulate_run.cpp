// Running a `simulate` request: the checked run, its summary and its files.
#include <chrono>

#include "builtin_sdes.hpp"
#include "command_runs.hpp"
#include "progress_bar.hpp"
#include "run_output.hpp"
#include "simulate_prepare.hpp"

namespace scorepath::cli {
namespace {

template <class Sde>
run_result run_sde(const Sde& sde, const sde_spec& spec, const run_settings& s) {
  prepared_run<typename Sde::scalar_type> run = prepare_run(sde, spec, s);
  run_result result;
  result.spec = spec;
  result.options = std::move(run.options);
  result.options.progress = make_progress_bar(
      "simulate", static_cast<double>(s.paths) * static_cast<double>(s.steps));
  if (result.options.progress) result.options.chunk_paths = progress_chunk(s.paths);
  result.precision = s.precision;
  rng_stream rng(s.seed);
  const auto start = std::chrono::steady_clock::now();
  auto host = simulate_em_to_host(run.ctx, rng, sde, run.x0, result.options, s.keep_final,
                                  s.keep_saved);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.report = std::move(host.report);
  result.final_states.assign(host.final_states.begin(), host.final_states.end());
  result.saved_states.assign(host.saved_states.begin(), host.saved_states.end());
  return result;
}

}  // namespace

run_result run_builtin(const sde_spec& spec, const run_settings& settings) {
  return with_precision(settings, [&](auto precision) {
    using T = decltype(precision);
    return with_builtin_sde<T>(spec, [&](const auto& sde) { return run_sde(sde, spec, settings); });
  });
}

void run_simulate(const simulate_request& request, const run_settings& settings) {
  const run_result run = run_builtin(request.spec, settings);
  print_summary(run);
  if (!request.csv.empty()) write_statistics_csv(run, request.csv);
  if (!request.json.empty()) write_json(run, request.json);
  if (!request.states_csv.empty()) write_states_csv(run, request.states_csv);
  if (!request.saved_csv.empty()) write_saved_csv(run, request.saved_csv);
}

}  // namespace scorepath::cli
