/**
 * @file ensemble.hpp
 * @brief Euler–Maruyama path ensembles: the public entry point simulate_em.
 *
 * @code
 * scorepath::context ctx;                                   // CUDA if a device exists, else CPU
 * scorepath::rng_stream rng(42);
 * scorepath::geometric_brownian_motion<float> gbm(0.05f, 0.2f);
 * scorepath::em_options opt;
 * opt.paths = 1'000'000; opt.steps = 256; opt.t1 = 1.0; opt.statistics = true;
 * auto report = scorepath::simulate_em(ctx, rng, gbm, {100.0f}, opt);
 * double mean = report.at(0, 0).mean;                       // E[S(1)] estimate
 * @endcode
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <cstdint>
#include <functional>
#include <limits>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "scorepath/concepts.hpp"
#include "scorepath/context.hpp"
#include "scorepath/detail/builtin_em.hpp"
#include "scorepath/detail/chunking.hpp"
#include "scorepath/detail/cpu_threads.hpp"
#include "scorepath/detail/em_cpu.hpp"
#include "scorepath/detail/em_cuda_launch.hpp"
#include "scorepath/detail/em_plan.hpp"
#include "scorepath/error.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/sdes/parameters.hpp"

namespace scorepath {

/// What to simulate.
struct em_options {
  std::uint64_t paths = 0;                ///< number of independent paths (≥ 1, 64-bit)
  std::uint64_t steps = 0;                ///< time steps (≥ 1); h = (t1 − t0)/steps
  double t0 = 0.0;                        ///< start time
  double t1 = 1.0;                        ///< end time (> t0)
  /// Steps after which states are saved and/or summarised, strictly increasing in [1, steps].
  /// Empty with `statistics` set means {steps}.
  std::vector<std::uint64_t> save_steps;
  bool statistics = false;                ///< mean/variance/SE/min/max per save step and component
  /// Each step's Brownian increment is the sum of 2^refinement fine increments: the run equals,
  /// path by path, a run with steps·2^refinement steps sampled every 2^refinement steps.
  unsigned refinement = 0;
  /// Paths per launch/chunk, rounded up to whole reduction blocks and never more than the run
  /// needs (any 64-bit value is safe); 0 chooses at most default_chunk_limit. The memory a chunk
  /// needs is checked before the run starts.
  std::uint64_t chunk_paths = 0;
  /// Called on the calling thread after each chunk with (paths finished, paths in all); may be
  /// empty. Results do not depend on the chunking, so a smaller chunk_paths gives finer progress.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

/// Where per-path results go (each may be left empty).
template <class T>
struct em_outputs {
  output_span<T> final_states;  ///< D·paths values, final_states[c·paths + p]
  output_span<T> saved_states;  ///< saves·D·paths values, saved_states[(s·D + c)·paths + p]
};

/// What a run reports besides the per-path outputs.
struct em_report {
  backend used = backend::cpu;                 ///< backend that ran
  rng_state rng;                               ///< stream state the run started from (replay)
  std::uint64_t paths = 0;                     ///< paths simulated
  double t0 = 0.0;                             ///< start time
  double t1 = 0.0;                             ///< end time
  std::uint64_t steps = 0;                     ///< time steps
  unsigned refinement = 0;                     ///< Brownian refinement (em_options)
  double step_size = 0.0;                      ///< h
  int dim = 0;                                 ///< state dimension D
  int scalar_bytes = 0;                        ///< sizeof the precision the run used (4 or 8)
  std::vector<double> x0;                      ///< initial state
  std::vector<std::uint64_t> save_steps;       ///< save points used
  std::vector<double> save_times;              ///< t0 + step·h of each save point
  std::vector<moment_summary> statistics;      ///< [s·D + c] when statistics were asked for
  std::optional<moment_summary> reducer;       ///< mean ± SE of the reducer, if one was given
  /// What the statistics and the reducer were summarised from (rows: statistics, then reducer);
  /// merge_em_reports joins those of runs over consecutive path ranges.
  grouped_moments accumulators;

  /// @brief Statistics of component @p c at save point @p s.
  /// @throw invalid_argument_error when out of range or statistics were not computed
  const moment_summary& at(std::size_t s, int c) const {
    SCOREPATH_EXPECTS(!statistics.empty(), "statistics", "none", "were not requested");
    SCOREPATH_EXPECTS(s < save_steps.size(), "save index", s, "must be < number of save steps");
    SCOREPATH_EXPECTS(c >= 0 && c < dim, "component", c, "must be in [0, dim)");
    return statistics[s * static_cast<std::size_t>(dim) + static_cast<std::size_t>(c)];
  }
};

namespace detail {

/// True when @p v is finite and stays finite when rounded to T.
template <class T>
bool finite_in(double v) {
  return std::isfinite(v) && std::fabs(v) <= static_cast<double>(std::numeric_limits<T>::max());
}

/// "float" or "double".
template <class T>
const char* precision_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

/// @brief Refuses a run whose memory can never be had on this host, naming what sets its size.
/// @throw out_of_memory_error naming `paths` (statistics kept per group of paths), `save_steps`
///        (per-thread scratch rows), `threads` or `chunk_paths`
template <class T>
void check_em_memory(const context& ctx, const em_plan<T>& plan, int cpu_lanes) {
  const long double limit = static_cast<long double>(host_memory_limit());
  const long double acc = sizeof(moment_accumulator);
  auto refuse = [&](const std::string& what, long double bytes) {
    throw out_of_memory_error(what + " needs " + to_text(static_cast<double>(bytes)) +
                                  " bytes, more than the " + to_text(static_cast<double>(limit)) +
                                  " bytes this process can still have on this host",
                              __FILE__, __LINE__);
  };
  const long double stat_rows = plan.stat_rows();
  const long double groups = static_cast<long double>(pieces(plan.paths, statistics_group));
  const long double kept = groups * stat_rows * acc;
  if (kept > limit) {
    refuse("paths = " + std::to_string(plan.paths) + ": keeping the statistics of " +
               std::to_string(plan.stat_rows()) + " rows per group of " +
               std::to_string(statistics_group) + " paths",
           kept);
  }
  if (ctx.kind() != backend::cpu) return;
  const std::uint64_t blocks = plan.chunk_paths / statistics_block;
  const long double per_chunk = static_cast<long double>(blocks) * stat_rows * acc;
  if (per_chunk > limit) {
    refuse("chunk_paths = " + std::to_string(plan.chunk_paths) + ": the block statistics of one chunk",
           per_chunk);
  }
  const int threads = cpu_threads_for(ctx, blocks);
  const long double scratch = static_cast<long double>(threads) * plan.rows *
                              static_cast<long double>(cpu_scratch_stride(plan.paths, cpu_lanes)) *
                              sizeof(T);
  if (kept + per_chunk + scratch > limit) {
    refuse("save_steps: " + std::to_string(plan.rows) + " scratch rows (save steps x D, final "
               "states, reducer) for " + std::to_string(cpu_scratch_stride(plan.paths, cpu_lanes)) +
               " paths on each of threads = " + std::to_string(threads) + " CPU threads",
           kept + per_chunk + scratch);
  }
}

/// Checks @p opt, @p x0 and @p out against @p ctx and builds the plan; writes nothing.
/// @p cpu_lanes is the SIMD width the CPU backend will run with (sizes its scratch).
template <class T, int D>
em_plan<T> make_em_plan(const context& ctx, const em_options& opt, const std::vector<T>& x0,
                        const em_outputs<T>& out, bool has_reducer, int noise_draws,
                        int cpu_lanes = detail::cpu_float_lanes) {
  SCOREPATH_EXPECTS(opt.paths >= 1, "paths", opt.paths, "must be at least 1");
  SCOREPATH_EXPECTS(opt.steps >= 1, "steps", opt.steps, "must be at least 1");
  SCOREPATH_EXPECTS(std::isfinite(opt.t0), "t0", opt.t0, "must be finite");
  SCOREPATH_EXPECTS(std::isfinite(opt.t1), "t1", opt.t1, "must be finite");
  SCOREPATH_EXPECTS(finite_in<T>(opt.t0), "t0", opt.t0,
                    std::string("must be finite in ") + precision_name<T>());
  SCOREPATH_EXPECTS(finite_in<T>(opt.t1), "t1", opt.t1,
                    std::string("must be finite in ") + precision_name<T>());
  SCOREPATH_EXPECTS(opt.t1 > opt.t0, "t1", opt.t1, "must be greater than t0");
  const double h = (opt.t1 - opt.t0) / static_cast<double>(opt.steps);
  SCOREPATH_EXPECTS(finite_in<T>(h), "steps", opt.steps,
                    "(t1 - t0)/steps = " + to_text(h) + " must be finite in " +
                        precision_name<T>() + "; take more steps or a shorter interval");
  SCOREPATH_EXPECTS(static_cast<T>(h) > T(0), "step size", h,
                    "(t1 - t0)/steps must be positive and finite in the chosen precision");
  SCOREPATH_EXPECTS(opt.refinement <= 20, "refinement", opt.refinement, "must be at most 20");
  // Draws per path must fit Philox's 64-bit block counter (2^64 blocks of 2 or 4 normals).
  const std::uint64_t substeps = std::uint64_t{1} << opt.refinement;
  const long double draws = static_cast<long double>(opt.steps) * substeps * noise_draws;
  SCOREPATH_EXPECTS(draws < 0x1p62L, "steps", opt.steps,
                    "steps x 2^refinement x noise dimension must stay below 2^62 draws per path");
  SCOREPATH_EXPECTS(x0.size() == static_cast<std::size_t>(D), "x0 size", x0.size(),
                    "must equal the SDE dimension " + std::to_string(D));
  for (int i = 0; i < D; ++i) {
    SCOREPATH_EXPECTS(std::isfinite(static_cast<double>(x0[i])), element_name("x0", i), x0[i],
                      "must be finite");
  }

  em_plan<T> plan;
  plan.save_steps = opt.save_steps;
  if (plan.save_steps.empty() && opt.statistics) plan.save_steps.push_back(opt.steps);
  for (std::size_t i = 0; i < plan.save_steps.size(); ++i) {
    const std::uint64_t s = plan.save_steps[i];
    SCOREPATH_EXPECTS(s >= 1 && s <= opt.steps, element_name("save_steps", static_cast<int>(i)), s,
                      "must be in [1, steps = " + std::to_string(opt.steps) + "]");
    SCOREPATH_EXPECTS(i == 0 || s > plan.save_steps[i - 1],
                      element_name("save_steps", static_cast<int>(i)), s,
                      "save steps must be strictly increasing");
  }
  SCOREPATH_EXPECTS(plan.save_steps.size() * static_cast<std::uint64_t>(D) < (1u << 24),
                    "save_steps size", plan.save_steps.size(), "save steps x D must be < 2^24");

  const std::uint64_t save_values = plan.save_steps.size() * static_cast<std::uint64_t>(D);
  const bool on_cuda = ctx.kind() == backend::cuda;
  auto check_output = [&](const output_span<T>& span, const char* name, std::uint64_t per_path) {
    check_span_not_dangling(span, name);
    if (!span.wanted()) return;
    const std::size_t need = checked_size_product(per_path, opt.paths, name);
    SCOREPATH_EXPECTS(span.size == need, std::string(name) + " size", span.size,
                      "must equal " + std::to_string(need));
    SCOREPATH_EXPECTS(on_cuda || span.space == memory_space::host, std::string(name) + " space",
                      "device", "the CPU backend needs host memory");
  };
  check_output(out.final_states, "final_states", static_cast<std::uint64_t>(D));
  check_output(out.saved_states, "saved_states", save_values);
  SCOREPATH_EXPECTS(!out.saved_states.wanted() || save_values > 0, "saved_states", "given",
                    "needs save_steps");
  SCOREPATH_EXPECTS(!(out.final_states.wanted() && out.saved_states.wanted()) ||
                        out.final_states.space == out.saved_states.space,
                    "saved_states space", "mixed", "must match final_states space");
  SCOREPATH_EXPECTS(out.final_states.wanted() || out.saved_states.wanted() || opt.statistics ||
                        has_reducer,
                    "outputs", "none", "ask for final states, saved states, statistics or a reducer");

  plan.paths = opt.paths;
  plan.dim = D;
  plan.save_rows = static_cast<std::uint32_t>(save_values);
  std::uint32_t rows = plan.save_rows;
  if (out.final_states.wanted()) {
    plan.final_row = rows;
    rows += D;
  }
  if (has_reducer) {
    plan.reducer_row = rows;
    rows += 1;
  }
  plan.rows = std::max<std::uint32_t>(rows, 1);
  plan.statistics = opt.statistics;
  plan.final_out = out.final_states.data;
  plan.saved_out = out.saved_states.data;
  plan.outputs_on_device = (out.final_states.wanted() ? out.final_states.space
                                                      : out.saved_states.space) ==
                           memory_space::device;

  // Chunks: a multiple of the reduction block; on CUDA sized so scratch stays near 256 MiB.
  const std::uint64_t budget = (std::uint64_t{256} << 20) / (plan.rows * sizeof(T));
  const std::uint64_t chosen =
      std::clamp<std::uint64_t>(budget, statistics_block, default_chunk_limit);
  plan.chunk_paths = chunk_size(opt.chunk_paths, chosen, opt.paths);
  check_em_memory(ctx, plan, cpu_lanes);
  plan.progress = opt.progress;

  em_schedule<T> s{};
  s.t0 = static_cast<T>(opt.t0);
  s.h = static_cast<T>(h);
  s.sqrt_h = static_cast<T>(std::sqrt(h));
  s.steps = opt.steps;
  s.substeps = static_cast<std::uint32_t>(substeps);
  s.inv_sqrt_substeps = static_cast<T>(1.0 / std::sqrt(static_cast<double>(substeps)));
  s.save_count = static_cast<std::uint32_t>(plan.save_steps.size());
  plan.schedule = s;
  return plan;
}

}  // namespace detail

/**
 * @brief Simulates @p opt.paths Euler–Maruyama paths of @p sde from @p x0.
 *
 * Path p uses Philox subsequence `rng.reserve(paths) + p`; its values do not depend on the backend
 * (up to last-bit differences of device math), thread count or chunking, and the statistics are
 * reduced in a fixed order (moments.hpp), so a run replays bit for bit from `report.rng`.
 *
 * @param ctx backend to run on
 * @param rng stream; advanced by `paths` subsequences
 * @param sde the SDE functor (sde.hpp)
 * @param x0 initial state, size D, finite
 * @param opt paths, steps, times, save points, statistics
 * @param out per-path outputs (host memory, or device memory on CUDA)
 * @param reducer optional functor `R operator()(const vec<R, D>&)` of the final state, e.g. a
 *        discounted payoff; its mean and standard error are reported
 * @throw invalid_argument_error naming the parameter for any bad input, including times outside
 *        the SDE's domain (sde.hpp, check_sde_times); nothing is written and the stream does not
 *        advance then
 * @throw unavailable_error when CUDA is asked for an SDE with no compiled kernel
 * @throw out_of_memory_error naming `paths`, `save_steps`, `threads` or `chunk_paths` when the
 *        run's memory can never be had on this host (before the stream advances), or when an
 *        allocation fails; cuda_error from the backend
 */
template <class Sde, class Reducer = no_reducer, class T = scalar_type_or_t<Sde>>
em_report simulate_em(const context& ctx, rng_stream& rng, const Sde& sde,
                      const std::vector<T>& x0, const em_options& opt,
                      const em_outputs<T>& out = {}, const Reducer& reducer = {}) try {
  static_assert(em_requirements<Sde, Reducer, T>::value,
                "simulate_em: the SDE or the reducer lacks what scorepath/concepts.hpp lists");
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  constexpr int D = Sde::dim;
  constexpr bool has_reducer = !std::is_same_v<Reducer, no_reducer>;
  detail::em_plan<T> plan = detail::make_em_plan<T, D>(
      ctx, opt, x0, out, has_reducer, noise_dimension<Sde>,
      lane_traits<detail::cpu_lane_t<Sde, T, Reducer>>::lanes);
  check_sde_times(sde, opt.t0, opt.t1);
  if (ctx.kind() == backend::cuda && !detail::em_cuda_compiled<Sde, T, Reducer>::value) {
    throw unavailable_error(
        "no CUDA kernel is compiled for this SDE; include scorepath/em_cuda.cuh in a .cu file "
        "or use the CPU backend",
        __FILE__, __LINE__);
  }

  em_report report;
  report.used = ctx.kind();
  report.paths = opt.paths;
  report.t0 = opt.t0;
  report.t1 = opt.t1;
  report.steps = opt.steps;
  report.refinement = opt.refinement;
  report.dim = D;
  report.scalar_bytes = static_cast<int>(sizeof(T));
  report.x0.assign(x0.begin(), x0.end());
  report.step_size = (opt.t1 - opt.t0) / static_cast<double>(opt.steps);
  report.save_steps = plan.save_steps;
  for (std::uint64_t s : plan.save_steps) {
    report.save_times.push_back(opt.t0 + static_cast<double>(s) * report.step_size);
  }
  grouped_moments totals(plan.stat_rows());
  plan.schedule.seed = rng.seed();
  plan.schedule.base_subsequence = rng.reserve(opt.paths);
  // The range this run took, even when another thread reserves from the same stream.
  report.rng = rng_state{plan.schedule.seed, plan.schedule.base_subsequence};
  plan.schedule.save_steps = plan.save_steps.data();

  vec<T, D> start;
  for (int i = 0; i < D; ++i) start[i] = x0[i];
  if (ctx.kind() == backend::cuda) {
    if constexpr (detail::em_cuda_compiled<Sde, T, Reducer>::value) {
      detail::em_run_cuda(ctx, plan, sde, start, reducer, totals);
    }
  } else {
    detail::em_run_cpu(ctx, plan, sde, start, reducer, totals);
  }
  const std::uint32_t stat_saves = plan.statistics ? plan.save_rows : 0u;
  for (std::uint32_t i = 0; i < stat_saves; ++i) {
    report.statistics.push_back(summarize(totals.total(i)));
  }
  if (has_reducer) report.reducer = summarize(totals.total(totals.rows() - 1));
  report.accumulators = std::move(totals);
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("simulate_em: memory for the run could not be allocated", __FILE__,
                            __LINE__);
}

/// Per-path results copied to host vectors, with the report.
template <class T>
struct em_host_result {
  em_report report;           ///< statistics and bookkeeping
  std::vector<T> final_states;  ///< [c·paths + p], empty unless asked for
  std::vector<T> saved_states;  ///< [(s·D + c)·paths + p], empty unless asked for
};

/**
 * @brief simulate_em with host vectors allocated for the per-path outputs asked for.
 * @throw out_of_memory_error naming the output when the vectors cannot be had
 */
template <class Sde, class Reducer = no_reducer, class T = scalar_type_or_t<Sde>>
em_host_result<T> simulate_em_to_host(const context& ctx, rng_stream& rng, const Sde& sde,
                                      const std::vector<T>& x0, const em_options& opt,
                                      bool keep_final, bool keep_saved,
                                      const Reducer& reducer = {}) {
  static_assert(em_requirements<Sde, Reducer, T>::value,
                "simulate_em_to_host: the SDE or reducer lacks what scorepath/concepts.hpp lists");
  constexpr std::uint64_t D = Sde::dim;
  em_host_result<T> result;
  const std::uint64_t saves =
      opt.save_steps.empty() && opt.statistics ? 1 : opt.save_steps.size();
  auto allocate = [&](std::vector<T>& v, std::uint64_t per_path, const char* name) {
    const std::size_t n = checked_size_product(per_path, opt.paths, name);
    check_host_request(checked_size_product(n, sizeof(T), name), name);
    try {
      v.resize(n);
    } catch (const std::bad_alloc&) {
      throw out_of_memory_error(std::string(name) + ": cannot allocate " + std::to_string(n) +
                                    " values",
                                __FILE__, __LINE__);
    }
  };
  em_outputs<T> out;
  if (keep_final && opt.paths >= 1) {
    allocate(result.final_states, D, "final_states");
    out.final_states = host_output(result.final_states.data(), result.final_states.size());
  }
  if (keep_saved && saves > 0 && opt.paths >= 1) {
    allocate(result.saved_states, saves * D, "saved_states");
    out.saved_states = host_output(result.saved_states.data(), result.saved_states.size());
  }
  result.report = simulate_em(ctx, rng, sde, x0, opt, out, reducer);
  return result;
}

}  // namespace scorepath
