/**
 * @file detail/cuda_arch.hpp
 * @brief Whether the CUDA code of a build runs on a device: the build's architecture list
 *        (CMake's CUDA_ARCHITECTURES) against the device's compute capability.
 *
 * An entry "NN" (CMake's default form) carries machine code (SASS) for sm_NN and PTX for
 * compute_NN; "NN-real" the machine code alone, "NN-virtual" the PTX alone. Machine code for sm_NN
 * runs on devices of the same major version and at least its minor one; the driver compiles PTX
 * for compute_NN on any device of capability NN or above. An arch-specific entry "NNa" (e.g. 90a)
 * runs on capability NN exactly, a family entry "NNf" on the same major version from NN up. "all",
 * "all-major", "native", "OFF" (nvcc's own default) and an empty list are taken to include the
 * device: the build cannot say otherwise.
 */
#pragma once

#include <cctype>
#include <string>

namespace scorepath::detail {

/// True when code built for @p archs ("80,90", "80;90-real", "90a", ...) runs on compute
/// capability @p major.@p minor.
inline bool cuda_archs_run_on(const std::string& archs, int major, int minor) {
  const int device = 10 * major + minor;
  if (archs.find_first_not_of(",; ") == std::string::npos || archs == "OFF") return true;
  std::size_t at = 0;
  while (at < archs.size()) {
    std::size_t end = archs.find_first_of(",; ", at);
    if (end == std::string::npos) end = archs.size();
    const std::string entry = archs.substr(at, end - at);
    at = end + 1;
    if (entry.empty()) continue;
    if (entry == "all" || entry == "all-major" || entry == "native") return true;
    std::size_t digits = 0;
    while (digits < entry.size() && std::isdigit(static_cast<unsigned char>(entry[digits]))) {
      ++digits;
    }
    if (digits == 0) continue;
    const int arch = std::stoi(entry.substr(0, digits));
    std::string kind = entry.substr(digits);
    const char variant = !kind.empty() && (kind[0] == 'a' || kind[0] == 'f') ? kind[0] : ' ';
    if (variant != ' ') kind.erase(0, 1);
    if (!kind.empty() && kind != "-real" && kind != "-virtual") continue;
    const bool sass = kind.empty() || kind == "-real";
    const bool ptx = kind.empty() || kind == "-virtual";
    const bool same_major = arch / 10 == major && arch % 10 <= minor;
    if (variant == 'a') {
      if (arch == device) return true;  // arch-specific code runs on that capability alone
    } else if (variant == 'f') {
      if (same_major) return true;      // a family: the major version, from the minor up
    } else {
      if (sass && same_major) return true;
      if (ptx && arch <= device) return true;
    }
  }
  return false;
}

}  // namespace scorepath::detail
