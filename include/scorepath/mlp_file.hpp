/**
 * @file mlp_file.hpp
 * @brief Reading and writing MLP score networks (scores/mlp.hpp) as text files.
 *
 * The format (version 2), one item per line, `#` starting a comment line:
 *
 *     scorepath-mlp 2
 *     dim 2
 *     hidden 128 128
 *     activation softplus
 *     parameters 17154
 *     <17154 numbers separated by blanks or newlines>
 *     end 17154 fnv1a64 <16 hexadecimal digits>
 *
 * `dim` is the input and output width D; `hidden` lists the hidden widths (nothing after the word
 * for a single affine layer); `activation` is softplus, tanh, silu or elu; `parameters` is the
 * length of the flat buffer, whose layout mlp.hpp documents, and must equal what the widths need.
 * Numbers are decimal (digits, sign, point and exponent only: no hex, nan or inf), written with 17
 * significant digits, so doubles round-trip exactly, subnormal ones included; a value below the
 * smallest subnormal reads as zero. Widths are integers from 1 to 2^30. Anything after the last
 * line is an error, as is a missing, misspelled or repeated header line, or a line of 2^26 bytes
 * or more.
 *
 * The `end` line repeats the parameter count and carries mlp_checksum of the network: 64-bit
 * FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the four header lines after
 * the magic exactly as version 2 writes them (`dim D\nhidden W1 W2\nactivation NAME\nparameters
 * P\n`, single spaces, no hidden widths: `hidden\n`), followed by the IEEE-754 binary64 bits of
 * every parameter, in order, each as 8 bytes, least significant first; written as 16 lowercase
 * hexadecimal digits.
 *
 * What version 2 detects: a file cut anywhere (the `end` line is missing, or a cut number reads as
 * a different value and the checksum differs), a changed, added or removed number (a `-` turned
 * into a blank, a digit edited), and a changed width or activation, each with the certainty of a
 * 64-bit checksum (a random edit passes with probability 2^-64). What it does not detect: edits
 * that keep every value (comments, blank lines, spacing, `1.50` for `1.5`), and deliberate changes
 * whose author recomputes the checksum: it guards against accidents, it is no signature.
 *
 * Version 3 (`scorepath-mlp 3`) stores a network conditioned on noise (noise_conditioning.hpp):
 * a line after `activation` names it, and the checksum covers that line too:
 *
 *     conditioning vp <beta_min> <beta_max> <t_min>
 *     conditioning ve <sigma_min> <sigma_max> <t_min>
 *     conditioning levels <sigma_1> … <sigma_L>
 *
 * (numbers with 17 significant digits); the input width, and so the parameter count, then include
 * the conditioning's feature column. Version 1 (`scorepath-mlp 1`, no `end` line) is still read,
 * with every check above but the `end` line: a version 1 file cut inside its last number, or with
 * a sign blanked out, can read as a network with different parameters. Writing produces version 2
 * for an unconditioned network and version 3 for a conditioned one.
 *
 * Reading never trusts a count it has not checked: the parameter count must equal what the widths
 * need, and the buffer grows with the values actually read, so a short file that claims a huge
 * network costs no more memory than its own text.
 */
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/noise_conditioning.hpp"
#include "scorepath/scores/mlp.hpp"

namespace scorepath {

/// A network as stored in a file, before it is bound to a dimension and a precision.
struct mlp_description {
  int dim = 0;                                        ///< D
  std::vector<int> hidden;                            ///< hidden widths
  mlp_activation activation = mlp_activation::softplus;  ///< hidden activation
  noise_conditioning conditioning;                    ///< the noise it is conditioned on (version 3)
  std::vector<double> parameters;                     ///< the flat buffer
};

/**
 * @brief Parses and checks network text in the format above; read_mlp_file runs this on a file.
 * @param in the text
 * @param source where the text came from (a path, or a name), used in error messages
 * @throw invalid_argument_error naming `mlp file <source> line N: <item>` (wrong magic or version,
 *        a bad or repeated header line, widths below 1 or too large, a parameter count that does
 *        not match the widths, a malformed or non-finite number, a truncated text, trailing data,
 *        a line of 2^26 bytes or more; in version 2 a missing or malformed `end` line, or a
 *        checksum that does not match)
 */
mlp_description parse_mlp(std::istream& in, const std::string& source);

/**
 * @brief parse_mlp on text held in memory.
 * @throw invalid_argument_error as parse_mlp
 */
mlp_description parse_mlp_text(const std::string& text, const std::string& source);

/**
 * @brief The checksum of the `end` line of version 2: 64-bit FNV-1a over the header lines and the
 *        parameters' binary64 bits, as described above. Defined for any widths and parameters.
 */
std::uint64_t mlp_checksum(const mlp_description& network);

/**
 * @brief The text of a network in the format above (version 2, with its `end` line), which
 *        parse_mlp reads back bit for bit.
 * @throw invalid_argument_error for inconsistent widths and parameters or a non-finite parameter
 */
std::string format_mlp_text(const mlp_description& network);

/**
 * @brief Reads and checks a network file (version 1 or 2).
 * @throw invalid_argument_error naming `mlp file` and the path for an empty path, a missing,
 *        unreadable file or a directory, or a read error; else naming the file, the line and the
 *        item (wrong
 *        magic or version, bad or repeated header line, widths below 1, a parameter count that does
 *        not match the widths, a malformed or non-finite number, a truncated file, trailing data)
 */
mlp_description read_mlp_file(const std::string& path);

/**
 * @brief Writes a network file in version 2. The text goes to a new file beside @p path, under a
 *        name no other file has (`<path>.tmp-<16 hex digits>`, created exclusively with mode 0666
 *        less the umask), every write, the flush to storage and the close are checked, and the file
 *        is renamed onto @p path; on any failure the temporary is removed, so no half-written file
 *        is left behind and no existing file other than @p path is ever touched.
 * @throw invalid_argument_error for inconsistent widths and parameters, an empty path, or a path
 *        that cannot be created, written, closed or renamed onto (naming the reason)
 */
void write_mlp_file(const std::string& path, const mlp_description& network);

/**
 * @brief Binds a network read by read_mlp_file to dimension D and precision T.
 * @param source where it came from, for error messages
 * @throw invalid_argument_error naming `dim` when the network's dimension is not D,
 *        `conditioning` for a network conditioned on noise (an mlp_score takes x alone: use
 *        mlp_network), or `parameters[k]` when a value does not fit in T
 */
template <class T, int D>
mlp_score<T, D> make_mlp(mlp_description net, const std::string& source) {
  SCOREPATH_EXPECTS(!net.conditioning.conditioned(), "conditioning of " + source,
                    to_string(net.conditioning.kind),
                    "must be none here: a network conditioned on noise is an mlp_network");
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
