// The context every command runs on: its --backend and the upper bound of its --threads.
#pragma once

#include <string>

#include "processes.hpp"
#include "scorepath/context.hpp"
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

/**
 * @brief The context of --backend @p backend and --threads @p threads: the checks of every
 *        command's run and of its checks alone.
 * @param cuda_kernel whether the computation has a CUDA kernel; without one, `auto` runs on the
 *        CPU (an explicit `cuda` is left for the engine to refuse)
 * @throw invalid_argument_error naming `--backend` or `--threads`; unavailable_error for a
 *        backend this build or host lacks
 */
inline context make_context(const std::string& backend, int threads, bool cuda_kernel = true) {
  // Ranks sharing a machine take its GPUs in turn (one rank per GPU when there are as many).
  const int devices = cuda_device_count();
  context ctx(parse_backend_choice(backend),
              devices > 1 ? processes().local_rank % devices : 0);
  check_thread_option(threads);
  if (backend == "auto" && ctx.kind() == scorepath::backend::cuda && !cuda_kernel) {
    ctx = context(backend_choice::cpu);
  }
  ctx.set_threads(threads);
  return ctx;
}

}  // namespace scorepath::cli
