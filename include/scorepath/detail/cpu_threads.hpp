/**
 * @file detail/cpu_threads.hpp
 * @brief How many OpenMP threads a CPU region starts, and the check that they can be started.
 */
#pragma once

#include <cstdint>

#include "scorepath/context.hpp"

namespace scorepath::detail {

/**
 * @brief Makes sure @p threads OpenMP threads can be started (a thread the system cannot create
 *        would otherwise end the process inside the OpenMP runtime).
 *
 * The first time a count above every count checked so far is asked for, the missing threads are
 * started once (with the stack size OMP_STACKSIZE or the system gives OpenMP threads) and joined.
 * @throw out_of_memory_error naming `threads` when the system refuses a thread
 */
void ensure_cpu_threads(int threads);

/// Threads for a region of @p work_items independent items: ctx.threads(), but never more than
/// there are items, and checked with ensure_cpu_threads. At least 1.
inline int cpu_threads_for(const context& ctx, std::uint64_t work_items) {
  const int wanted = ctx.threads();
  const int threads = work_items < static_cast<std::uint64_t>(wanted)
                          ? static_cast<int>(work_items < 1 ? 1 : work_items)
                          : wanted;
  ensure_cpu_threads(threads);
  return threads;
}

}  // namespace scorepath::detail
