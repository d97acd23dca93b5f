#include "scorepath/error.hpp"

#include <cstring>
#include <utility>

namespace scorepath {
namespace {
const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}
}  // namespace

error::error(const std::string& what, const char* file, int line)
    : std::runtime_error("scorepath: " + what + " (at " + base_name(file) + ":" +
                         std::to_string(line) + ")"),
      file_(file),
      line_(line) {}

invalid_argument_error::invalid_argument_error(std::string parameter, std::string value,
                                               const std::string& requirement, const char* file,
                                               int line)
    : error("invalid argument '" + parameter + "' = " + value + ": " + requirement, file, line),
      parameter_(std::move(parameter)),
      value_(std::move(value)) {}

}  // namespace scorepath
