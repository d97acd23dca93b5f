// Sampling from a score from the command line: `scorepath sample`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scorepath/mlp_file.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/sampling/samplers.hpp"

namespace scorepath::cli {

/// Settings of a `sample` run, as typed (checked by check_sample).
struct sample_settings {
  std::string weights;                 ///< a trained network's weights file, or
  std::string exact;                   ///< a built-in law's exact score: ring or diag-gaussian
  int dim = 2;                         ///< dimension of --exact
  std::string sampler = "reverse_sde";  ///< sampler_kind's name
  std::string process;                 ///< vp, ve or levels (default: the network's, or vp)
  double beta_min = 0.1, beta_max = 20.0;
  double sigma_min = 0.01, sigma_max = 50.0;
  std::vector<double> levels;
  std::uint64_t paths = 10000;
  std::uint64_t steps = 500;
  double t_end = 1e-3;
  double step_size = 1e-3;
  double initial_std = 1.0;
  std::uint32_t corrector_steps = 0;
  double snr = 0.16;
  bool no_denoise = false;
  std::uint64_t seed = 0;
  std::string precision = "float";
  int threads = 0;
  std::string backend = "auto";  ///< where the paths run: auto, cpu or cuda
  std::string out;   ///< samples as CSV
  std::string json;  ///< summary as JSON
};

/// What the checks found and the run uses.
struct sample_inputs {
  int dim = 0;
  std::optional<mlp_description> network;  ///< --weights, read once
  std::optional<diagonal_mixture> exact;    ///< --exact (also the default: ring)
  std::string exact_name;                   ///< its data set's name
  sampler_options options;                  ///< the library's options
};

/**
 * @brief Everything `sample` checks before it runs: names, the weights file or the built-in law,
 *        the library's own checks (validate_sampler). run_sample checks the output paths first.
 * @throw invalid_argument_error naming the option
 */
sample_inputs check_sample(const sample_settings& s);

/// Runs a checked `sample` request: samples, prints a summary, writes the files it names.
void run_sample(const sample_settings& s, const sample_inputs& inputs);

}  // namespace scorepath::cli
