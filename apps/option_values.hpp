// How the command line reads option values: integers in decimal within their type's range, no
// empty values, and library errors reported under the option that set the value.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "scorepath/error.hpp"

namespace scorepath::cli {

/// A number as messages print it: up to 17 significant digits.
inline std::string number_text(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

/**
 * @brief Refuses a missing value: an empty one (CLI11 reads `--mu ""` as 0 and takes
 *        `--weights ""` as given), or the name of one of @p cmd's options, which CLI11 takes as
 *        the value of `--paths=` (nothing after '=') from the next argument.
 */
inline CLI::Validator value_present(const CLI::App* cmd) {
  return CLI::Validator(
      [cmd](std::string& text) {
        if (text.empty()) return std::string("the value is empty; give one");
        if (text.size() > 2 && text.compare(0, 2, "--") == 0 &&
            cmd->get_option_no_throw(text.substr(0, text.find('='))) != nullptr) {
          return "the value is missing ('" + text.substr(0, text.find('=')) +
                 "' is the next option); give one, after '=' or a blank";
        }
        return std::string();
      },
      "", "value present");
}

/// Adds value_present() to every option of @p cmd that takes a value (flags take none), ahead of
/// the option's other checks.
inline void refuse_missing_values(CLI::App* cmd) {
  for (CLI::Option* option : cmd->get_options()) {
    if (option->get_items_expected_min() > 0) option->transform(value_present(cmd));
  }
}

/**
 * @brief Accepts only a decimal integer that T holds: optional '-' (for a signed T) and digits,
 *        nothing else. Leading zeros are decimal (`010` is ten, not octal eight), hexadecimal and
 *        values past T's range are refused instead of saturating; the text is rewritten without
 *        leading zeros, so CLI11's own conversion reads the same number. Add it with transform(),
 *        which may rewrite the text (check() may not).
 */
template <class T>
CLI::Validator decimal_integer() {
  static_assert(std::is_integral<T>::value && sizeof(T) <= 8, "a built-in integer type");
  return CLI::Validator(
      [](std::string& text) {
        const std::string range = "a decimal integer from " +
                                  std::to_string(std::numeric_limits<T>::min()) + " to " +
                                  std::to_string(std::numeric_limits<T>::max());
        if (text.size() > 2 && text.compare(0, 2, "--") == 0) {
          return "the value is missing ('" + text + "' follows in its place)";
        }
        const bool negative = !text.empty() && text[0] == '-';
        const std::string digits = negative ? text.substr(1) : text;
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
          if (negative && std::is_unsigned<T>::value) return "must not be negative ('" + text + "' was given)";
          return "'" + text + "' must be " + range;
        }
        if (negative && std::is_unsigned<T>::value) {
          return "must not be negative ('" + text + "' was given)";
        }
        const std::size_t first = std::min(digits.find_first_not_of('0'), digits.size() - 1);
        const std::string canonical = (negative ? "-" : "") + digits.substr(first);
        errno = 0;
        bool fits = false;
        if (negative) {
          const long long v = std::strtoll(canonical.c_str(), nullptr, 10);
          fits = errno == 0 && v >= static_cast<long long>(std::numeric_limits<T>::min());
        } else {
          const unsigned long long v = std::strtoull(canonical.c_str(), nullptr, 10);
          fits = errno == 0 &&
                 v <= static_cast<unsigned long long>(std::numeric_limits<T>::max());
        }
        if (!fits) return "'" + text + "' is out of range: it must be " + range;
        text = canonical == "-0" ? "0" : canonical;
        return std::string();
      },
      "", "decimal integer");
}

/**
 * @brief Adds an option taking a list of values, given as one or more arguments, each a
 *        comma-separated list (`--hidden 64,64` or `--hidden 64 64`). Unlike CLI11's delimiter,
 *        which drops empty items, an empty item (`4,,4`, `4,`) is refused naming the option, and
 *        integers are read as decimal_integer reads them.
 * @param target set to the values when the option is given; its value is the default shown
 */
template <class T>
CLI::Option* add_list_option(CLI::App* cmd, const std::string& name, std::vector<T>& target,
                             const std::string& description) {
  std::string shown;
  for (const T& value : target) {
    if (!shown.empty()) shown += ',';
    if constexpr (std::is_integral<T>::value) {
      shown += std::to_string(value);
    } else {
      shown += value;
    }
  }
  CLI::Option* option = cmd->add_option_function<std::vector<std::string>>(
      name,
      [&target, name = name.substr(0, name.find(','))](const std::vector<std::string>& texts) {
        std::vector<T> values;
        for (const std::string& text : texts) {
          std::size_t begin = 0;
          for (;;) {
            const std::size_t comma = text.find(',', begin);
            std::string item = text.substr(begin, comma == std::string::npos ? comma : comma - begin);
            if (item.empty()) {
              throw CLI::ValidationError(
                  name, "'" + text + "' has an empty item; separate values by single commas");
            }
            if constexpr (std::is_integral<T>::value) {
              const std::string problem = decimal_integer<T>()(item);
              if (!problem.empty()) throw CLI::ValidationError(name, problem);
              if constexpr (std::is_signed<T>::value) {
                values.push_back(static_cast<T>(std::stoll(item)));
              } else {
                values.push_back(static_cast<T>(std::stoull(item)));
              }
            } else {
              values.push_back(item);
            }
            if (comma == std::string::npos) break;
            begin = comma + 1;
          }
        }
        target = std::move(values);
      },
      description);
  option->default_str(shown);
  return option;
}

/// A library parameter (the name before any '[') and the option that sets it. When @p typed,
/// the library's value is the option's: a message shows the text typed instead (`-0.2`, not the
/// float it became, `-0.20000000298023224`).
struct option_name {
  std::string library;
  std::string option;
  bool typed = true;
};
using option_names = std::vector<option_name>;

namespace detail_options {

/// The text typed for @p option, item @p index of a list (or its only item); empty if none.
inline std::string typed_text(const CLI::App& cmd, const std::string& option,
                              const std::string& parameter) {
  const CLI::Option* given = cmd.get_option_no_throw(option);
  if (given == nullptr || given->count() == 0) return std::string();
  const std::vector<std::string>& texts = given->results();
  if (texts.size() == 1) return texts[0];
  const std::size_t open = parameter.find('[');
  if (open == std::string::npos) return std::string();
  const std::size_t index = std::strtoull(parameter.c_str() + open + 1, nullptr, 10);
  return index < texts.size() ? texts[index] : std::string();
}

}  // namespace detail_options

/**
 * @brief Calls f; an invalid_argument_error naming a library parameter in @p names (`threads`,
 *        `x0[1]`) is thrown again naming the option of @p cmd instead (`--threads`, `--x0`), with
 *        the text typed as its value where there is one, and the same requirement, so a message
 *        names what the user typed.
 */
template <class F>
decltype(auto) naming_options(const CLI::App& cmd, const option_names& names, F&& f) {
  try {
    return f();
  } catch (const invalid_argument_error& e) {
    const std::string& parameter = e.parameter();
    const std::string base = parameter.substr(0, parameter.find('['));
    for (const option_name& name : names) {
      if (base != name.library) continue;
      // the message is "scorepath: invalid argument '<p>' = <v>: <requirement> (at <file>:<line>)"
      const std::string message = e.what();
      const std::string head =
          "scorepath: invalid argument '" + parameter + "' = " + e.value() + ": ";
      const std::size_t tail = message.rfind(" (at ");
      if (message.compare(0, head.size(), head) != 0 || tail == std::string::npos ||
          tail < head.size()) {
        throw;
      }
      std::string value = name.typed ? detail_options::typed_text(cmd, name.option, parameter)
                                     : std::string();
      if (value.empty()) value = e.value();
      throw invalid_argument_error(name.option, value,
                                   message.substr(head.size(), tail - head.size()), e.file(),
                                   e.line());
    }
    throw;
  }
}

/**
 * @brief Refuses a value of a floating-point option that T cannot hold (|v| above its largest
 *        finite value, which a cast would turn into inf), naming the option and the text typed.
 * @throw invalid_argument_error naming @p option
 */
template <class T>
void check_in_range(const CLI::Option* option, const char* precision) {
  for (const std::string& text : option->results()) {
    const double v = std::strtod(text.c_str(), nullptr);
    SCOREPATH_EXPECTS(!std::isfinite(v) || std::abs(v) <= std::numeric_limits<T>::max(),
                      option->get_name(), text,
                      std::string("is out of range for ") + precision + " (largest magnitude " +
                          number_text(std::numeric_limits<T>::max()) + ")");
  }
}

}  // namespace scorepath::cli
