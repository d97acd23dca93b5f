/**
 * @file error.hpp
 * @brief Typed exceptions and the check macros that throw them.
 *
 * Every error carries the call site. Argument errors also carry the parameter name and the
 * offending value, so a message reads e.g.
 * `scorepath: invalid argument 'steps' = 0: must be at least 1 (at ensemble.hpp:120)`.
 */
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>

namespace scorepath {

/// Base of every exception scorepath throws.
class error : public std::runtime_error {
 public:
  /// @brief Builds the message "scorepath: <what> (at <file>:<line>)".
  error(const std::string& what, const char* file, int line);
  /// Source file of the call site that raised the error.
  const char* file() const noexcept { return file_; }
  /// Source line of the call site that raised the error.
  int line() const noexcept { return line_; }

 private:
  const char* file_;
  int line_;
};

/// A caller passed a value that the function cannot accept.
class invalid_argument_error : public error {
 public:
  /// @param parameter name of the parameter @param value the value, printed
  /// @param requirement what the value had to satisfy
  invalid_argument_error(std::string parameter, std::string value, const std::string& requirement,
                         const char* file, int line);
  /// Name of the offending parameter.
  const std::string& parameter() const noexcept { return parameter_; }
  /// The offending value, as text.
  const std::string& value() const noexcept { return value_; }
  /// What the value had to satisfy.
  const std::string& requirement() const noexcept { return requirement_; }

 private:
  std::string parameter_;
  std::string value_;
  std::string requirement_;
};

/// The requested backend or feature does not exist in this build or on this machine.
class unavailable_error : public error {
  using error::error;
};

/// A CUDA runtime call failed.
class cuda_error : public error {
  using error::error;
};

/// A cuRAND call failed.
class curand_error : public error {
  using error::error;
};

/// Memory for a request could not be had (host or device).
class out_of_memory_error : public error {
  using error::error;
};

namespace detail {
/// Prints a value for an error message.
template <class T>
std::string to_text(const T& value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

/**
 * @brief Refuses the first value of a row-major table (rows of @p columns values) that is not
 *        finite, naming it `<name>[row][column]` with its value.
 * @throw invalid_argument_error
 */
template <class T>
void require_finite_rows(const char* name, const T* values, std::size_t size, std::size_t columns) {
  for (std::size_t k = 0; k < size; ++k) {
    if (!std::isfinite(static_cast<double>(values[k]))) {
      throw invalid_argument_error(std::string(name) + "[" + std::to_string(k / columns) + "][" +
                                       std::to_string(k % columns) + "]",
                                   to_text(values[k]), "must be finite", __FILE__, __LINE__);
    }
  }
}
}  // namespace detail

}  // namespace scorepath

/// Throws scorepath::invalid_argument_error unless @p cond holds.
#define SCOREPATH_EXPECTS(cond, parameter, value, requirement)                                  \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      throw ::scorepath::invalid_argument_error((parameter), ::scorepath::detail::to_text(value), \
                                                (requirement), __FILE__, __LINE__);             \
    }                                                                                           \
  } while (0)
