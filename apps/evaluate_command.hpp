// Measuring sample quality from the command line: `scorepath evaluate`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scorepath/sampling/diagonal_mixture.hpp"

namespace scorepath::cli {

/// Settings of an `evaluate` run, as typed (checked by check_evaluate).
struct evaluate_settings {
  std::string samples;           ///< the samples file to judge
  std::string reference;         ///< a second samples file, or
  std::string data;              ///< a built-in data set whose fresh draws are the reference
  std::uint64_t rows = 2000;     ///< rows used from each side (the first ones), ≥ 2
  double bandwidth = 0.0;        ///< MMD kernel bandwidth; 0: the median pairwise distance
  std::uint32_t projections = 128;  ///< sliced Wasserstein directions
  std::uint64_t seed = 0;
  int threads = 0;
  std::string json;
};

/// What the checks read and the run uses.
struct evaluate_inputs {
  int dim = 0;
  std::vector<double> samples;    ///< the first rows of --samples
  std::vector<double> reference;  ///< the first rows of --reference, or draws of --data
  std::vector<double> second_draw;  ///< --data only: an independent draw of the same size
  std::optional<diagonal_mixture> mixture;  ///< --data ring: its components
};

/**
 * @brief Reads and checks both sides: files that exist and parse, the same D on both sides,
 *        --rows, --bandwidth, --projections, --threads. run_evaluate checks the --json path first.
 * @throw invalid_argument_error naming the option
 */
evaluate_inputs check_evaluate(const evaluate_settings& s);

/// Prints the measures with their standard errors and writes --json.
void run_evaluate(const evaluate_settings& s, const evaluate_inputs& inputs);

}  // namespace scorepath::cli
