// What a `simulate` run produced, and how it is printed and written.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
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

/// A standard error from @p count values, when it exists: none for fewer than two.
std::optional<double> standard_error(double se, std::uint64_t count);
/// @p se formatted by @p format (one double), or "n/a" for fewer than two values.
std::string std_error_text(const char* format, double se, std::uint64_t count);
/// The z-score (estimate − exact) / se formatted by @p format, or "n/a" where the standard error
/// does not exist or is 0.
std::string z_text(const char* format, double estimate, double exact, double se,
                   std::uint64_t count);

/// Prints the statistics table, with exact discrete-EM values and z-scores where they exist.
void print_summary(const run_result& run);
/// Writes the statistics table as CSV (an empty std_error for fewer than two paths).
void write_statistics_csv(const run_result& run, std::ostream& out);
/// Writes the run (settings, statistics, exact values, timing, stream state) as JSON
/// (std_error null for fewer than two paths).
void write_json(const run_result& run, std::ostream& out);
/// Writes final states, one row per path. @throw std::runtime_error when nothing was kept
void write_states_csv(const run_result& run, std::ostream& out);
/// Writes the states at every save point, one row per path and save point.
/// @throw std::runtime_error when nothing was kept
void write_saved_csv(const run_result& run, std::ostream& out);

/// The first statistic of @p run that is not finite, described ("mean of component 0 at step
/// 256 = inf"); empty when every one is finite.
std::string first_non_finite(const run_result& run);

}  // namespace scorepath::cli
