// A check for the command line's 64-bit unsigned options.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace scorepath::cli {

/// Refuses a value with a minus sign. CLI11 reads 64-bit unsigned options with strtoull, which
/// takes "-1" as 2^64 - 1, so `--paths -5` or `--seed -1` would silently wrap.
inline CLI::Validator not_negative() {
  return CLI::Validator(
      [](std::string& text) {
        const auto first = text.find_first_not_of(" \t\n\v\f\r");
        return first != std::string::npos && text[first] == '-' ? std::string("must not be negative")
                                                                : std::string();
      },
      "", "not negative");
}

}  // namespace scorepath::cli
