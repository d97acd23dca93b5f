// Running sliced score matching on a built-in score model named on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "score_models.hpp"
#include "scorepath/ssm.hpp"

namespace scorepath::cli {

/// Settings of an `ssm` run: the model and samples, and what to compute.
struct ssm_settings : model_settings {
  std::uint32_t probes = 1;       ///< M
  std::string law = "gaussian";   ///< probe law
  bool half_scaling = false;      ///< Song et al.'s ½ convention
  bool exact_ism = true;          ///< also the exact ISM loss
  std::string precision = "float";
  std::string backend = "auto";
  int threads = 0;
};

/// What an `ssm` run produced.
struct ssm_result {
  std::string description;        ///< the model in words
  int dim = 0;
  std::uint64_t samples = 0;
  ssm_report report;
  double seconds = 0.0;           ///< time of sliced_score_matching alone
  std::optional<double> exact_ism;  ///< E[ISM] in closed form, when the data follow the model
};

/**
 * @brief Builds the model and the samples named by @p settings and runs sliced score matching.
 * @throw invalid_argument_error naming the bad option or input
 */
ssm_result run_ssm(const ssm_settings& settings);

/// Prints the losses with their standard errors, the closed form where known, and throughput.
void print_ssm(const ssm_result& result, const ssm_settings& settings);

/// Writes the run as JSON. @throw std::runtime_error when the file cannot be written
void write_ssm_json(const ssm_result& result, const ssm_settings& settings,
                    const std::string& path);

}  // namespace scorepath::cli
