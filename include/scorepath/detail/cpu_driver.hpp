/**
 * @file detail/cpu_driver.hpp
 * @brief The CPU driver every engine runs through: OpenMP threads over the blocks of each chunk,
 *        per-thread scratch, per-block results folded in block order, worker exceptions carried
 *        out of the parallel region, and progress after each chunk.
 *
 * An engine supplies only what is its own:
 * - a per-block body `body(item_range block, Scratch& scratch, Result* results)` that computes
 *   the items of one block (detail/block_decomposition.hpp) and writes `results_per_block`
 *   results for it (a moment_accumulator per statistic row, say); the body of block k sees only
 *   items of block k, so its results do not depend on the thread that runs it;
 * - `init(Scratch&)`, which sizes a thread's scratch once per chunk (it may throw std::bad_alloc);
 * - a fold `fold(const Result* results, std::uint64_t first_block, std::uint64_t blocks)`, called
 *   on the calling thread after each chunk with the chunk's results in block order.
 * What the driver guarantees: every result is folded in the same order for any thread count, so
 * the fold is bitwise reproducible; an exception from init, body or fold reaches the caller (a
 * std::bad_alloc as out_of_memory_error, detail/omp_exceptions.hpp) and ends the run; progress,
 * when set, is called with (items done, items) after each chunk's fold.
 *
 * The OpenMP regions live in this function template, never in an engine's lambdas, so engines
 * may call it from generic lambdas (clang does not accept `#pragma omp parallel` in one).
 */
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/block_decomposition.hpp"
#include "scorepath/detail/cpu_threads.hpp"
#include "scorepath/detail/omp_exceptions.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/moments.hpp"

namespace scorepath::detail {

/// How blocks are handed to threads; the results are the same either way.
enum class cpu_block_schedule {
  even,     ///< equal shares in block order (blocks cost the same: paths of one SDE)
  balanced  ///< one block at a time to whichever thread is free (costs vary: score models)
};

/// Called after each chunk with (items done, items), or empty.
using progress_callback = std::function<void(std::uint64_t, std::uint64_t)>;

/// A thread's scratch for an engine that needs none.
struct no_scratch {};

/// Fold of per-block moments into @p totals (grouped_moments::fold_blocks).
inline auto fold_into(grouped_moments& totals) {
  return [&totals](const moment_accumulator* results, std::uint64_t first_block,
                   std::uint64_t blocks) { totals.fold_blocks(results, first_block, blocks); };
}

/// Fold for an engine whose blocks give no results.
inline auto no_fold() {
  return [](const void*, std::uint64_t, std::uint64_t) {};
}

/**
 * @brief Runs body(k, scratch) for k = 0 … count − 1 on at most ctx.threads() OpenMP threads (at
 *        most one per item), each thread with its own @p Scratch sized by init(scratch). Items
 *        must write only what is theirs; an exception from init or body reaches the caller after
 *        the region (a std::bad_alloc as out_of_memory_error).
 */
template <class Scratch, class Init, class Body>
void cpu_for_each(const context& ctx, std::uint64_t count, cpu_block_schedule schedule,
                  Init&& init, Body&& body) {
  const int threads = cpu_threads_for(ctx, count);
  const auto item_count = static_cast<std::int64_t>(count);
  omp_exception_trap trap;
#pragma omp parallel num_threads(threads)
  {
    Scratch scratch;
    trap.run([&] { init(scratch); });
    auto run_item = [&](std::int64_t k) {
      trap.run([&] { body(static_cast<std::uint64_t>(k), scratch); });
    };
    if (schedule == cpu_block_schedule::even) {
#pragma omp for schedule(static)
      for (std::int64_t k = 0; k < item_count; ++k) run_item(k);
    } else {
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t k = 0; k < item_count; ++k) run_item(k);
    }
  }
  trap.rethrow_if_failed();
}

/**
 * @brief Runs @p body over every block of @p run on ctx.threads() OpenMP threads (at most one per
 *        block of a chunk), folding each chunk's per-block results in block order.
 * @tparam Result what a block gives (results_per_block of them per block)
 * @tparam Scratch a thread's working memory, default-constructed, then sized by @p init
 */
template <class Result, class Scratch, class Init, class Body, class Fold>
void cpu_run_blocks(const context& ctx, const block_decomposition& run, cpu_block_schedule schedule,
                    std::uint32_t results_per_block, Init&& init, Body&& body, Fold&& fold,
                    const progress_callback& progress = {}) {
  std::vector<Result> results;
  for (std::uint64_t c = 0; c < run.chunk_count(); ++c) {
    const item_range chunk = run.chunk(c);
    const std::uint64_t blocks = block_decomposition::block_count(chunk);
    results.assign(blocks * results_per_block, Result{});
    cpu_for_each<Scratch>(ctx, blocks, schedule, init, [&](std::uint64_t k, Scratch& scratch) {
      body(block_decomposition::block(chunk, k), scratch, results.data() + k * results_per_block);
    });
    fold(static_cast<const Result*>(results.data()), block_decomposition::first_block(chunk), blocks);
    if (progress) progress(chunk.end(), run.items());
  }
}

}  // namespace scorepath::detail
