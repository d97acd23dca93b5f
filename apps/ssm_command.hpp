// Running sliced score matching on a built-in score model named on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model_checks.hpp"
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
 * @brief Checks @p settings as check_ssm does, builds the model and the samples they name and runs
 *        sliced score matching (ssm_run.cpp).
 * @throw invalid_argument_error naming the bad option or input
 */
ssm_result run_ssm(const ssm_settings& settings);

/**
 * @brief Everything run_ssm checks before it starts, in the same order, without building the model,
 *        drawing samples or running: probes, law, precision, the model and its weights file, the
 *        samples (count, or the samples file read and checked), backend and threads.
 * @return the model's dimension and the samples read from --samples-file, for the run
 * @throw invalid_argument_error naming the bad option or input; unavailable_error for a backend
 *        this build or host lacks; out_of_memory_error for buffers larger than this host's memory
 */
checked_inputs check_ssm(const ssm_settings& settings);

/// Prints the losses with their standard errors, the closed form where known, and throughput.
void print_ssm(const ssm_result& result, const ssm_settings& settings);

/// Writes the run as JSON. @throw std::runtime_error when the file cannot be written
void write_ssm_json(const ssm_result& result, const ssm_settings& settings,
                    const std::string& path);

}  // namespace scorepath::cli
