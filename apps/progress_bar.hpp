// A progress bar on stderr for long runs, shown only when stderr is a terminal.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <functional>

#include "scorepath/detail/chunking.hpp"

namespace scorepath::cli {

/// Work (path-steps) below which no bar is drawn: such runs take about a second.
inline constexpr double progress_threshold = 2e8;

/// A callback drawing "[#####     ]  50%" on stderr, or an empty one when stderr is not a
/// terminal or the run is short. The bar ends with a newline when the run completes.
inline std::function<void(std::uint64_t, std::uint64_t)> make_progress_bar(const char* label,
                                                                           double work) {
  if (work < progress_threshold || !isatty(fileno(stderr))) return {};
  return [label](std::uint64_t done, std::uint64_t total) {
    constexpr int width = 40;
    const int filled = total == 0 ? width : static_cast<int>(width * done / total);
    std::fprintf(stderr, "\r%s [", label);
    for (int i = 0; i < width; ++i) std::fputc(i < filled ? '#' : ' ', stderr);
    std::fprintf(stderr, "] %3d%%", total == 0 ? 100 : static_cast<int>(100 * done / total));
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
  };
}

/// Paths per chunk that give the bar about 50 updates: never below 64 Ki paths, and never above
/// the library's own default_chunk_limit, so that a run's memory, and whether it fits, is the same
/// with the bar as without it (larger runs just update the bar more often).
inline std::uint64_t progress_chunk(std::uint64_t paths) {
  constexpr std::uint64_t lowest = std::uint64_t{1} << 16;
  const std::uint64_t chunk = paths / 50;
  return chunk < lowest ? lowest : chunk > default_chunk_limit ? default_chunk_limit : chunk;
}

}  // namespace scorepath::cli
