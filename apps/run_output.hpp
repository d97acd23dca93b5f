// What a `simulate` run produced, and how it is printed and written.
#pragma once

#include <string>
#include <vector>

#include "scorepath/ensemble.hpp"
#include "sde_spec.hpp"

namespace scorepath::cli {

/// One run's results in double precision, whatever precision it ran in.
struct run_result {
  sde_spec spec;
  em_options options;
  std::string precision;
  em_report report;
  double seconds = 0.0;
  std::vector<double> final_states;  ///< [c·paths + p] when kept
  std::vector<double> saved_states;  ///< [(s·D + c)·paths + p] when kept
};

/// Prints the statistics table, with exact discrete-EM values and z-scores where they exist.
void print_summary(const run_result& run);
/// Writes the statistics table as CSV. @throw std::runtime_error when the file cannot be written
void write_statistics_csv(const run_result& run, const std::string& path);
/// Writes the run (settings, statistics, exact values, timing, stream state) as JSON.
void write_json(const run_result& run, const std::string& path);
/// Writes final states, one row per path. @throw std::runtime_error when nothing was kept
void write_states_csv(const run_result& run, const std::string& path);
/// Writes the states at every save point, one row per path and save point.
/// @throw std::runtime_error when nothing was kept
void write_saved_csv(const run_result& run, const std::string& path);

}  // namespace scorepath::cli
