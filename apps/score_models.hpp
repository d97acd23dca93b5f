// The built-in score models and data distributions the `ssm` and `variance` commands run on.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/datasets.hpp"
#include "scorepath/error.hpp"
#include "scorepath/input_file.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/probes.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/mlp_network_file.hpp"

namespace scorepath::cli {

/// Which model, and which samples, a command runs on.
struct model_settings {
  std::string model = "gmm";      ///< gaussian, diag-gaussian, gmm or mlp
  int dim = 2;                    ///< D (an MLP file sets its own)
  std::string weights;            ///< MLP weights file (mlp_file.hpp); empty: random weights
  std::vector<int> hidden{128, 128};    ///< MLP hidden widths when the weights are random
  std::string activation = "softplus";  ///< MLP activation when the weights are random
  std::string samples_file;       ///< text file of N rows of D numbers; empty: draw samples
  std::uint64_t samples = 100000; ///< N drawn from the built-in data distribution
  std::uint64_t seed = 42;        ///< Philox seed of the drawn samples (and of the probes)
  /// The command runs the mlp, gmm and diag-gaussian models at any D ≥ 1 (with_any_dim_model);
  /// else only at the compiled dimensions.
  bool any_dim = false;
};

/// Largest D of a model of run-time dimension named on the command line.
inline constexpr int largest_run_time_dim = 1 << 16;

/// The built-in data distribution a --model draws its samples from (an MLP is scored on the
/// ring mixture's data).
inline datasets::distribution data_of(const std::string& model) {
  if (model == "gaussian") return datasets::distribution::gaussian;
  if (model == "diag-gaussian") return datasets::distribution::diagonal_gaussian;
  return datasets::distribution::ring_mixture;
}

/// @brief A probe law named on the command line. @throw invalid_argument_error naming @p option
inline probe_law parse_law_option(const char* option, const std::string& text) {
  try {
    return parse_probe_law(text);
  } catch (const invalid_argument_error&) {
    throw invalid_argument_error(option, text, "must be gaussian, rademacher, sphere or orthogonal",
                                 __FILE__, __LINE__);
  }
}

/**
 * @brief The network of a --weights file.
 * @throw invalid_argument_error naming `--weights` and the path for an empty, missing, unreadable
 *        path or a directory; read_mlp_file's errors, naming the file and line, for its content
 */
inline mlp_description read_weights(const std::string& path) {
  check_input_file("--weights", path, "weights file (an mlp file)");
  return read_mlp_file(path);
}

/// Calls f with the MLP of @p s: @p file's network when weights were given, else random weights.
/// @throw out_of_memory_error naming `--hidden` when random weights cannot be allocated
template <class T, int D, class F>
void with_mlp(const model_settings& s, const mlp_description* file, F&& f) {
  if (file != nullptr) {
    f(make_mlp<T, D>(*file, s.weights), "MLP from " + s.weights, std::optional<double>());
    return;
  }
  std::string widths;
  for (int w : s.hidden) widths += (widths.empty() ? "" : "-") + std::to_string(w);
  std::optional<mlp_score<T, D>> model;
  try {
    model.emplace(mlp_score<T, D>::random(s.hidden, parse_mlp_activation(s.activation), s.seed));
  } catch (const std::bad_alloc&) {
    throw out_of_memory_error("--hidden: the random weights of an MLP " + widths +
                                  " could not be allocated",
                              __FILE__, __LINE__);
  }
  f(*model,
    "MLP " + std::to_string(D) + "-" + widths + "-" + std::to_string(D) + " " + s.activation +
        ", random weights",
    std::optional<double>());
}

/**
 * @brief The dimension of the model @p s names: --dim, or that of the weights file @p file (null
 *        when the MLP's weights are random). The checks of the model's name and dimension, made
 *        once here for the run and for the checks alone.
 * @throw invalid_argument_error naming `--model`, `--dim` or the weights file's dim for a model
 *        that is not compiled
 */
inline int builtin_model_dim(const model_settings& s, const mlp_description* file) {
  const std::string not_compiled = "is not compiled for --model " + s.model + "; use ";
  const auto check_any_dim = [&](const std::string& option, int dim) {
    SCOREPATH_EXPECTS(dim >= 1 && dim <= largest_run_time_dim, option, dim,
                      "must be between 1 and " + std::to_string(largest_run_time_dim));
  };
  if (s.model == "gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2, "--dim", s.dim, not_compiled + "2");
  } else if (s.model == "diag-gaussian") {
    if (s.any_dim) {
      check_any_dim("--dim", s.dim);
    } else {
      SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16, "--dim", s.dim, not_compiled + "2 or 16");
    }
  } else if (s.model == "gmm") {
    if (s.any_dim) {
      check_any_dim("--dim", s.dim);
    } else {
      SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16 || s.dim == 64, "--dim", s.dim,
                        not_compiled + "2, 16 or 64");
    }
  } else {
    SCOREPATH_EXPECTS(s.model == "mlp", "--model", s.model,
                      "must be gaussian, diag-gaussian, gmm or mlp");
    const int dim = file ? file->dim : s.dim;
    const std::string option = s.weights.empty() ? "--dim" : "dim of " + s.weights;
    if (s.any_dim) {
      check_any_dim(option, dim);
    } else {
      SCOREPATH_EXPECTS(dim == 2 || dim == 64, option, dim,
                        "is not compiled for --model mlp in this command; use 2 or 64");
    }
    return dim;
  }
  return s.dim;
}

/// The weights file of @p s read, when it names an MLP with one; else empty.
inline std::optional<mlp_description> weights_of(const model_settings& s) {
  if (s.model == "mlp" && !s.weights.empty()) return read_weights(s.weights);
  return std::nullopt;
}

/**
 * @brief Builds the model @p s names and calls f(model, description, exact E[ISM] or nullopt).
 * @param file the weights file of @p s, read (weights_of); null for random weights
 * @throw invalid_argument_error naming `--model` or `--dim` for a model that is not compiled
 */
template <class T, class F>
void with_builtin_model(const model_settings& s, const mlp_description* file, F&& f) {
  const int dim = builtin_model_dim(s, file);
  const auto ism = [&] { return datasets::expected_ism(data_of(s.model), dim); };
  const std::string d = std::to_string(dim) + "-D";
  if (s.model == "gaussian") {
    f(datasets::gaussian_data_score<T>(), "Gaussian, 2-D, full precision", ism());
  } else if (s.model == "diag-gaussian") {
    const std::string what = "diagonal Gaussian, " + d;
    if (dim == 2) f(datasets::diagonal_gaussian_data_score<T, 2>(), what, ism());
    if (dim == 16) f(datasets::diagonal_gaussian_data_score<T, 16>(), what, ism());
  } else if (s.model == "gmm") {
    const std::string what = "mixture of 8 Gaussians, " + d;
    if (dim == 2) f(datasets::ring_mixture_score<T, 2>(), what, ism());
    if (dim == 16) f(datasets::ring_mixture_score<T, 16>(), what, ism());
    if (dim == 64) f(datasets::ring_mixture_score<T, 64>(), what, ism());
  } else {
    if (dim == 2) with_mlp<T, 2>(s, file, f);
    if (dim == 64) with_mlp<T, 64>(s, file, f);
  }
}

/**
 * @brief Calls f(network, description, nullopt) with the run-time MLP of @p s in dimension
 *        @p dim: the weights file's network, or random weights.
 * @throw out_of_memory_error naming `--hidden` when random weights cannot be allocated
 */
template <class T, class F>
void with_mlp_network(const model_settings& s, const mlp_description* file, int dim, F&& f) {
  if (file != nullptr) {
    f(make_mlp_network<T>(*file, s.weights), "MLP from " + s.weights + " (run-time D)",
      std::optional<double>());
    return;
  }
  std::string widths;
  for (int w : s.hidden) widths += (widths.empty() ? "" : "-") + std::to_string(w);
  std::optional<mlp_network<T>> net;
  try {
    net.emplace(mlp_network<T>::random(dim, s.hidden, parse_mlp_activation(s.activation), s.seed));
  } catch (const std::bad_alloc&) {
    throw out_of_memory_error("--hidden: the random weights of an MLP " + widths +
                                  " could not be allocated",
                              __FILE__, __LINE__);
  }
  f(*net,
    "MLP " + std::to_string(dim) + "-" + widths + "-" + std::to_string(dim) + " " +
        s.activation + ", random weights, run-time D",
    std::optional<double>());
}

/// The data of --model diag-gaussian as a one-component diagonal_mixture in dimension @p dim.
inline diagonal_mixture diagonal_gaussian_components(int dim) {
  diagonal_mixture mix;
  mix.dim = dim;
  mix.weights = {1.0};
  for (int i = 0; i < dim; ++i) {
    mix.means.push_back(datasets::diagonal_gaussian_mean(i));
    mix.variances.push_back(datasets::diagonal_gaussian_variance(i));
  }
  return mix;
}

/**
 * @brief with_builtin_model for a command whose models take any dimension (s.any_dim): the
 *        compiled models at their dimensions (on CUDA too where they have kernels,
 *        has_ssm_cuda_kernel); at any other D, the
 *        run-time network (training/mlp_network.hpp) or diagonal mixture (mixture_ssm.hpp), on
 *        the CPU.
 */
template <class T, class F>
void with_any_dim_model(const model_settings& s, const mlp_description* file, F&& f) {
  const int dim = builtin_model_dim(s, file);
  const std::string d = std::to_string(dim) + "-D, run-time D";
  const auto ism = [&] { return datasets::expected_ism(data_of(s.model), dim); };
  if (s.model == "mlp" && dim != 2 && dim != 64) {
    with_mlp_network<T>(s, file, dim, std::forward<F>(f));
  } else if (s.model == "gmm" && dim != 2 && dim != 16 && dim != 64) {
    f(ring_mixture_components(dim), "mixture of 8 Gaussians, " + d, ism());
  } else if (s.model == "diag-gaussian" && dim != 2 && dim != 16) {
    f(diagonal_gaussian_components(dim), "diagonal Gaussian, " + d, ism());
  } else {
    with_builtin_model<T>(s, file, std::forward<F>(f));
  }
}

/// with_builtin_model, reading the weights file of @p s when it has one.
template <class T, class F>
void with_builtin_model(const model_settings& s, F&& f) {
  const std::optional<mlp_description> file = weights_of(s);
  with_builtin_model<T>(s, file ? &*file : nullptr, std::forward<F>(f));
}

}  // namespace scorepath::cli
