// Training an MLP score network from the command line: `scorepath train`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/training/train.hpp"

namespace scorepath::cli {

/// Settings of a `train` run, as typed (checked by check_train).
struct train_settings {
  std::string data = "ring";         ///< built-in data set (datasets.hpp)
  int dim = 2;                       ///< its dimension (2 for the 2-D sets)
  std::uint64_t samples = 10000;     ///< data drawn from it
  std::string samples_file;          ///< or rows of D numbers from a file (D from its first row)
  double held_out = 0.1;             ///< fraction of the data kept for the held-out loss
  std::string loss = "ssm-vr";       ///< ssm, ssm-vr, ism or dsm
  std::uint32_t probes = 1;          ///< M
  std::string law = "gaussian";      ///< probe law
  bool half_scaling = false;         ///< Song et al.'s ½ convention
  double noise_scale = 0.1;          ///< σ of dsm (unconditioned networks)
  std::string condition = "none";    ///< none, vp, ve or levels (noise_conditioning.hpp)
  double beta_min = 0.1, beta_max = 20.0;    ///< vp
  double sigma_min = 0.01, sigma_max = 50.0;  ///< ve
  std::vector<double> levels;        ///< levels: σ₁ > … > σ_L
  double t_min = 1e-3;               ///< vp, ve: smallest training time
  std::vector<int> hidden = {128, 128};
  std::string activation = "softplus";
  std::uint64_t steps = 2000;
  std::uint64_t batch = 256;
  double learning_rate = 1e-3;
  double weight_decay = 0.0;
  double clip = 0.0;
  std::uint64_t warmup = 0;
  double ema = 0.0;
  std::uint64_t log_every = 100;     ///< steps between rows of the loss log
  std::uint64_t checkpoint_every = 0;
  std::uint64_t seed = 0;
  std::string precision = "float";
  std::string backend = "auto";      ///< where the layers run: auto, cpu or cuda
  int threads = 0;
  std::string out;                   ///< weights file written at the end
  std::string log_csv, log_json;     ///< loss log
  std::string checkpoint;            ///< checkpoint file, rewritten every checkpoint_every steps
  std::string resume;                ///< checkpoint to continue from
};

/// What the checks found and the run uses: the training and held-out rows, in double.
struct train_inputs {
  int dim = 0;
  std::vector<double> train;     ///< row-major
  std::vector<double> held_out;  ///< row-major, may be empty
  std::uint64_t data_checksum = 0;  ///< FNV-1a of the training and held-out values (resume check)
  std::optional<mlp_description> resume_network;  ///< the --resume checkpoint's network, if any
  train_state resume_state;                       ///< and its optimizer and stream state
};

/// The library's options for @p s (names already parsed and checked).
train_options make_train_options(const train_settings& s);

/// The noise conditioning @p s asks for (unchecked; check_noise_conditioning checks it).
noise_conditioning make_conditioning(const train_settings& s);

/**
 * @brief Everything `train` checks before it runs: names, sizes, the data (drawn or read), the
 *        network's widths, the library's own checks of the options (validate_training), the
 *        resume file against these settings, the output paths.
 * @throw invalid_argument_error naming the option
 */
train_inputs check_train(const train_settings& s);

/// The context of --backend and --threads. A run of several processes trains on their CPUs:
/// `auto` chooses the CPU there, and `cuda` is refused naming --backend.
context train_context(const train_settings& s);

/// Runs a checked `train` request: trains, prints the loss log, writes the files it names.
void run_train(const train_settings& s, train_inputs& inputs);

}  // namespace scorepath::cli
