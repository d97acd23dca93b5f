#include "scorepath/error.hpp"

#include <cstring>
#include <utility>

namespace scorepath {
namespace {
const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

/// @p text with every control byte (0x00-0x1F, 0x7F) written as \xNN, so that a message quoting
/// user input (a file's bytes, an option's value) is one line of visible text and a NUL inside it
/// does not cut what() short.
std::string printable(const std::string& text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

error::error(const std::string& what, const char* file, int line)
    : std::runtime_error("scorepath: " + printable(what) + " (at " + base_name(file) + ":" +
                         std::to_string(line) + ")"),
      file_(file),
      line_(line) {}

invalid_argument_error::invalid_argument_error(std::string parameter, std::string value,
                                               const std::string& requirement, const char* file,
                                               int line)
    : error("invalid argument '" + parameter + "' = " + value + ": " + requirement, file, line),
      parameter_(std::move(parameter)),
      value_(std::move(value)),
      requirement_(requirement) {}

}  // namespace scorepath
