// `scorepath variance`: the settings of the probe-law variance study and their checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model_checks.hpp"
#include "score_models.hpp"
#include "scorepath/probe_variance.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

/// Settings of a `variance` study: the model and samples, the laws and probe counts to compare.
struct variance_settings : model_settings {
  variance_settings() { any_dim = true; }
  std::vector<std::uint32_t> probes{1, 2, 4, 8, 16};  ///< probe counts M
  std::vector<std::string> laws{"gaussian", "rademacher", "sphere", "orthogonal"};
  std::uint32_t replicates = 64;  ///< independent estimates per sample
  double target = 0.1;            ///< target relative error of the divergence estimate
  std::string precision = "double";
  int threads = 0;
  std::string json_path;          ///< empty: no JSON
};

/// What probe_variance_study is given besides the model and the samples.
struct study_call {
  context ctx;
  variance_study_options options;
};

/**
 * @brief The context and options of the study of @p model on @p samples, checked by the
 *        library's validate_probe_variance: the one function behind the run and the checks alone.
 * @throw invalid_argument_error naming the option; out_of_memory_error naming `--replicates`
 */
template <class Model, class T>
study_call prepare_study(const Model& model, const variance_settings& s,
                         const std::vector<T>& samples) {
  study_call call{make_context("cpu", s.threads), variance_study_options{}};
  call.options.probe_counts = s.probes;
  call.options.laws.clear();
  for (const std::string& law : s.laws) call.options.laws.push_back(parse_law_option("--laws", law));
  call.options.replicates = s.replicates;
  call.options.target_relative_error = s.target;
  validate_probe_variance(call.ctx, model, samples, call.options);
  return call;
}

/**
 * @brief Everything the study checks before it starts, without drawing samples or running: the
 *        precision, the model and the samples (check_model_and_samples), the memory of samples x
 *        replicates estimates, then prepare_study on the model built and on the samples read (or
 *        the first sample the run would draw); returns what check_model_and_samples read.
 * @throw invalid_argument_error naming the option or input; out_of_memory_error naming
 *        `--replicates` when samples x replicates estimates cannot be held
 */
checked_inputs check_study(const variance_settings& settings);

}  // namespace scorepath::cli
