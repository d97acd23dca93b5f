// The checks of a score model and its samples, made before anything is built, drawn or run.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "option_values.hpp"
#include "score_models.hpp"

namespace scorepath::cli {

/// What check_model_and_samples found.
struct checked_inputs {
  int dim = 0;                      ///< D: --dim, or the weights file's dimension
  std::uint64_t samples = 0;        ///< N
  std::vector<double> file_samples; ///< the rows of --samples-file, read once here; else empty
  std::optional<mlp_description> weights;  ///< the --weights file of an MLP, read once here

  /// The weights file read, or null (random weights, or not an MLP).
  const mlp_description* weights_file() const { return weights ? &*weights : nullptr; }
};

/// The library's names of what the model and sample options of `ssm` and `variance` set.
const option_names& model_option_names();

/**
 * @brief Makes every check with_builtin_model and take_samples make, in the same order, without
 *        building the model or drawing samples: the model name, the weights file (read and
 *        checked), the dimension, the activation and hidden widths of random weights (and that
 *        their parameters fit in host_memory_limit()), then --samples (at least 1,
 *        and N·D values in double and in @p precision that fit) or --samples-file (read and
 *        checked, every value within @p precision's range).
 * @param precision "float" or "double" (checked before)
 * @throw invalid_argument_error naming the option or the file, line and column;
 *        out_of_memory_error naming `--hidden` or `--samples` for buffers larger than
 *        host_memory_limit() (memory.hpp)
 */
checked_inputs check_model_and_samples(const model_settings& s,
                                       const std::string& precision = "double");

/// @throw invalid_argument_error naming `--precision` unless it is float or double
inline void check_precision_option(const std::string& precision) {
  SCOREPATH_EXPECTS(precision == "float" || precision == "double", "--precision", precision,
                    "must be float or double");
}

/**
 * @brief The samples the checks alone hand to the library's validate_*: the rows of the samples
 *        file, or the first sample the run would draw (the rest are drawn the same way, and
 *        check_model_and_samples checked their count), in precision T.
 */
template <class T>
std::vector<T> samples_to_check(const model_settings& s, const checked_inputs& in) {
  if (!in.file_samples.empty()) return std::vector<T>(in.file_samples.begin(), in.file_samples.end());
  const std::vector<double> first = datasets::draw_samples(data_of(s.model), in.dim, 1, s.seed);
  return std::vector<T>(first.begin(), first.end());
}

/// The message of samples that could not be allocated, naming the option that asked for them.
inline std::string samples_not_allocated(const model_settings& s, const checked_inputs& in) {
  const char* option = s.samples_file.empty() ? "--samples" : "--samples-file";
  return std::string(option) + ": " + std::to_string(in.samples) + " samples of dimension " +
         std::to_string(in.dim) + " could not be allocated";
}

/**
 * @brief The samples @p in holds or, when none were read from a file, those @p s draws, in
 *        precision T.
 * @throw out_of_memory_error naming `--samples` (or `--samples-file`) when they cannot be had
 */
template <class T>
std::vector<T> take_samples(const model_settings& s, checked_inputs& in) {
  try {
    std::vector<double> x = in.file_samples.empty()
                                ? datasets::draw_samples(data_of(s.model), in.dim, in.samples, s.seed)
                                : std::move(in.file_samples);
    in.file_samples.clear();
    return std::vector<T>(x.begin(), x.end());
  } catch (const std::bad_alloc&) {
    throw out_of_memory_error(samples_not_allocated(s, in), __FILE__, __LINE__);
  } catch (const out_of_memory_error&) {
    throw out_of_memory_error(samples_not_allocated(s, in), __FILE__, __LINE__);
  }
}

}  // namespace scorepath::cli
