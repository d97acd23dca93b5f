// The upper bound of every command's --threads option.
#pragma once

#include "scorepath/error.hpp"

namespace scorepath::cli {

/// Most CPU threads a command starts. Far more than any host has cores; beyond some tens of
/// thousands, OpenMP's thread creation fails and the process crashes instead of reporting it.
inline constexpr int max_threads = 4096;

/// @brief Called before the value reaches context::set_threads, so a message names the option.
/// @throw invalid_argument_error naming `--threads` below 0 or above max_threads
inline void check_thread_option(int threads) {
  SCOREPATH_EXPECTS(threads >= 0 && threads <= max_threads, "--threads", threads,
                    "must be from 0 (the OpenMP default) to 4096");
}

}  // namespace scorepath::cli
