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

#include "input_file.hpp"
#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/probes.hpp"
#include "scorepath/scores/gaussian.hpp"
#include "scorepath/scores/gaussian_mixture.hpp"
#include "scorepath/scores/mlp.hpp"

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
};

// Each Gaussian-family model is the exact score of its data distribution, so the expected ISM loss
// is −E‖S‖² = −tr(precision) there (Stein's identity E[tr J] = −E‖S‖²). The mixture's data are
// its own distribution too; an MLP is scored on the mixture's data.
inline constexpr int mixture_components = 8;

/// Mean of mixture component c, coordinate i: a ring of radius 4 in 2-D, fixed points otherwise.
inline double mixture_mean(int dim, int c, int i) {
  const double angle = 2 * 3.141592653589793 * c / mixture_components;
  if (dim == 2) return 4.0 * (i == 0 ? std::cos(angle) : std::sin(angle));
  return 3.0 * std::sin(1.0 + 0.9 * c + 1.7 * i * (c + 1));
}
inline double mixture_variance(int dim) { return dim == 2 ? 0.25 : 1.0; }
/// The 2-D Gaussian: mean (1, −1), covariance [[1, 0.5], [0.5, 0.5]], precision [[2, −2], [−2, 4]].
inline constexpr std::array<double, 2> gauss_mean{1.0, -1.0};
inline constexpr std::array<double, 4> gauss_precision{2.0, -2.0, -2.0, 4.0};
inline double diag_mean(int i) { return 0.5 * (i % 3 - 1); }
inline double diag_variance(int i) { return 0.5 + 0.25 * (i % 4); }

/// @brief A probe law named on the command line. @throw invalid_argument_error naming @p option
inline probe_law parse_law_option(const char* option, const std::string& text) {
  try {
    return parse_probe_law(text);
  } catch (const invalid_argument_error&) {
    throw invalid_argument_error(option, text, "must be gaussian, rademacher, sphere or orthogonal",
                                 __FILE__, __LINE__);
  }
}

/// N samples of the model's data distribution (Philox key @p seed, subsequences 0 and 1).
std::vector<double> draw_samples(const std::string& model, int dim, std::uint64_t n,
                                 std::uint64_t seed);
/**
 * @brief A number of a samples file, read as the weights-file reader reads its parameters
 *        (mlp_file.hpp): decimal only (digits, sign, point, exponent; no hex, nan or inf), a value
 *        below the smallest subnormal reads as zero, and the magnitude at most @p largest.
 * @return the value, or NaN when @p text is not such a number
 */
double parse_sample_number(const std::string& text, double largest);

/**
 * @brief N rows of D numbers, separated by blanks or by commas (one comma between two numbers,
 *        blanks around it allowed); blank lines and lines starting with '#' are comments.
 * @param largest the largest magnitude the run's precision holds
 * @param precision that precision's name, for messages
 * @throw invalid_argument_error naming `--samples-file` and the path (empty, missing, unreadable,
 *        a directory, a read error, no rows), or `--samples-file <path> line L [column C]` and
 *        the text (an empty field, a malformed number, one out of range for the precision, a row
 *        of other than D numbers, a line of 1 MiB or more)
 */
std::vector<double> read_samples(const std::string& path, int dim,
                                 double largest = std::numeric_limits<double>::max(),
                                 const char* precision = "double");

/**
 * @brief The network of a --weights file.
 * @throw invalid_argument_error naming `--weights` and the path for an empty, missing, unreadable
 *        path or a directory; read_mlp_file's errors, naming the file and line, for its content
 */
inline mlp_description read_weights(const std::string& path) {
  check_input_file("--weights", path, "weights file (an mlp file)");
  return read_mlp_file(path);
}

template <class T, std::size_t N>
std::array<T, N> cast_array(const std::array<double, N>& a) {
  std::array<T, N> out{};
  for (std::size_t k = 0; k < N; ++k) out[k] = static_cast<T>(a[k]);
  return out;
}

template <class T, int D>
gaussian_mixture_score<T, D, mixture_components> make_mixture() {
  std::array<T, mixture_components> w{};
  std::array<T, mixture_components * D> mean{}, var{};
  for (int c = 0; c < mixture_components; ++c) {
    w[c] = T(1);
    for (int i = 0; i < D; ++i) {
      mean[c * D + i] = static_cast<T>(mixture_mean(D, c, i));
      var[c * D + i] = static_cast<T>(mixture_variance(D));
    }
  }
  return {w, mean, var};
}

template <class T, int D>
diagonal_gaussian_score<T, D> make_diagonal() {
  std::array<T, D> mean{}, precision{};
  for (int i = 0; i < D; ++i) {
    mean[i] = static_cast<T>(diag_mean(i));
    precision[i] = static_cast<T>(1.0 / diag_variance(i));
  }
  return {mean, precision};
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
 * @brief Builds the model @p s names and calls f(model, description, exact E[ISM] or nullopt).
 * @throw invalid_argument_error naming `--model` or `--dim` for a model that is not compiled
 */
template <class T, class F>
void with_builtin_model(const model_settings& s, F&& f) {
  const std::string not_compiled = "is not compiled for --model " + s.model + "; use ";
  if (s.model == "gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2, "--dim", s.dim, not_compiled + "2");
    f(gaussian_score<T, 2>(cast_array<T>(gauss_mean), cast_array<T>(gauss_precision)),
      "Gaussian, 2-D, full precision", std::optional<double>(-6.0));
  } else if (s.model == "diag-gaussian") {
    SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16, "--dim", s.dim, not_compiled + "2 or 16");
    double trace = 0.0;
    for (int i = 0; i < s.dim; ++i) trace += 1.0 / diag_variance(i);
    const std::string what = "diagonal Gaussian, " + std::to_string(s.dim) + "-D";
    if (s.dim == 2) f(make_diagonal<T, 2>(), what, std::optional<double>(-trace));
    if (s.dim == 16) f(make_diagonal<T, 16>(), what, std::optional<double>(-trace));
  } else if (s.model == "gmm") {
    SCOREPATH_EXPECTS(s.dim == 2 || s.dim == 16 || s.dim == 64, "--dim", s.dim,
                      not_compiled + "2, 16 or 64");
    const std::string what = "mixture of 8 Gaussians, " + std::to_string(s.dim) + "-D";
    if (s.dim == 2) f(make_mixture<T, 2>(), what, std::optional<double>());
    if (s.dim == 16) f(make_mixture<T, 16>(), what, std::optional<double>());
    if (s.dim == 64) f(make_mixture<T, 64>(), what, std::optional<double>());
  } else {
    SCOREPATH_EXPECTS(s.model == "mlp", "--model", s.model,
                      "must be gaussian, diag-gaussian, gmm or mlp");
    std::optional<mlp_description> file;
    if (!s.weights.empty()) file = read_weights(s.weights);
    const int dim = file ? file->dim : s.dim;
    SCOREPATH_EXPECTS(dim == 2 || dim == 64, s.weights.empty() ? "--dim" : "dim of " + s.weights,
                      dim, "is not compiled for --model mlp; use 2 or 64");
    const mlp_description* net = file ? &*file : nullptr;
    if (dim == 2) with_mlp<T, 2>(s, net, f);
    if (dim == 64) with_mlp<T, 64>(s, net, f);
  }
}

}  // namespace scorepath::cli
