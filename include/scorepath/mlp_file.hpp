/**
 * @file mlp_file.hpp
 * @brief Reading and writing MLP score networks (scores/mlp.hpp) as text files.
 *
 * The format, one item per line, `#` starting a comment line:
 *
 *     scorepath-mlp 1
 *     dim 2
 *     hidden 128 128
 *     activation softplus
 *     parameters 17154
 *     <17154 numbers separated by blanks or newlines>
 *
 * `dim` is the input and output width D; `hidden` lists the hidden widths (nothing after the word
 * for a single affine layer); `activation` is softplus, tanh, silu or elu; `parameters` is the
 * length of the flat buffer, whose layout mlp.hpp documents, and must equal what the widths need.
 * Numbers are decimal (digits, sign, point and exponent only: no hex, nan or inf), written with 17
 * significant digits, so doubles round-trip exactly, subnormal ones included; a value below the
 * smallest subnormal reads as zero. Widths are integers from 1 to 2^30. Anything after the last
 * parameter is an error, as is a missing, misspelled or repeated header line, or a line of 2^26
 * bytes or more.
 *
 * Reading never trusts a count it has not checked: the parameter count must equal what the widths
 * need, and the buffer grows with the values actually read, so a short file that claims a huge
 * network costs no more memory than its own text.
 */
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath {

/// A network as stored in a file, before it is bound to a dimension and a precision.
struct mlp_description {
  int dim = 0;                                        ///< D
  std::vector<int> hidden;                            ///< hidden widths
  mlp_activation activation = mlp_activation::softplus;  ///< hidden activation
  std::vector<double> parameters;                     ///< the flat buffer
};

/**
 * @brief Parses and checks network text in the format above; read_mlp_file runs this on a file.
 * @param in the text
 * @param source where the text came from (a path, or a name), used in error messages
 * @throw invalid_argument_error naming `mlp file <source> line N: <item>` (wrong magic or version,
 *        a bad or repeated header line, widths below 1 or too large, a parameter count that does
 *        not match the widths, a malformed or non-finite number, a truncated text, trailing data,
 *        a line of 2^26 bytes or more)
 */
mlp_description parse_mlp(std::istream& in, const std::string& source);

/**
 * @brief parse_mlp on text held in memory.
 * @throw invalid_argument_error as parse_mlp
 */
mlp_description parse_mlp_text(const std::string& text, const std::string& source);

/**
 * @brief The text of a network in the format above, which parse_mlp reads back bit for bit.
 * @throw invalid_argument_error for inconsistent widths and parameters or a non-finite parameter
 */
std::string format_mlp_text(const mlp_description& network);

/**
 * @brief Reads and checks a network file.
 * @throw invalid_argument_error naming the file, the line and the item (unreadable file, wrong
 *        magic or version, bad or repeated header line, widths below 1, a parameter count that does
 *        not match the widths, a malformed or non-finite number, a truncated file, trailing data)
 */
mlp_description read_mlp_file(const std::string& path);

/**
 * @brief Writes a network file. The text goes to `path.tmp` first and is renamed onto @p path,
 *        so a failed write leaves no half-written file behind.
 * @throw invalid_argument_error for inconsistent widths and parameters or an unwritable path
 */
void write_mlp_file(const std::string& path, const mlp_description& network);

/**
 * @brief Binds a network read by read_mlp_file to dimension D and precision T.
 * @param source where it came from, for error messages
 * @throw invalid_argument_error naming `dim` when the network's dimension is not D, or
 *        `parameters[k]` when a value does not fit in T
 */
template <class T, int D>
mlp_score<T, D> make_mlp(mlp_description net, const std::string& source) {
  SCOREPATH_EXPECTS(net.dim == D, "dim of " + source, net.dim,
                    "must equal the model dimension " + std::to_string(D));
  std::vector<T> params(net.parameters.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    params[k] = static_cast<T>(net.parameters[k]);
    SCOREPATH_EXPECTS(std::isfinite(static_cast<double>(params[k])),
                      "parameters[" + std::to_string(k) + "] of " + source, net.parameters[k],
                      "must be finite in the model's precision");
  }
  return mlp_score<T, D>(std::move(net.hidden), net.activation, std::move(params));
}

/**
 * @brief Loads a network file as an mlp_score<T, D>.
 * @throw invalid_argument_error as read_mlp_file and make_mlp
 */
template <class T, int D>
mlp_score<T, D> load_mlp(const std::string& path) {
  return make_mlp<T, D>(read_mlp_file(path), path);
}

/// Saves @p model with write_mlp_file.
template <class T, int D>
void save_mlp(const std::string& path, const mlp_score<T, D>& model) {
  mlp_description net;
  net.dim = D;
  net.hidden = model.hidden_widths();
  net.activation = model.activation();
  net.parameters.assign(model.parameters().begin(), model.parameters().end());
  write_mlp_file(path, net);
}

}  // namespace scorepath
