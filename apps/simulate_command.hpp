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

/**
 * @brief Builds the SDE named by @p spec and runs it.
 * @throw invalid_argument_error naming the bad option
 */
run_result run_builtin(const sde_spec& spec, const run_settings& settings);

}  // namespace scorepath::cli
