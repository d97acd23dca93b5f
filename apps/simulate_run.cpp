// Running a `simulate` request: the checked run, its summary and its files.
#include <chrono>
#include <memory>
#include <vector>

#include "builtin_sdes.hpp"
#include "cli_app.hpp"
#include "command_runs.hpp"
#include "output_file.hpp"
#include "processes.hpp"
#include "progress_bar.hpp"
#include "run_output.hpp"
#include "simulate_prepare.hpp"
#if SCOREPATH_HAVE_MPI
#include "scorepath/mpi/ensemble.hpp"
#include "scorepath/mpi/gather_paths.hpp"
#endif

namespace scorepath::cli {
namespace {

#if SCOREPATH_HAVE_MPI
/// The run shared among the ranks of MPI_COMM_WORLD: the same report as one process, and the
/// per-path states joined on rank 0 in the one-process layout.
template <class Sde, class T>
em_host_result<T> simulate_on_all_ranks(const context& ctx, rng_stream& rng, const Sde& sde,
                                        const std::vector<T>& x0, const em_options& opt,
                                        bool keep_final, bool keep_saved) {
  const item_share mine = mpi::local_share(MPI_COMM_WORLD, opt.paths);
  const std::uint64_t saves = opt.save_steps.empty() && opt.statistics ? 1 : opt.save_steps.size();
  std::vector<T> final_states, saved_states;
  mpi::agree_on_failure(MPI_COMM_WORLD, [&] {
    const std::uint64_t dim = Sde::dim;
    if (keep_final) final_states.resize(checked_size_product(dim, mine.count, "final_states"));
    if (keep_saved) {
      saved_states.resize(checked_size_product(saves * dim, mine.count, "saved_states"));
    }
  });
  em_outputs<T> out;
  if (!final_states.empty()) {
    out.final_states = host_output(final_states.data(), final_states.size());
  }
  if (!saved_states.empty()) {
    out.saved_states = host_output(saved_states.data(), saved_states.size());
  }
  em_host_result<T> result;
  result.report = mpi::simulate_em(MPI_COMM_WORLD, ctx, rng, sde, x0, opt, out);
  if (keep_final) {
    result.final_states =
        mpi::gather_path_values(MPI_COMM_WORLD, final_states, Sde::dim, opt.paths);
  }
  if (keep_saved) {
    result.saved_states =
        mpi::gather_path_values(MPI_COMM_WORLD, saved_states, saves * Sde::dim, opt.paths);
  }
  return result;
}
#endif

/// This process's paths: all of them, or its rank's share of a shared run.
std::uint64_t own_paths(std::uint64_t paths, bool shared) {
#if SCOREPATH_HAVE_MPI
  if (shared) return mpi::local_share(MPI_COMM_WORLD, paths).count;
#endif
  (void)shared;
  return paths;
}

template <class Sde>
run_result run_sde(const Sde& sde, const sde_spec& spec, const run_settings& s, bool shared) {
  using T = typename Sde::scalar_type;
  prepared_run<T> run = prepare_run(sde, spec, s);
  run_result result;
  result.spec = spec;
  result.options = std::move(run.options);
  // The bar follows this process's own paths (rank 0's in a distributed run).
  const std::uint64_t own = own_paths(s.paths, shared);
  result.options.progress =
      make_progress_bar("simulate", static_cast<double>(own) * static_cast<double>(s.steps));
  if (result.options.progress) result.options.chunk_paths = progress_chunk(own);
  result.precision = s.precision;
  rng_stream rng(s.seed);
  const auto start = std::chrono::steady_clock::now();
  em_host_result<T> host;
#if SCOREPATH_HAVE_MPI
  if (shared) {
    host = simulate_on_all_ranks(run.ctx, rng, sde, run.x0, result.options, s.keep_final,
                                 s.keep_saved);
  } else
#endif
  {
    host = simulate_em_to_host(run.ctx, rng, sde, run.x0, result.options, s.keep_final,
                               s.keep_saved);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.report = std::move(host.report);
  result.final_states.assign(host.final_states.begin(), host.final_states.end());
  result.saved_states.assign(host.saved_states.begin(), host.saved_states.end());
  return result;
}

}  // namespace

run_result run_builtin(const sde_spec& spec, const run_settings& settings, run_sharing sharing) {
  const bool shared = sharing == run_sharing::shared && processes().distributed();
  return with_precision(settings, [&](auto precision) {
    using T = decltype(precision);
    return with_builtin_sde<T>(
        spec, [&](const auto& sde) { return run_sde(sde, spec, settings, shared); });
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
  // Every check ends before the ranks agree (the output paths last), so that no rank fails alone
  // once the others are in the distributed engine.
  check_builtin(request.spec, settings);
  check_output_paths(paths, {});

  const run_result run = run_builtin(request.spec, settings);
  print_summary(run);
  // In a distributed run, rank 0 alone holds the per-path states and writes the files.
  const bool writes = processes().writes_outputs();
  // every file is written and finished before any replaces its destination
  std::vector<std::unique_ptr<output_file>> files;
  for (const output& o : outputs) {
    if (o.path.empty() || !writes) continue;
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
