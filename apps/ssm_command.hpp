// Running sliced score matching on a built-in score model named on the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model_checks.hpp"
#include "score_models.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/mixture_ssm.hpp"
#include "scorepath/model_dim.hpp"
#include "scorepath/training/network_ssm.hpp"
#include "scorepath/validate.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

/// Settings of an `ssm` run: the model and samples, and what to compute.
struct ssm_settings : model_settings {
  ssm_settings() { any_dim = true; }
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
/// run_ssm with the inputs check_ssm returned for @p settings.
ssm_result run_ssm(const ssm_settings& settings, checked_inputs& inputs);

/// What sliced_score_matching is given besides the model and the samples.
struct ssm_call {
  context ctx;
  ssm_options options;
};

/**
 * @brief The context and options of an `ssm` run of @p model on @p samples, checked by the
 *        library's validate_ssm: the one function behind the run and the checks alone.
 * @throw invalid_argument_error naming the bad option; unavailable_error; out_of_memory_error
 */
template <class Model, class T>
ssm_call prepare_ssm(const Model& model, const ssm_settings& s, const std::vector<T>& samples) {
  ssm_call call{make_context(s.backend, s.threads, has_ssm_cuda_kernel<Model>), ssm_options{}};
  call.options.probes = s.probes;
  call.options.law = parse_law_option("--law", s.law);
  call.options.half_scaling = s.half_scaling;
  call.options.exact_ism = s.exact_ism;
  validate_ssm(call.ctx, model, samples, call.options);
  return call;
}

/**
 * @brief Everything run_ssm checks before it starts, without drawing the samples or running: law,
 *        precision, the model and its weights file, the samples (count, or the samples file read
 *        and checked), then prepare_ssm on the model built and on the samples read (or the first
 *        sample the run would draw: the rest are drawn alike).
 * @return the model's dimension, its weights file and the samples read from --samples-file
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
