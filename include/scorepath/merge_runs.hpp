/**
 * @file merge_runs.hpp
 * @brief Joins the reports of runs over consecutive path ranges of one ensemble, as a run split
 *        across processes or machines would, into exactly the report of a single run.
 *
 * @code
 * scorepath::rng_state start = rng.state();               // what the single run would start from
 * scorepath::rng_stream part1(start), part2({start.seed, start.next_subsequence + n1});
 * opt.paths = n1;       auto a = scorepath::simulate_em(ctx, part1, sde, x0, opt);
 * opt.paths = n - n1;   auto b = scorepath::simulate_em(ctx, part2, sde, x0, opt);
 * auto whole = scorepath::merge_em_reports(a, b);         // n1 a multiple of statistics_group
 * @endcode
 */
#pragma once

#include <cmath>
#include <string>

#include "scorepath/ensemble.hpp"
#include "scorepath/error.hpp"
#include "scorepath/grouped_moments.hpp"

namespace scorepath {

/**
 * @brief The report of one run over the paths of @p first followed by those of @p second.
 *
 * `used` and `rng` are the first run's. Statistics come out bitwise equal to those of the single
 * run when @p first covers a multiple of statistics_group paths (grouped_moments.hpp explains
 * why).
 *
 * @throw invalid_argument_error naming the field that differs: `seed`, `subsequence` (the second
 *        run must start where the first ended), `dim`, `scalar_bytes` (float and double runs),
 *        `t0`, `t1`, `steps`, `refinement`, `step_size`, `x0` (or `x0[c]`), `save_steps`,
 *        `statistics`, `reducer`, or `first run items` when the cut is not at a group boundary.
 *        Times and initial states are compared exactly (bit for bit): the runs must be one run.
 */
inline em_report merge_em_reports(const em_report& first, const em_report& second) {
  SCOREPATH_EXPECTS(second.rng.seed == first.rng.seed, "seed", second.rng.seed,
                    "must equal the first run's seed " + std::to_string(first.rng.seed));
  const std::uint64_t next = first.rng.next_subsequence + first.paths;
  SCOREPATH_EXPECTS(second.rng.next_subsequence == next, "subsequence",
                    second.rng.next_subsequence,
                    "the second run must start where the first ended, at " + std::to_string(next));
  SCOREPATH_EXPECTS(second.dim == first.dim, "dim", second.dim, "must match the first run");
  SCOREPATH_EXPECTS(second.scalar_bytes == first.scalar_bytes, "scalar_bytes",
                    second.scalar_bytes,
                    "must match the first run's " + std::to_string(first.scalar_bytes) +
                        " (float and double runs do not merge)");
  auto same_time = [](const char* name, double a, double b) {
    SCOREPATH_EXPECTS(a == b || (std::isnan(a) && std::isnan(b)), name, b,
                      "must match the first run's " + detail::to_text(a));
  };
  same_time("t0", first.t0, second.t0);
  same_time("t1", first.t1, second.t1);
  SCOREPATH_EXPECTS(second.steps == first.steps, "steps", second.steps,
                    "must match the first run's " + std::to_string(first.steps));
  SCOREPATH_EXPECTS(second.refinement == first.refinement, "refinement", second.refinement,
                    "must match the first run's " + std::to_string(first.refinement));
  SCOREPATH_EXPECTS(second.step_size == first.step_size, "step_size", second.step_size,
                    "must match the first run");
  SCOREPATH_EXPECTS(second.x0.size() == first.x0.size(), "x0", second.x0.size(),
                    "must have the first run's " + std::to_string(first.x0.size()) + " components");
  for (std::size_t c = 0; c < first.x0.size(); ++c) {
    SCOREPATH_EXPECTS(second.x0[c] == first.x0[c], "x0[" + std::to_string(c) + "]", second.x0[c],
                      "must match the first run's " + detail::to_text(first.x0[c]));
  }
  SCOREPATH_EXPECTS(second.save_steps == first.save_steps, "save_steps", second.save_steps.size(),
                    "must match the first run's save steps");
  SCOREPATH_EXPECTS(second.statistics.empty() == first.statistics.empty(), "statistics",
                    second.statistics.size(), "both runs or neither must have statistics");
  SCOREPATH_EXPECTS(second.reducer.has_value() == first.reducer.has_value(), "reducer",
                    second.reducer.has_value() ? "present" : "absent",
                    "both runs or neither must have a reducer");

  em_report merged = first;
  merged.accumulators.append(second.accumulators, first.paths);
  merged.paths = first.paths + second.paths;
  merged.statistics.clear();
  for (std::size_t i = 0; i < first.statistics.size(); ++i) {
    merged.statistics.push_back(
        summarize(merged.accumulators.total(static_cast<std::uint32_t>(i))));
  }
  if (merged.reducer) {
    merged.reducer = summarize(merged.accumulators.total(merged.accumulators.rows() - 1));
  }
  return merged;
}

}  // namespace scorepath
