// The upper bound of every command's --threads option.
#pragma once

#include "scorepath/error.hpp"

namespace scorepath::cli {

/// Most CPU threads a command starts. Far more than any host has cores; beyond some tens of
/// thousands, OpenMP's thread creation fails and the process crashes instead of reporting it.
inline constexpr int max_threads = 4096;

/// @throw invalid_argument_error naming `--threads` above max_threads (below 0 context refuses)
inline void check_thread_option(int threads) {
  SCOREPATH_EXPECTS(threads <= max_threads, "--threads", threads, "must be at most 4096");
}

}  // namespace scorepath::cli
