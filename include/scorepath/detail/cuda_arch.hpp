/**
 * @file detail/cuda_arch.hpp
 * @brief Whether the CUDA code of a build runs on a device: the build's architecture list
 *        (CMake's CUDA_ARCHITECTURES) against the device's compute capability.
 *
 * An entry "NN" (CMake's default form) carries machine code (SASS) for sm_NN and PTX for
 * compute_NN; "NN-real" the machine code alone, "NN-virtual" the PTX alone. Machine code for sm_NN
 * runs on devices of the same major version and at least its minor one; the driver compiles PTX
 * for compute_NN on any device of capability NN or above. "all", "all-major" and "native" are
 * taken to include the device.
 */
#pragma once

#include <cctype>
#include <string>

namespace scorepath::detail {

/// True when code built for @p archs ("80,90", "80;90-real", ...) runs on compute capability
/// @p major.@p minor. An empty list runs nowhere.
inline bool cuda_archs_run_on(const std::string& archs, int major, int minor) {
  const int device = 10 * major + minor;
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
    const std::string kind = entry.substr(digits);
    const bool sass = kind.empty() || kind == "-real";
    const bool ptx = kind.empty() || kind == "-virtual";
    if (sass && arch / 10 == major && arch % 10 <= minor) return true;
    if (ptx && arch <= device) return true;
  }
  return false;
}

}  // namespace scorepath::detail
