// A `simulate` run checked and ready to start: shared by the run (simulate_run.cpp) and by the
// checks alone (simulate_command.cpp), so both make the same checks in the same order.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/ensemble.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/validate.hpp"
#include "simulate_command.hpp"
#include "thread_option.hpp"

namespace scorepath::cli {

/**
 * @brief Paths, steps, times and the save points every --save-every steps (and at the end).
 * @throw invalid_argument_error naming `--save-every` when it exceeds the step count or gives
 *        2^24 save points or more
 */
inline em_options make_options(const run_settings& s) {
  em_options opt;
  opt.paths = s.paths;
  opt.steps = s.steps;
  opt.t0 = s.t0;
  opt.t1 = s.t1;
  opt.statistics = true;
  if (s.save_every > 0) {
    SCOREPATH_EXPECTS(s.save_every <= s.steps, "--save-every", s.save_every,
                      "must be at most the " + std::to_string(s.steps) + " steps of the run");
    const std::uint64_t every = s.steps / s.save_every;  // save points before the end
    // built only when the library could take them (it checks save points x D)
    SCOREPATH_EXPECTS(every < max_em_save_values, "--save-every", s.save_every,
                      "gives " + std::to_string(every) + " save points over " +
                          std::to_string(s.steps) + " steps; at most 2^24 are kept");
    for (std::uint64_t i = 1; i <= every; ++i) opt.save_steps.push_back(i * s.save_every);
    if (opt.save_steps.empty() || opt.save_steps.back() != s.steps) opt.save_steps.push_back(s.steps);
  }
  return opt;
}

/// The initial state --x0 gives (one value for every component, or dim values) or the default.
template <class T>
std::vector<T> initial_state(const sde_spec& spec, int dim) {
  if (spec.x0.empty()) return std::vector<T>(dim, static_cast<T>(default_x0(spec)));
  if (spec.x0.size() == 1) return std::vector<T>(dim, static_cast<T>(spec.x0[0]));
  SCOREPATH_EXPECTS(spec.x0.size() == static_cast<std::size_t>(dim), "--x0",
                    spec.x0.size() + 0, "needs 1 or dim = " + std::to_string(dim) + " values");
  return std::vector<T>(spec.x0.begin(), spec.x0.end());
}

/// A checked run: what simulate_em_to_host is given.
template <class T>
struct prepared_run {
  em_options options;  ///< without a progress callback
  context ctx;
  std::vector<T> x0;
};

/**
 * @brief Every check of a run of @p sde, in the order the run makes them, ending with the
 *        library's own (validate_em_to_host, which checks and writes nothing); runs nothing.
 *        The run (simulate_run.cpp) and the checks alone (simulate_command.cpp) both call it.
 * @throw invalid_argument_error naming the option; unavailable_error; out_of_memory_error
 */
template <class Sde>
prepared_run<typename Sde::scalar_type> prepare_run(const Sde& sde, const sde_spec& spec,
                                                   const run_settings& s) {
  using T = typename Sde::scalar_type;
  constexpr int D = Sde::dim;
  prepared_run<T> run{make_options(s), make_context(s.backend, s.threads),
                      initial_state<T>(spec, D)};
  const std::size_t saves = std::max<std::size_t>(1, run.options.save_steps.size());
  if (s.keep_saved) {
    const double values = static_cast<double>(s.paths) * static_cast<double>(D) *
                          static_cast<double>(saves);
    SCOREPATH_EXPECTS(values <= 1e8, "--saved-csv", values,
                      "would write more than 1e8 values; use fewer --paths or a larger --save-every");
  }
  validate_em_to_host(run.ctx, sde, run.x0, run.options, s.keep_final, s.keep_saved);
  return run;
}

/// Returns f(T{}) for the precision @p s names. @throw invalid_argument_error naming `--precision`
template <class F>
auto with_precision(const run_settings& s, F&& f) {
  if (s.precision == "float") return f(float{});
  if (s.precision == "double") return f(double{});
  throw invalid_argument_error("--precision", s.precision, "must be float or double", __FILE__,
                               __LINE__);
}

}  // namespace scorepath::cli
