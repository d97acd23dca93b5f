/**
 * @file samples_file.hpp
 * @brief Reading samples (N rows of D numbers) from a text file, with errors that name the file,
 *        the line and the column.
 *
 * The format: one sample per line, its D numbers separated by blanks or by commas (one comma
 * between two numbers, blanks around it allowed); blank lines and lines whose first non-blank
 * character is '#' are comments. Numbers are read as the weights-file reader reads its
 * parameters (mlp_file.hpp): decimal only (digits, sign, point, exponent; no hex, nan or inf), a
 * value below the smallest subnormal reads as zero.
 *
 * @code
 * std::vector<double> x = scorepath::read_samples_file("points.txt", 2);  // N × 2, row-major
 * @endcode
 */
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace scorepath {

/// Longest line a samples file may have: far above a row of many numbers, far below memory.
inline constexpr std::size_t max_samples_file_line = std::size_t{1} << 20;

/// How read_samples_file reads and names a file.
struct samples_file_options {
  /// The largest magnitude a value may have (that of the precision the samples will be used in).
  double largest = std::numeric_limits<double>::max();
  /// That precision's name, for messages.
  std::string precision = "double";
  /// What names the file in messages: the parameter or option that gave the path.
  std::string parameter = "samples_file";
};

/**
 * @brief A number of a samples file: decimal only, |value| at most @p largest.
 * @return the value, or NaN when @p text is not such a number
 */
double parse_sample_number(const std::string& text,
                           double largest = std::numeric_limits<double>::max());

/**
 * @brief The samples of the file at @p path: N rows of @p dim numbers, row-major.
 * @throw invalid_argument_error naming `<parameter>` and the path when the file is empty,
 *        missing, unreadable, a directory, cannot be read to the end, or holds no rows; or
 *        naming `<parameter> <path> line L [column C]` and the text for an empty field, a
 *        malformed number, one beyond @p options.largest, a row of other than @p dim numbers, or
 *        a line of max_samples_file_line bytes or more
 */
std::vector<double> read_samples_file(const std::string& path, int dim,
                                      const samples_file_options& options = {});

/// Samples whose dimension the file itself gave.
struct samples_table {
  int dim = 0;                 ///< D, the length of the first row
  std::vector<double> values;  ///< N rows of D numbers, row-major
};

/**
 * @brief The samples of the file at @p path with D taken from its first row; every other row
 *        must hold as many numbers.
 * @throw invalid_argument_error as read_samples_file
 */
samples_table read_samples_file_any_dim(const std::string& path,
                                        const samples_file_options& options = {});

}  // namespace scorepath
