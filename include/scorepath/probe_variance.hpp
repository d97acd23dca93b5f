/**
 * @file probe_variance.hpp
 * @brief How many probes, and which probe law? A variance study of the sliced divergence
 *        estimator (1/M) Σ_j v_jᵀ J_S(x) v_j of tr J_S(x), empirical against closed form.
 *
 * With A the symmetric part of J = J_S(x), d the dimension and τ = tr J, one probe's estimate
 * vᵀJv has variance
 * - gaussian:   2 ‖A‖²_F
 * - rademacher: 2 (‖A‖²_F − Σ_i J_ii²)
 * - sphere:     2 d/(d + 2) (‖A‖²_F − τ²/d)
 * and the mean of M independent probes has 1/M of it. Orthogonal probes come in blocks of
 * k = min(M, d) directions of one random orthonormal frame (probes.hpp); the sum over r such
 * directions has variance r (d − r)/(d − 1) times the sphere value, blocks are independent, so
 * with M = q k + r the mean has variance [q k (d − k) + r (d − r)] / ((d − 1) M²) times the
 * sphere value: (d − M)/((d − 1) M) of it for M ≤ d, and 0 when M is a multiple of d.
 *
 * The study runs on the CPU, for compiled models and for the run-time network and mixture at any
 * d, and costs R full sliced_score_matching passes per law and probe count: it is meant for
 * choosing M and the law up front, not for training loops.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "scorepath/concepts.hpp"
#include "scorepath/context.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/mixture_ssm.hpp"
#include "scorepath/model_jacobians.hpp"
#include "scorepath/probes.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/training/mlp_network.hpp"
#include "scorepath/training/network_ssm.hpp"

namespace scorepath {

/// What probe_variance_study measures.
struct variance_study_options {
  std::vector<std::uint32_t> probe_counts = {1, 2, 4, 8, 16};  ///< values of M, each ≥ 1
  std::vector<probe_law> laws = {probe_law::gaussian, probe_law::rademacher, probe_law::sphere,
                                 probe_law::orthogonal};  ///< laws to study (not empty)
  std::uint32_t replicates = 64;        ///< R ≥ 2 independent estimates per sample (≥ 3 for SEs)
  double target_relative_error = 0.1;   ///< for the probes-needed answer; finite and > 0
};

/// One law and probe count; variances are means over the samples.
struct variance_study_row {
  probe_law law = probe_law::gaussian;  ///< probe law
  std::uint32_t probes = 0;             ///< M
  double empirical = 0.0;    ///< mean over samples of the sample variance of R estimates
  double std_error = 0.0;    ///< its Monte Carlo standard error, samples held fixed (NaN if R = 2)
  double closed_form = 0.0;  ///< mean over samples of the closed-form variance
  double ratio = 0.0;        ///< empirical / closed_form (NaN when closed_form is 0)
  double relative_error = 0.0;  ///< √(closed_form / mean τ²), the estimator's relative error
};

/// Smallest probe count meeting the target for one law (from the closed forms).
struct variance_study_need {
  probe_law law = probe_law::gaussian;  ///< probe law
  /// Smallest M with √(mean_s Var_M(x_s) / mean_s τ(x_s)²) ≤ target; 0 when no M does (τ ≡ 0
  /// with a nonzero variance, or a count beyond 64 bits). Orthogonal: never above d.
  std::uint64_t probes = 0;
  double single_probe_variance = 0.0;  ///< mean over samples of the one-probe closed form
};

/// What probe_variance_study reports.
struct variance_study_result {
  int dimension = 0;                   ///< d
  std::uint64_t samples = 0;           ///< N
  std::uint32_t replicates = 0;        ///< R
  double target_relative_error = 0.0;  ///< target of `needed`
  double mean_trace_squared = 0.0;     ///< mean_s τ(x_s)²
  std::vector<variance_study_row> rows;     ///< law-major, in the order of the options
  std::vector<variance_study_need> needed;  ///< one per law, in the order of the options
};

namespace detail {

/// Samples per sliced_score_matching call the study aims for when it tiles replicates.
inline constexpr std::uint64_t replicate_tile = 8 * statistics_block;

/// ‖A‖²_F, Σ J_ii² and τ of one Jacobian (A = symmetric part), in double.
struct jacobian_norms {
  double frob2 = 0.0;
  double diag2 = 0.0;
  double trace = 0.0;
};

/// The norms of the row-major @p d × @p d Jacobian @p j.
inline jacobian_norms norms_of(const double* j, int d) {
  jacobian_norms n;
  for (int a = 0; a < d; ++a) {
    for (int b = 0; b < d; ++b) {
      const double s = 0.5 * (j[static_cast<std::size_t>(a) * d + b] +
                              j[static_cast<std::size_t>(b) * d + a]);
      n.frob2 += s * s;
    }
    const double diag = j[static_cast<std::size_t>(a) * d + a];
    n.diag2 += diag * diag;
    n.trace += diag;
  }
  return n;
}

/// True for the score models whose dimension is chosen at run time.
template <class Model>
struct runtime_score_model : std::false_type {};
template <class T>
struct runtime_score_model<mlp_network<T>> : std::true_type {};
template <>
struct runtime_score_model<diagonal_mixture> : std::true_type {};

/// The checks sliced_score_matching makes of @p samples for a compiled model.
template <class Model, class T>
void check_study_samples(const context& ctx, const Model&, input_span<T> samples) {
  (void)make_ssm_plan<T, Model::dim>(ctx, samples, ssm_options{}, ssm_outputs<T>{});
}
/// The same for a run-time network (an unconditioned one: its Jacobian in x is the score's).
template <class T>
void check_study_samples(const context& ctx, const mlp_network<T>& net, input_span<T> samples) {
  validate_ssm(ctx, net, samples, ssm_options{});
}
/// The same for a run-time diagonal mixture.
template <class T>
void check_study_samples(const context& ctx, const diagonal_mixture& mix, input_span<T> samples) {
  validate_ssm(ctx, mix, samples, ssm_options{});
}

/// Closed-form variance of one probe's vᵀJv; the orthogonal law's single probe is a sphere probe.
inline double single_probe_variance(probe_law law, const jacobian_norms& n, int d) {
  double v = 0.0;
  switch (law) {
    case probe_law::gaussian: v = 2.0 * n.frob2; break;
    case probe_law::rademacher: v = 2.0 * (n.frob2 - n.diag2); break;
    case probe_law::sphere:
    case probe_law::orthogonal:
      v = 2.0 * d / (d + 2.0) * (n.frob2 - n.trace * n.trace / d);
      break;
  }
  return v > 0.0 ? v : 0.0;  // rounding can leave −ε where the variance vanishes
}

/// Variance of the M-probe mean as a multiple of the single-probe variance.
inline double probe_mean_factor(probe_law law, std::uint64_t m, int d) {
  const double md = static_cast<double>(m);
  if (law != probe_law::orthogonal) return 1.0 / md;
  if (d == 1) return 0.0;
  const std::uint64_t k = m < static_cast<std::uint64_t>(d) ? m : static_cast<std::uint64_t>(d);
  const double q = static_cast<double>(m / k), r = static_cast<double>(m % k);
  const double kd = static_cast<double>(k);
  return (q * kd * (d - kd) + r * (d - r)) / ((d - 1.0) * md * md);
}

/// Smallest M with single · factor(M) ≤ bound, 0 when there is none.
inline std::uint64_t probes_needed(probe_law law, double single, double bound, int d) {
  if (single <= bound) return 1;
  if (law == probe_law::orthogonal) {
    for (std::uint64_t m = 2; m <= static_cast<std::uint64_t>(d); ++m) {
      if (single * probe_mean_factor(law, m, d) <= bound) return m;
    }
    return static_cast<std::uint64_t>(d);  // not reached: M = d is exact
  }
  if (!(bound > 0.0)) return 0;
  const double guess = std::ceil(single / bound);
  if (!(guess < 1.8e19)) return 0;
  std::uint64_t m = guess < 1.0 ? 1 : static_cast<std::uint64_t>(guess);
  while (m > 1 && single / static_cast<double>(m - 1) <= bound) --m;
  while (single / static_cast<double>(m) > bound) ++m;
  return m;
}

}  // namespace detail

/**
 * @brief Every check probe_variance_study makes before it draws anything: the backend, the laws,
 *        probe counts, replicates and target, the samples as sliced_score_matching checks them,
 *        and the memory of the N·R estimates. Runs nothing and advances no stream.
 * @throw what probe_variance_study throws for the same arguments before it starts
 */
template <class Model, class T = scalar_type_or_t<Model>>
void validate_probe_variance(const context& ctx, const Model& model, input_span<T> samples,
                             const variance_study_options& opt = {}) {
  const int d = score_model_dim(model);
  SCOREPATH_EXPECTS(ctx.kind() == backend::cpu, "context", to_string(ctx.kind()),
                    "the variance study runs on the CPU backend");
  SCOREPATH_EXPECTS(!opt.laws.empty(), "laws", "empty", "must name at least one probe law");
  for (std::size_t i = 0; i < opt.laws.size(); ++i) {
    SCOREPATH_EXPECTS(is_probe_law(opt.laws[i]), "laws[" + std::to_string(i) + "]",
                      static_cast<int>(opt.laws[i]),
                      "must be one of gaussian, rademacher, sphere, orthogonal");
  }
  SCOREPATH_EXPECTS(!opt.probe_counts.empty(), "probe_counts", "empty",
                    "must hold at least one probe count");
  for (std::size_t i = 0; i < opt.probe_counts.size(); ++i) {
    SCOREPATH_EXPECTS(opt.probe_counts[i] >= 1, "probe_counts[" + std::to_string(i) + "]",
                      opt.probe_counts[i], "must be at least 1");
  }
  SCOREPATH_EXPECTS(opt.replicates >= 2, "replicates", opt.replicates, "must be at least 2");
  SCOREPATH_EXPECTS(std::isfinite(opt.target_relative_error) && opt.target_relative_error > 0.0,
                    "target_relative_error", opt.target_relative_error,
                    "must be finite and > 0");
  detail::check_study_samples(ctx, model, samples);

  const std::size_t n_reps = checked_size_product(samples.size / d, opt.replicates, "replicates");
  check_host_request(checked_size_product(n_reps, sizeof(double), "replicates"), "replicates");
}

/// validate_probe_variance for host samples in a vector.
template <class Model, class T = scalar_type_or_t<Model>>
void validate_probe_variance(const context& ctx, const Model& model, const std::vector<T>& samples,
                             const variance_study_options& opt = {}) {
  validate_probe_variance(ctx, model, host_input(samples.data(), samples.size()), opt);
}

/**
 * @brief Empirical and closed-form variance of the M-probe sliced divergence estimate, per law
 *        and M, and the probes each law needs for a target relative error.
 *
 * For each law and M, the study takes the divergences of R = @p opt.replicates consecutive
 * sliced_score_matching runs on @p samples, each drawing fresh probes from @p rng (small sample
 * sets go through fewer, tiled calls that draw the very same probes). Per sample, the R
 * estimates mean_j v_jᵀJv_j of tr J(x_s) give a sample variance (divisor R − 1, unbiased for
 * Var_M(x_s)), and `empirical` is its mean over the samples. `std_error` is the standard error
 * of that mean from the probe randomness with the samples held fixed (a per-sample jackknife of
 * the sample variance): the yardstick for `ratio`. `closed_form` averages the formulas of this
 * file over the samples, from J_S(x_s) by for_each_jacobian (model_jacobians.hpp). `needed`
 * applies the closed forms to the target relative error √(mean_s Var_M(x_s)) / √(mean_s τ(x_s)²).
 *
 * @p model is a compiled score model, or one of dimension chosen at run time: an unconditioned
 * mlp_network or a diagonal_mixture.
 *
 * Runs on the CPU (threads of @p ctx), with memory for N·R estimates and max(N, 8192)·M
 * divergences, and costs R·Σ_M M probe evaluations per sample and law: a planning tool for
 * choosing M and the law, not something for training loops.
 *
 * @param samples host samples, row-major N×D
 * @throw invalid_argument_error naming `context` (not the CPU backend), `laws` (empty),
 *        `laws[i]` (not a probe_law),
 *        `probe_counts` (empty), `probe_counts[i]` (0), `replicates` (< 2),
 *        `target_relative_error` (not finite and > 0), or the samples as sliced_score_matching
 *        does; nothing is drawn from @p rng then
 * @throw out_of_memory_error naming `replicates`, `samples` or `divergences` when their memory
 *        cannot be had
 */
template <class Model, class T = scalar_type_or_t<Model>>
variance_study_result probe_variance_study(const context& ctx, rng_stream& rng, const Model& model,
                                           input_span<T> samples,
                                           const variance_study_options& opt = {}) try {
  // A run-time model is checked by its own engines; a compiled one by the concepts.
  static_assert(std::disjunction<detail::runtime_score_model<Model>,
                                 score_model_requirements<Model>>::value,
                "probe_variance_study: the model lacks what scorepath/concepts.hpp lists");
  validate_probe_variance(ctx, model, samples, opt);
  const int D = score_model_dim(model);

  const std::uint64_t n = samples.size / D;
  const std::uint32_t reps = opt.replicates;
  const std::size_t n_reps = static_cast<std::size_t>(n) * reps;  // checked above

  // Closed forms need ‖A‖²_F, Σ J_ii² and τ per sample.
  std::vector<detail::jacobian_norms> norms(n);
  for_each_jacobian(ctx, model, samples.data, n, [&](std::uint64_t s, const double* jac) {
    norms[s] = detail::norms_of(jac, D);
  });

  variance_study_result result;
  result.dimension = D;
  result.samples = n;
  result.replicates = reps;
  result.target_relative_error = opt.target_relative_error;
  for (const auto& nm : norms) result.mean_trace_squared += nm.trace * nm.trace;
  result.mean_trace_squared /= static_cast<double>(n);
  const double bound =
      opt.target_relative_error * opt.target_relative_error * result.mean_trace_squared;

  // Small sample sets are tiled: one call evaluates g copies, up to replicate_tile samples. Copy
  // c, sample s draws from the subsequence that sample s of the c-th of g separate calls would,
  // so the numbers are those of R separate calls; only the threads have more to share.
  const std::uint64_t group = std::min<std::uint64_t>(
      reps, std::max<std::uint64_t>(1, detail::replicate_tile / n));
  std::vector<T> tiled;
  if (group > 1) {
    const std::size_t tiled_size = checked_size_product(group * n, D, "samples");
    check_host_request(checked_size_product(tiled_size, sizeof(T), "samples"), "samples");
    tiled.resize(tiled_size);
    for (std::uint64_t c = 0; c < group; ++c) {
      std::copy(samples.data, samples.data + n * D, tiled.begin() + c * n * D);
    }
  }
  std::vector<T> div;
  std::vector<double> est(n_reps);  // [s·R + r]
  for (probe_law law : opt.laws) {
    double single = 0.0;
    for (const auto& nm : norms) single += detail::single_probe_variance(law, nm, D);
    single /= static_cast<double>(n);
    result.needed.push_back({law, detail::probes_needed(law, single, bound, D), single});

    for (std::uint32_t m : opt.probe_counts) {
      const std::size_t n_div = checked_size_product(group * n, m, "divergences");
      check_host_request(n_div * sizeof(T), "divergences");
      ssm_options so;
      so.probes = m;
      so.law = law;
      for (std::uint64_t r0 = 0; r0 < reps; r0 += group) {
        const std::uint64_t copies = std::min<std::uint64_t>(group, reps - r0);
        div.assign(copies * n * m, T(0));
        ssm_outputs<T> out;
        out.divergences = host_output(div.data(), div.size());
        const input_span<T> in =
            group > 1 ? host_input(tiled.data(), copies * n * D) : samples;
        sliced_score_matching(ctx, rng, model, in, so, out);
        for (std::uint64_t c = 0; c < copies; ++c) {
          for (std::uint64_t s = 0; s < n; ++s) {
            const T* q = &div[(c * n + s) * m];
            double sum = 0.0;
            for (std::uint32_t j = 0; j < m; ++j) sum += static_cast<double>(q[j]);
            est[s * reps + r0 + c] = sum / m;
          }
        }
      }
      // Per sample: sample variance v_s and the jackknife estimate of Var(v_s),
      // R/((R−1)(R−2)²) Σ_r (d_r² − mean d²)² with d_r the deviations from the mean.
      const double rd = static_cast<double>(reps);
      double var_sum = 0.0, jack_sum = 0.0;
      for (std::uint64_t s = 0; s < n; ++s) {
        const double* e = &est[s * reps];
        double mean = 0.0;
        for (std::uint32_t r = 0; r < reps; ++r) mean += e[r];
        mean /= rd;
        double m2 = 0.0;
        for (std::uint32_t r = 0; r < reps; ++r) m2 += (e[r] - mean) * (e[r] - mean);
        var_sum += m2 / (rd - 1.0);
        if (reps >= 3) {
          const double m2_mean = m2 / rd;
          double spread = 0.0;
          for (std::uint32_t r = 0; r < reps; ++r) {
            const double dev = (e[r] - mean) * (e[r] - mean) - m2_mean;
            spread += dev * dev;
          }
          jack_sum += rd / ((rd - 1.0) * (rd - 2.0) * (rd - 2.0)) * spread;
        }
      }
      variance_study_row row;
      row.law = law;
      row.probes = m;
      row.empirical = var_sum / static_cast<double>(n);
      row.std_error = reps >= 3 ? std::sqrt(jack_sum) / static_cast<double>(n)
                                : std::numeric_limits<double>::quiet_NaN();
      row.closed_form = single * detail::probe_mean_factor(law, m, D);
      row.ratio = row.closed_form > 0.0 ? row.empirical / row.closed_form
                                        : std::numeric_limits<double>::quiet_NaN();
      row.relative_error = result.mean_trace_squared > 0.0
                               ? std::sqrt(row.closed_form / result.mean_trace_squared)
                               : (row.closed_form > 0.0 ? INFINITY : 0.0);
      result.rows.push_back(row);
    }
  }
  return result;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error(
      "probe_variance_study: memory for the samples x replicates estimates could not be "
      "allocated (reduce the samples or replicates)",
      __FILE__, __LINE__);
}

/// Convenience overload for host samples in a vector.
template <class Model, class T = scalar_type_or_t<Model>>
variance_study_result probe_variance_study(const context& ctx, rng_stream& rng, const Model& model,
                                           const std::vector<T>& samples,
                                           const variance_study_options& opt = {}) {
  return probe_variance_study(ctx, rng, model, host_input(samples.data(), samples.size()), opt);
}

/// The study as a plain-text table (one row per law and M), followed by the probes needed.
inline std::string format_variance_study(const variance_study_result& r) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line,
                "sliced divergence variance: d = %d, N = %llu samples, R = %u replicates, "
                "mean tr(J)^2 = %.4e\n",
                r.dimension, static_cast<unsigned long long>(r.samples), r.replicates,
                r.mean_trace_squared);
  out += line;
  std::snprintf(line, sizeof line, "%-11s %6s %12s %11s %12s %7s %9s\n", "law", "M", "empirical",
                "std_error", "closed_form", "ratio", "rel_err");
  out += line;
  for (const auto& row : r.rows) {
    char ratio[16];
    if (std::isnan(row.ratio)) {
      std::snprintf(ratio, sizeof ratio, "%s", "-");
    } else {
      std::snprintf(ratio, sizeof ratio, "%.3f", row.ratio);
    }
    std::snprintf(line, sizeof line, "%-11s %6u %12.4e %11.3e %12.4e %7s %9.4f\n",
                  to_string(row.law), row.probes, row.empirical, row.std_error, row.closed_form,
                  ratio, row.relative_error);
    out += line;
  }
  std::snprintf(line, sizeof line, "probes needed for relative error <= %g (closed forms):\n",
                r.target_relative_error);
  out += line;
  for (const auto& need : r.needed) {
    if (need.probes == 0) {
      std::snprintf(line, sizeof line, "  %-11s none (%s)\n", to_string(need.law),
                    r.mean_trace_squared > 0.0 ? "beyond 64 bits" : "tr J vanishes");
    } else if (need.law == probe_law::orthogonal &&
               need.probes == static_cast<std::uint64_t>(r.dimension) && r.dimension > 1) {
      std::snprintf(line, sizeof line, "  %-11s %llu (M = d: exact)\n", to_string(need.law),
                    static_cast<unsigned long long>(need.probes));
    } else {
      std::snprintf(line, sizeof line, "  %-11s %llu\n", to_string(need.law),
                    static_cast<unsigned long long>(need.probes));
    }
    out += line;
  }
  return out;
}

}  // namespace scorepath
