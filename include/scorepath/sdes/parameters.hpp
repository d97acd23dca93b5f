/**
 * @file sdes/parameters.hpp
 * @brief Checks shared by the built-in SDEs' constructors.
 */
#pragma once

#include <cmath>
#include <string>

#include "scorepath/error.hpp"

namespace scorepath::detail {

/// Throws invalid_argument_error naming @p name unless @p value is finite.
inline void require_finite(const char* name, double value) {
  SCOREPATH_EXPECTS(std::isfinite(value), name, value, "must be finite");
}

/// Throws unless @p value is finite and ≥ 0.
inline void require_non_negative(const char* name, double value) {
  SCOREPATH_EXPECTS(std::isfinite(value) && value >= 0.0, name, value, "must be finite and >= 0");
}

/// Throws unless @p value is finite and > 0.
inline void require_positive(const char* name, double value) {
  SCOREPATH_EXPECTS(std::isfinite(value) && value > 0.0, name, value, "must be finite and > 0");
}

/// "name[i]" for messages about one element of a parameter vector.
inline std::string element_name(const char* name, int i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

}  // namespace scorepath::detail
