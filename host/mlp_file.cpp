#include "scorepath/mlp_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace scorepath {
namespace {

/// Longest line read: a longer one (a file of NULs, /dev/zero) is refused, not buffered.
constexpr std::size_t max_line_bytes = std::size_t{1} << 26;

/// Splits a text into whitespace-separated tokens, remembering the line of each.
class token_reader {
 public:
  token_reader(const std::string& source, std::istream& in) : source_(source), in_(in) {}

  /// The next non-comment line's tokens; false at the end of the text.
  /// @throw invalid_argument_error for a line longer than max_line_bytes
  bool next_line(std::vector<std::string>& tokens) {
    std::string line;
    while (read_line(line)) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      tokens.clear();
      std::istringstream words(line);
      for (std::string w; words >> w;) tokens.push_back(w);
      return true;
    }
    return false;
  }

  /// "mlp file <source> line N: <item>", the parameter name of an error.
  std::string where(const std::string& item) const {
    return "mlp file " + source_ + " line " + std::to_string(line_) + ": " + item;
  }

 private:
  /// Reads one line (without its '\n') into @p line; false at the end of the text.
  bool read_line(std::string& line) {
    line.clear();
    std::streambuf* buf = in_.rdbuf();
    if (buf == nullptr) return false;
    bool any = false;
    for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
      if (!any) ++line_;
      any = true;
      if (c == '\n') return true;
      SCOREPATH_EXPECTS(line.size() < max_line_bytes, where("line length"), line.size(),
                        "must be below 2^26 bytes");
      line.push_back(static_cast<char>(c));
    }
    return any;
  }

  const std::string& source_;
  std::istream& in_;
  std::uint64_t line_ = 0;
};

/// The whole of @p text as a base-10 integer from 1 to 2^30.
long parse_integer(const token_reader& reader, const std::string& item, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  SCOREPATH_EXPECTS(errno == 0 && end != text.c_str() && end == text.c_str() + text.size() &&
                        value >= 1 && value <= (1L << 30),
                    reader.where(item), text, "must be an integer from 1 to 2^30");
  return value;
}

/// The whole of @p text as a finite decimal number (digits, sign, point, exponent). Values below
/// the smallest double read as subnormals or zero, as strtod rounds them; overflow is refused.
double parse_number(const token_reader& reader, const std::string& item, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  SCOREPATH_EXPECTS(text.find_first_not_of("0123456789+-.eE") == std::string::npos &&
                        end != text.c_str() && end == text.c_str() + text.size() &&
                        std::isfinite(value),
                    reader.where(item), text, "must be a finite decimal number");
  return value;
}

}  // namespace

mlp_description parse_mlp(std::istream& in, const std::string& source) {
  token_reader reader(source, in);
  std::vector<std::string> tokens;
  auto header = [&](const char* key) {
    SCOREPATH_EXPECTS(reader.next_line(tokens), reader.where(key), "end of file",
                      std::string("must be followed by the '") + key + "' line");
    SCOREPATH_EXPECTS(!tokens.empty() && tokens[0] == key, reader.where(key),
                      tokens.empty() ? std::string() : tokens[0],
                      std::string("must be the '") + key + "' line");
  };

  header("scorepath-mlp");
  SCOREPATH_EXPECTS(tokens.size() == 2 && tokens[1] == "1", reader.where("version"),
                    tokens.size() > 1 ? tokens[1] : std::string("missing"), "must be 1");

  mlp_description net;
  header("dim");
  SCOREPATH_EXPECTS(tokens.size() == 2, reader.where("dim"), tokens.size() - 1,
                    "must be one integer");
  net.dim = static_cast<int>(parse_integer(reader, "dim", tokens[1]));

  header("hidden");
  for (std::size_t l = 1; l < tokens.size(); ++l) {
    net.hidden.push_back(static_cast<int>(
        parse_integer(reader, "hidden[" + std::to_string(l - 1) + "]", tokens[l])));
  }

  header("activation");
  SCOREPATH_EXPECTS(tokens.size() == 2, reader.where("activation"), tokens.size() - 1,
                    "must be one name");
  try {
    net.activation = parse_mlp_activation(tokens[1]);
  } catch (const invalid_argument_error& e) {
    throw invalid_argument_error(reader.where("activation"), e.value(),
                                 "must be softplus, tanh, silu or elu", __FILE__, __LINE__);
  }

  header("parameters");
  SCOREPATH_EXPECTS(tokens.size() == 2, reader.where("parameters"), tokens.size() - 1,
                    "must be one integer");
  const std::size_t declared = static_cast<std::size_t>(std::strtoull(tokens[1].c_str(), nullptr, 10));
  std::size_t need = 0;
  try {  // the widths are checked above: what remains is a count past what memory can address
    need = mlp_parameter_count(net.dim, net.hidden);
  } catch (const invalid_argument_error& e) {
    throw invalid_argument_error(reader.where(e.parameter()), e.value(),
                                 "widths give more parameters than memory can address", __FILE__,
                                 __LINE__);
  }
  SCOREPATH_EXPECTS(tokens[1].find_first_not_of("0123456789") == std::string::npos &&
                        declared == need,
                    reader.where("parameters"), tokens[1],
                    "must equal " + std::to_string(need) + ", the count the widths need");

  // The buffer grows with the values read, never to a claimed size: a short text that declares a
  // huge (but consistent) network costs no more than its own length.
  net.parameters.reserve(std::min<std::size_t>(need, std::size_t{1} << 12));
  while (net.parameters.size() < need && reader.next_line(tokens)) {
    for (const std::string& t : tokens) {
      const std::string item = "parameters[" + std::to_string(net.parameters.size()) + "]";
      SCOREPATH_EXPECTS(net.parameters.size() < need, reader.where(item), t,
                        "is past the declared count " + std::to_string(need));
      net.parameters.push_back(parse_number(reader, item, t));
    }
  }
  SCOREPATH_EXPECTS(net.parameters.size() == need, reader.where("parameters"),
                    net.parameters.size(),
                    "the file ends early: " + std::to_string(need) + " values were declared");
  SCOREPATH_EXPECTS(!reader.next_line(tokens), reader.where("trailing data"),
                    tokens.empty() ? std::string() : tokens[0], "must not follow the parameters");
  return net;
}

mlp_description parse_mlp_text(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  return parse_mlp(in, source);
}

mlp_description read_mlp_file(const std::string& path) {
  std::ifstream in(path);
  SCOREPATH_EXPECTS(in.good(), "mlp file", path, "must be a readable file");
  return parse_mlp(in, path);
}

std::string format_mlp_text(const mlp_description& network) {
  const std::size_t need = mlp_parameter_count(network.dim, network.hidden);
  SCOREPATH_EXPECTS(network.parameters.size() == need, "parameters size",
                    network.parameters.size(),
                    "must equal " + std::to_string(need) + " for these widths");
  for (std::size_t k = 0; k < need; ++k) {
    SCOREPATH_EXPECTS(std::isfinite(network.parameters[k]), "parameters[" + std::to_string(k) + "]",
                      network.parameters[k], "must be finite");
  }
  std::ostringstream out;
  out << "scorepath-mlp 1\ndim " << network.dim << "\nhidden";
  for (int w : network.hidden) out << ' ' << w;
  out << "\nactivation " << to_string(network.activation) << "\nparameters " << need << '\n';
  out.precision(17);
  for (std::size_t k = 0; k < need; ++k) out << network.parameters[k] << ((k + 1) % 8 ? ' ' : '\n');
  if (need % 8 != 0) out << '\n';
  return out.str();
}

void write_mlp_file(const std::string& path, const mlp_description& network) {
  const std::string text = format_mlp_text(network);
  const std::string staging = path + ".tmp";
  {
    std::ofstream out(staging, std::ios::trunc);
    SCOREPATH_EXPECTS(out.good(), "mlp file", staging, "must be writable");
    out << text;
    out.flush();
    if (!out.good()) {
      out.close();
      std::remove(staging.c_str());
      throw invalid_argument_error("mlp file", path, "could not be written completely", __FILE__,
                                   __LINE__);
    }
  }
  if (std::rename(staging.c_str(), path.c_str()) != 0) {
    std::remove(staging.c_str());
    throw invalid_argument_error("mlp file", path, "could not be renamed into place", __FILE__,
                                 __LINE__);
  }
}

}  // namespace scorepath
