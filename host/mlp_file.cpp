#include "scorepath/mlp_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <ios>
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

/// The count of the `parameters` and `end` lines: decimal digits equal to @p need.
void expect_count(const token_reader& reader, const char* item, const std::string& text,
                  std::size_t need) {
  const bool digits = !text.empty() && text.size() <= 20 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  SCOREPATH_EXPECTS(digits && std::strtoull(text.c_str(), nullptr, 10) == need, reader.where(item), text,
                    "must equal " + std::to_string(need) + ", the count the widths need");
}

/// The 16 lowercase hexadecimal digits of @p value.
std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

/// 64-bit FNV-1a, continued from @p hash over @p size bytes.
std::uint64_t fnv1a(std::uint64_t hash, const unsigned char* bytes, std::size_t size) {
  for (std::size_t k = 0; k < size; ++k) {
    hash ^= bytes[k];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// A number as the conditioning line writes it: 17 significant digits.
std::string exact_number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

/// The conditioning line of version 3, without its end of line.
std::string conditioning_line(const noise_conditioning& cond) {
  std::string text = std::string("conditioning ") + to_string(cond.kind);
  switch (cond.kind) {
    case conditioning_kind::vp:
      for (double v : {cond.beta_min, cond.beta_max, cond.t_min}) text += ' ' + exact_number(v);
      break;
    case conditioning_kind::ve:
      for (double v : {cond.sigma_min, cond.sigma_max, cond.t_min}) text += ' ' + exact_number(v);
      break;
    case conditioning_kind::levels:
      for (double v : cond.levels) text += ' ' + exact_number(v);
      break;
    case conditioning_kind::none: break;
  }
  return text;
}

/// The header lines after the magic, exactly as format_mlp_text writes them (the conditioning
/// line in version 3 only, that is, for a conditioned network).
std::string header_text(const mlp_description& network, std::size_t count) {
  std::string text = "dim " + std::to_string(network.dim) + "\nhidden";
  for (int w : network.hidden) text += ' ' + std::to_string(w);
  text += std::string("\nactivation ") + to_string(network.activation) + '\n';
  if (network.conditioning.conditioned()) text += conditioning_line(network.conditioning) + '\n';
  text += "parameters " + std::to_string(count) + '\n';
  return text;
}

/// Reads the tokens of a conditioning line (after the word) into @p cond and checks them.
void parse_conditioning(const token_reader& reader, const std::vector<std::string>& tokens,
                        noise_conditioning& cond) {
  SCOREPATH_EXPECTS(tokens.size() >= 2, reader.where("conditioning"), "missing",
                    "must name none, vp, ve or levels");
  try {
    cond.kind = parse_conditioning_kind(tokens[1]);
  } catch (const invalid_argument_error& e) {
    throw invalid_argument_error(reader.where("conditioning"), e.value(),
                                 "must be none, vp, ve or levels", __FILE__, __LINE__);
  }
  const std::size_t values = tokens.size() - 2;
  auto number = [&](std::size_t k, const char* item) {
    return parse_number(reader, item, tokens[2 + k]);
  };
  switch (cond.kind) {
    case conditioning_kind::none:
      throw invalid_argument_error(reader.where("conditioning"), "none",
                                   "must be vp, ve or levels: an unconditioned network is written "
                                   "as version 2",
                                   __FILE__, __LINE__);
    case conditioning_kind::vp:
    case conditioning_kind::ve: {
      const bool vp = cond.kind == conditioning_kind::vp;
      SCOREPATH_EXPECTS(values == 3, reader.where("conditioning"), values,
                        vp ? "vp takes three values: beta_min beta_max t_min"
                           : "ve takes three values: sigma_min sigma_max t_min");
      (vp ? cond.beta_min : cond.sigma_min) = number(0, vp ? "beta_min" : "sigma_min");
      (vp ? cond.beta_max : cond.sigma_max) = number(1, vp ? "beta_max" : "sigma_max");
      cond.t_min = number(2, "t_min");
      break;
    }
    case conditioning_kind::levels:
      SCOREPATH_EXPECTS(values >= 1, reader.where("conditioning"), values,
                        "levels takes at least one noise level");
      for (std::size_t k = 0; k < values; ++k) {
        cond.levels.push_back(number(k, ("levels[" + std::to_string(k) + "]").c_str()));
      }
      break;
  }
  try {
    check_noise_conditioning(cond);
  } catch (const invalid_argument_error& e) {
    throw invalid_argument_error(reader.where(e.parameter()), e.value(), e.requirement(),
                                 __FILE__, __LINE__);
  }
}

/// What is wrong with a path to be read, or empty when it can be opened as a file.
std::string unreadable_reason(const std::string& path) {
  if (path.empty()) return "must name a file (the path is empty)";
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return std::string("must be a readable file: ") + std::strerror(errno);
  }
  if (S_ISDIR(info.st_mode)) return "is a directory, not a file";
  return std::string();
}

/// Writes all of @p text to @p fd; false (errno set) when a write fails.
bool write_all(int fd, const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t wrote = ::write(fd, data, left);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      if (wrote == 0) errno = EIO;
      return false;
    }
    data += wrote;
    left -= static_cast<std::size_t>(wrote);
  }
  return true;
}

/// Creates a new file beside @p path under a name no other file has (O_EXCL), mode 0666 less
/// the umask; returns its descriptor and sets @p name, or -1 with errno set.
int create_staging_file(const std::string& path, std::string& name) {
  static std::atomic<std::uint64_t> counter{0};
  const auto now = static_cast<std::uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  for (int attempt = 0; attempt < 64; ++attempt) {
    const std::uint64_t mix = (static_cast<std::uint64_t>(::getpid()) << 40) ^
                              (counter.fetch_add(1) * 0x9e3779b97f4a7c15ULL) ^ now;
    name = path + ".tmp-" + hex16(mix);
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

}  // namespace

std::uint64_t mlp_checksum(const mlp_description& network) {
  const std::string header = header_text(network, network.parameters.size());
  std::uint64_t hash = fnv1a(0xcbf29ce484222325ULL,
                             reinterpret_cast<const unsigned char*>(header.data()), header.size());
  for (double value : network.parameters) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    unsigned char bytes[8];
    for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(bits >> (8 * b));
    hash = fnv1a(hash, bytes, sizeof bytes);
  }
  return hash;
}

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
  SCOREPATH_EXPECTS(tokens.size() == 2 && (tokens[1] == "1" || tokens[1] == "2" || tokens[1] == "3"),
                    reader.where("version"), tokens.size() > 1 ? tokens[1] : std::string("missing"),
                    "must be 1, 2 or 3");
  const bool checked = tokens[1] != "1";
  const bool has_conditioning = tokens[1] == "3";

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

  if (has_conditioning) {
    header("conditioning");
    parse_conditioning(reader, tokens, net.conditioning);
  }

  header("parameters");
  SCOREPATH_EXPECTS(tokens.size() == 2, reader.where("parameters"), tokens.size() - 1,
                    "must be one integer");
  std::size_t need = 0;
  try {  // the widths are checked above: what remains is a count past what memory can address
    need = mlp_parameter_count(net.dim, net.hidden, net.conditioning.features());
  } catch (const invalid_argument_error& e) {
    throw invalid_argument_error(reader.where(e.parameter()), e.value(),
                                 "widths give more parameters than memory can address", __FILE__,
                                 __LINE__);
  }
  expect_count(reader, "parameters", tokens[1], need);

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
  if (checked) {
    SCOREPATH_EXPECTS(reader.next_line(tokens), reader.where("end"), "end of file",
                      "the 'end' line is missing: the file is truncated");
    SCOREPATH_EXPECTS(!tokens.empty() && tokens[0] == "end", reader.where("end"), tokens[0],
                      "must be the 'end' line (end <count> fnv1a64 <16 hex digits>)");
    SCOREPATH_EXPECTS(tokens.size() == 4 && tokens[2] == "fnv1a64", reader.where("end"),
                      tokens.size() > 2 ? tokens[2] : std::string("missing"),
                      "must read 'end <count> fnv1a64 <16 hex digits>'");
    expect_count(reader, "end count", tokens[1], need);
    const std::string expected = hex16(mlp_checksum(net));
    SCOREPATH_EXPECTS(tokens[3] == expected, reader.where("checksum"), tokens[3],
                      "does not match the text's " + expected +
                          ": the file was cut or edited after it was written");
  }
  SCOREPATH_EXPECTS(!reader.next_line(tokens), reader.where("trailing data"),
                    tokens.empty() ? std::string() : tokens[0],
                    checked ? "must not follow the 'end' line" : "must not follow the parameters");
  return net;
}

mlp_description parse_mlp_text(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  return parse_mlp(in, source);
}

mlp_description read_mlp_file(const std::string& path) {
  const std::string reason = unreadable_reason(path);
  SCOREPATH_EXPECTS(reason.empty(), "mlp file", path, reason);
  std::ifstream in(path, std::ios::binary);
  SCOREPATH_EXPECTS(in.is_open(), "mlp file", path,
                    std::string("must be a readable file: ") + std::strerror(errno));
  try {
    return parse_mlp(in, path);
  } catch (const std::ios_base::failure& e) {  // a read error, as of a directory or a bad disk
    throw invalid_argument_error("mlp file", path, "could not be read: " + std::string(e.what()),
                                 __FILE__, __LINE__);
  }
}

std::string format_mlp_text(const mlp_description& network) {
  check_noise_conditioning(network.conditioning);
  const std::size_t need =
      mlp_parameter_count(network.dim, network.hidden, network.conditioning.features());
  SCOREPATH_EXPECTS(network.parameters.size() == need, "parameters size",
                    network.parameters.size(),
                    "must equal " + std::to_string(need) + " for these widths");
  for (std::size_t k = 0; k < need; ++k) {
    SCOREPATH_EXPECTS(std::isfinite(network.parameters[k]), "parameters[" + std::to_string(k) + "]",
                      network.parameters[k], "must be finite");
  }
  std::ostringstream out;
  out << (network.conditioning.conditioned() ? "scorepath-mlp 3\n" : "scorepath-mlp 2\n")
      << header_text(network, need);
  out.precision(17);
  for (std::size_t k = 0; k < need; ++k) out << network.parameters[k] << ((k + 1) % 8 ? ' ' : '\n');
  if (need % 8 != 0) out << '\n';
  out << "end " << need << " fnv1a64 " << hex16(mlp_checksum(network)) << '\n';
  return out.str();
}

void write_mlp_file(const std::string& path, const mlp_description& network) {
  const std::string text = format_mlp_text(network);
  SCOREPATH_EXPECTS(!path.empty(), "mlp file", path, "must name a file (the path is empty)");
  std::string staging;
  const int fd = create_staging_file(path, staging);
  SCOREPATH_EXPECTS(fd >= 0, "mlp file", path,
                    std::string("could not be created beside its destination: ") +
                        std::strerror(errno));
  const auto fail = [&](const char* what, int code) {
    ::unlink(staging.c_str());
    throw invalid_argument_error("mlp file", path, std::string(what) + std::strerror(code),
                                 __FILE__, __LINE__);
  };
  if (!write_all(fd, text)) {
    const int code = errno;
    ::close(fd);
    fail("could not be written completely: ", code);
  }
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    const int code = errno;
    ::close(fd);
    fail("could not be flushed to storage: ", code);
  }
  if (::close(fd) != 0) fail("could not be closed after writing: ", errno);
  if (std::rename(staging.c_str(), path.c_str()) != 0) {
    fail("could not be renamed into place: ", errno);
  }
}

}  // namespace scorepath
