// Bit-for-bit comparison of two network descriptions, for the weights-file fuzz targets.
#pragma once

#include <cstring>

#include "scorepath/mlp_file.hpp"

namespace scorepath::fuzz {

/// True when @p a and @p b are conditioned alike (the fields their kind uses).
inline bool same_conditioning(const noise_conditioning& a, const noise_conditioning& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case conditioning_kind::vp:
      return a.beta_min == b.beta_min && a.beta_max == b.beta_max && a.t_min == b.t_min;
    case conditioning_kind::ve:
      return a.sigma_min == b.sigma_min && a.sigma_max == b.sigma_max && a.t_min == b.t_min;
    case conditioning_kind::levels: return a.levels == b.levels;
    case conditioning_kind::none: break;
  }
  return true;
}

/// True when @p a and @p b have the same widths, activation, conditioning and parameter bits
/// (so -0 ≠ +0).
inline bool same_network(const mlp_description& a, const mlp_description& b) {
  return a.dim == b.dim && a.hidden == b.hidden && a.activation == b.activation &&
         same_conditioning(a.conditioning, b.conditioning) &&
         a.parameters.size() == b.parameters.size() &&
         (a.parameters.empty() || std::memcmp(a.parameters.data(), b.parameters.data(),
                                              a.parameters.size() * sizeof(double)) == 0);
}

}  // namespace scorepath::fuzz
