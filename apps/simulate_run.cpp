// Running a `simulate` request: the checked run, its summary and its files.
#include <chrono>
#include <memory>
#include <vector>

#include "builtin_sdes.hpp"
#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
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
  using writer = void (*)(const run_result&, std::ostream&);
  struct output {
    const char* option;
    const std::string& path;
    writer write;
  };
  const output outputs[] = {{"--csv", request.csv, write_statistics_csv},
                            {"--json", request.json, write_json},
                            {"--states-csv", request.states_csv, write_states_csv},
                            {"--saved-csv", request.saved_csv, write_saved_csv}};
  std::vector<option_path> paths;
  for (const output& o : outputs) paths.push_back({o.option, o.path});
  check_output_paths(paths, {});

  const run_result run = run_builtin(request.spec, settings);
  print_summary(run);
  // every file is written and finished before any replaces its destination
  std::vector<std::unique_ptr<output_file>> files;
  for (const output& o : outputs) {
    if (o.path.empty()) continue;
    files.push_back(std::make_unique<output_file>(o.option, o.path));
    o.write(run, files.back()->stream());
    files.back()->finish();
  }
  for (const auto& file : files) file->publish();
  if (const std::string bad = first_non_finite(run); !bad.empty()) {
    throw not_finite_results("scorepath: the statistics are not finite (" + bad +
                             "): the run overflowed or met an undefined value; check the "
                             "parameters and the precision (exit status 3)");
  }
}

}  // namespace scorepath::cli
