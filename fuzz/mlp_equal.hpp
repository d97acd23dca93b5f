// Bit-for-bit comparison of two network descriptions, for the weights-file fuzz targets.
#pragma once

#include <cstring>

#include "scorepath/mlp_file.hpp"

namespace scorepath::fuzz {

/// True when @p a and @p b have the same widths, activation and parameter bits (so -0 ≠ +0).
inline bool same_network(const mlp_description& a, const mlp_description& b) {
  return a.dim == b.dim && a.hidden == b.hidden && a.activation == b.activation &&
         a.parameters.size() == b.parameters.size() &&
         (a.parameters.empty() || std::memcmp(a.parameters.data(), b.parameters.data(),
                                              a.parameters.size() * sizeof(double)) == 0);
}

}  // namespace scorepath::fuzz
