// `scorepath variance`: the settings of the probe-law variance study and their checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model_checks.hpp"
#include "score_models.hpp"

namespace scorepath::cli {

/// Settings of a `variance` study: the model and samples, the laws and probe counts to compare.
struct variance_settings : model_settings {
  std::vector<std::uint32_t> probes{1, 2, 4, 8, 16};  ///< probe counts M
  std::vector<std::string> laws{"gaussian", "rademacher", "sphere", "orthogonal"};
  std::uint32_t replicates = 64;  ///< independent estimates per sample
  double target = 0.1;            ///< target relative error of the divergence estimate
  std::string precision = "double";
  int threads = 0;
  std::string json_path;          ///< empty: no JSON
};

/**
 * @brief Everything the study checks before it starts, in the order it checks them, without
 *        building the model, drawing samples or running; returns what check_model_and_samples read.
 * @throw invalid_argument_error naming the option or input; out_of_memory_error naming
 *        `--replicates` when samples x replicates estimates cannot be held
 */
checked_inputs check_study(const variance_settings& settings);

}  // namespace scorepath::cli
