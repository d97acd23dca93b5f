/**
 * @file error.hpp
 * @brief Typed exceptions and the check macros that throw them.
 *
 * Every error carries the call site. Argument errors also carry the parameter name and the
 * offending value, so a message reads e.g.
 * `scorepath: invalid argument 'steps' = 0: must be at least 1 (at ensemble.hpp:120)`.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

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
 * @brief Index of the first of @p size values that is not finite, or @p size when all are.
 *
 * Float and double are scanned by blocks with a branch-free test of the exponent bits, which the
 * compiler vectorises (a sample table is checked before every run, on one thread); only a block
 * that holds a non-finite value is searched element by element.
 */
template <class T>
std::size_t first_non_finite(const T* values, std::size_t size) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    constexpr bits_t exponent =
        sizeof(T) == 4 ? bits_t(0x7f800000u) : bits_t(0x7ff0000000000000ull);
    constexpr std::size_t block = 2048;
    for (std::size_t start = 0; start < size; start += block) {
      const std::size_t end = std::min(size, start + block);
      bits_t any = 0;
      for (std::size_t k = start; k < end; ++k) {
        bits_t bits;
        std::memcpy(&bits, values + k, sizeof bits);
        any |= (bits & exponent) == exponent;  // all exponent bits set: infinity or NaN
      }
      if (any == 0) continue;
      for (std::size_t k = start; k < end; ++k) {
        if (!std::isfinite(values[k])) return k;
      }
    }
    return size;
  } else {
    for (std::size_t k = 0; k < size; ++k) {
      if (!std::isfinite(static_cast<double>(values[k]))) return k;
    }
    return size;
  }
}

/**
 * @brief Refuses the first value of a row-major table (rows of @p columns values) that is not
 *        finite, naming it `<name>[row][column]` with its value.
 * @throw invalid_argument_error
 */
template <class T>
void require_finite_rows(const char* name, const T* values, std::size_t size, std::size_t columns) {
  const std::size_t k = first_non_finite(values, size);
  if (k < size) {
    throw invalid_argument_error(std::string(name) + "[" + std::to_string(k / columns) + "][" +
                                     std::to_string(k % columns) + "]",
                                 to_text(values[k]), "must be finite", __FILE__, __LINE__);
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
