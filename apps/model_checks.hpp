// The checks of a score model and its samples, made before anything is built, drawn or run.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "score_models.hpp"

namespace scorepath::cli {

/// What check_model_and_samples found.
struct checked_inputs {
  int dim = 0;                      ///< D: --dim, or the weights file's dimension
  std::uint64_t samples = 0;        ///< N
  std::vector<double> file_samples; ///< the rows of --samples-file, read once here; else empty
};

/**
 * @brief Makes every check with_builtin_model and load_samples make, in the same order, without
 *        building the model or drawing samples: the model name, the weights file (read and
 *        checked), the dimension, the activation and hidden widths of random weights (and that
 *        their parameters fit in this host's memory), then --samples (at least 1, and N·D values
 *        this host can hold) or --samples-file (read and checked).
 * @throw invalid_argument_error naming the option or the file and line; out_of_memory_error
 *        naming `--hidden` or `--samples` for buffers larger than this host's memory
 */
checked_inputs check_model_and_samples(const model_settings& s);

/// The samples @p in holds or, when none were read from a file, those @p s draws, in precision T.
template <class T>
std::vector<T> take_samples(const model_settings& s, checked_inputs& in) {
  std::vector<double> x = in.file_samples.empty()
                              ? draw_samples(s.model, in.dim, in.samples, s.seed)
                              : std::move(in.file_samples);
  in.file_samples.clear();
  return std::vector<T>(x.begin(), x.end());
}

}  // namespace scorepath::cli
