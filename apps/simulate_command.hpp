// Running a built-in SDE named on the command line.
#pragma once

#include <cstdint>
#include <string>

#include "run_output.hpp"
#include "sde_spec.hpp"

namespace scorepath::cli {

/// Settings of a `simulate` run besides the SDE.
struct run_settings {
  std::uint64_t paths = 100000;
  std::uint64_t steps = 256;
  double t0 = 0.0;
  double t1 = 1.0;
  std::uint64_t seed = 42;
  std::string precision = "float";
  std::string backend = "auto";
  int threads = 0;
  std::uint64_t save_every = 0;  ///< statistics every this many steps; 0: at the end only
  bool keep_final = false;       ///< keep per-path final states (for --states-csv)
  bool keep_saved = false;       ///< keep per-path states at the save points (for --saved-csv)
};

/// What `simulate` was given on the command line.
struct simulate_request {
  sde_spec spec;
  run_settings settings;     ///< as given; settings_of() completes them
  std::string csv, json, states_csv, saved_csv;  ///< output files; empty: not written
  double dt = 0.0;           ///< step size, when dt_given
  bool dt_given = false;
};

/**
 * @brief The run settings of @p request: --dt turned into a step count, the kept outputs set.
 * @throw invalid_argument_error naming `--dt` when it does not divide t1 - t0 into whole steps
 */
run_settings settings_of(const simulate_request& request);

/// How the ranks of a distributed run (processes.hpp) take a simulation.
enum class run_sharing {
  shared,       ///< each rank simulates its share; the per-path states are joined on rank 0
  whole_on_all  ///< every rank simulates every path (a caller that needs the states on all)
};

/**
 * @brief Builds the SDE named by @p spec, checks the run as check_builtin does and runs it
 *        (simulate_run.cpp), shared among the ranks of a distributed run as @p sharing says.
 * @throw invalid_argument_error naming the bad option
 */
run_result run_builtin(const sde_spec& spec, const run_settings& settings,
                       run_sharing sharing = run_sharing::shared);

/**
 * @brief Everything run_builtin checks before it starts, in the same order, without running:
 *        precision, SDE name, dimension and parameters, save points, backend, threads, initial
 *        state, the size of the per-path outputs, and the library's checks of the run.
 * @throw invalid_argument_error naming the bad option; unavailable_error for a backend this build
 *        or host lacks; out_of_memory_error for per-path outputs this host cannot hold
 */
void check_builtin(const sde_spec& spec, const run_settings& settings);

}  // namespace scorepath::cli
