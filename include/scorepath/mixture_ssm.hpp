/**
 * @file mixture_ssm.hpp
 * @brief Sliced score matching of a diagonal Gaussian mixture whose dimension is chosen at run time
 *        (sampling/diagonal_mixture.hpp; one component is a diagonal Gaussian), on the CPU.
 *
 * With a_k = (μ_k − x)/s²_k (elementwise) and responsibilities r_k(x), the score is S = Σ_k r_k a_k
 * and, since ∇ log r_k = a_k − S, its Jacobian-vector product is closed-form:
 *
 *     J v = Σ_k r_k [−v / s²_k + a_k (a_kᵀ v)] − S (Sᵀ v).
 *
 * What depends on the mixture alone (inverse variances, log-determinants) is computed once per
 * call (factor_diagonal_mixture). The calls and their numbers mirror ssm.hpp: `sliced_score_matching(ctx, rng, mix, samples, opt,
 * out)` draws sample s's probes from subsequence `rng.reserve(N) + s` (so it agrees with a compiled
 * gaussian_mixture_score of the same parameters to rounding), and
 * `sliced_score_matching_with_probes(ctx, mix, samples, probes, opt, out)` takes the caller's. The
 * mixture is evaluated in double; terms and outputs are stored in T.
 */
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <vector>

#include "scorepath/context.hpp"
#include "scorepath/detail/cpu_driver.hpp"
#include "scorepath/detail/ssm_sample_rows.hpp"
#include "scorepath/error.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/rng_stream.hpp"
#include "scorepath/sampling/diagonal_mixture.hpp"
#include "scorepath/ssm.hpp"
#include "scorepath/training/runtime_probes.hpp"

namespace scorepath {

namespace detail {

/// A thread's working memory for one sample of a run-time mixture.
template <class T>
struct mixture_ssm_scratch {
  std::vector<double> pulls;          ///< K·D: a_k
  std::vector<double> responsibility; ///< K: r_k
  std::vector<double> score;          ///< D: S
  std::vector<double> jv;             ///< D: J v for the current tangent
  std::vector<T> probes;              ///< M·D: the sample's probes in T
  std::vector<T> basis;               ///< D·D: orthogonal-law scratch
};

/// S(x) of the mixture with factors @p f into scratch.score, with a_k and r_k kept for J v.
template <class T>
void mixture_score_at(const diagonal_mixture_factors& f, const T* x, mixture_ssm_scratch<T>& w) {
  const int d = f.dim, k_count = f.components;
  double largest = -INFINITY;
  for (int k = 0; k < k_count; ++k) {
    double q = 0;
    for (int i = 0; i < d; ++i) {
      const std::size_t at = static_cast<std::size_t>(k) * d + i;
      const double r = f.centre[at] - static_cast<double>(x[i]);
      w.pulls[at] = r * f.inverse[at];
      q += r * w.pulls[at];
    }
    w.responsibility[k] = f.offset[k] - 0.5 * q;
    largest = std::max(largest, w.responsibility[k]);
  }
  double total = 0;
  for (int k = 0; k < k_count; ++k) {
    w.responsibility[k] = std::exp(w.responsibility[k] - largest);
    total += w.responsibility[k];
  }
  std::fill(w.score.begin(), w.score.end(), 0.0);
  for (int k = 0; k < k_count; ++k) {
    w.responsibility[k] /= total;
    for (int i = 0; i < d; ++i) {
      w.score[i] += w.responsibility[k] * w.pulls[static_cast<std::size_t>(k) * d + i];
    }
  }
}

/// J v into scratch.jv for the tangent @p v (after mixture_score_at at the same point).
template <class T, class V>
void mixture_jvp(const diagonal_mixture_factors& f, const V* v, mixture_ssm_scratch<T>& w) {
  const int d = f.dim;
  double s_dot_v = 0;
  for (int i = 0; i < d; ++i) s_dot_v += w.score[i] * static_cast<double>(v[i]);
  for (int i = 0; i < d; ++i) w.jv[i] = -w.score[i] * s_dot_v;
  for (int k = 0; k < f.components; ++k) {
    const double* a = w.pulls.data() + static_cast<std::size_t>(k) * d;
    const double* inverse = f.inverse.data() + static_cast<std::size_t>(k) * d;
    double a_dot_v = 0;
    for (int i = 0; i < d; ++i) a_dot_v += a[i] * static_cast<double>(v[i]);
    const double r = w.responsibility[k];
    for (int i = 0; i < d; ++i) {
      w.jv[i] += r * (a[i] * a_dot_v - static_cast<double>(v[i]) * inverse[i]);
    }
  }
}

/// One sample: its probes (given or drawn), the per-probe outputs and the per-sample terms.
template <class T>
void mixture_ssm_sample(const diagonal_mixture_factors& f, const ssm_options& opt,
                        const T* samples, std::uint64_t s, const ssm_probe_source<T>& source,
                        mixture_ssm_scratch<T>& w, const ssm_outputs<T>& out,
                        ssm_sample_rows<T>& terms) {
  const int d = f.dim;
  const std::uint32_t m = opt.probes;
  const T* x = samples + s * d;
  const T* probes = source.given ? source.given + s * m * d : w.probes.data();
  if (!source.given) {
    draw_runtime_probes(source.law, m, d, source.seed, source.base + s, w.probes.data(),
                        w.basis.data());
  }
  mixture_score_at(f, x, w);
  double norm2 = 0, quad_sum = 0, div_sum = 0;
  for (int i = 0; i < d; ++i) norm2 += w.score[i] * w.score[i];
  for (std::uint32_t j = 0; j < m; ++j) {
    const T* v = probes + static_cast<std::size_t>(j) * d;
    mixture_jvp(f, v, w);
    double proj = 0, div = 0;
    for (int i = 0; i < d; ++i) {
      proj += static_cast<double>(v[i]) * w.score[i];
      div += static_cast<double>(v[i]) * w.jv[i];
    }
    store_probe_outputs(out, s, m, j, d, static_cast<T>(proj), static_cast<T>(div), v);
    quad_sum += proj * proj + 2 * div;
    div_sum += div;
  }
  terms.rows[0][s] = static_cast<T>(quad_sum / m);
  terms.rows[1][s] = static_cast<T>(norm2 + 2 * div_sum / m);
  if (terms.has_ism()) {
    // tr J = Σ_k r_k Σ_i (a_ki² − 1/s²_ki) − ‖S‖², from the closed form with v = e_i.
    double trace = -norm2;
    for (int k = 0; k < f.components; ++k) {
      double part = 0;
      for (int i = 0; i < d; ++i) {
        const std::size_t at = static_cast<std::size_t>(k) * d + i;
        part += w.pulls[at] * w.pulls[at] - f.inverse[at];
      }
      trace += w.responsibility[k] * part;
    }
    terms.rows[2][s] = static_cast<T>(norm2 + 2 * trace);
  }
}

/// The samples of a checked call, in blocks on the CPU driver's threads.
template <class T>
ssm_report run_mixture_ssm(const context& ctx, const diagonal_mixture& mix, input_span<T> samples,
                           const ssm_options& opt, const ssm_outputs<T>& out,
                           const ssm_probe_source<T>& source) {
  const int d = mix.dim;
  const std::uint64_t n = samples.size / static_cast<std::uint64_t>(d);
  const std::uint64_t block = 256;
  ssm_sample_rows<T> terms(n, opt.exact_ism);
  // What depends on the mixture alone (α = 1, σ = 0): its means, inverse variances and offsets.
  const diagonal_mixture_factors factors = factor_diagonal_mixture(mix, 1.0, 0.0);
  cpu_for_each<mixture_ssm_scratch<T>>(
      ctx, (n + block - 1) / block, cpu_block_schedule::balanced,
      [&](mixture_ssm_scratch<T>& w) {
        const auto dd = static_cast<std::size_t>(d);
        w.pulls.resize(static_cast<std::size_t>(mix.components()) * dd);
        w.responsibility.resize(mix.components());
        w.score.resize(dd);
        w.jv.resize(dd);
        if (!source.given) {
          w.probes.resize(static_cast<std::size_t>(opt.probes) * dd);
          if (source.law == probe_law::orthogonal) w.basis.resize(dd * dd);
        }
      },
      [&](std::uint64_t b, mixture_ssm_scratch<T>& w) {
        const std::uint64_t end = std::min(n, (b + 1) * block);
        for (std::uint64_t s = b * block; s < end; ++s) {
          mixture_ssm_sample(factors, opt, samples.data, s, source, w, out, terms);
        }
      });
  ssm_report report;
  report.used = backend::cpu;
  finish_ssm_report(terms, opt.half_scaling ? 0.5 : 1.0, out, report);
  return report;
}

}  // namespace detail

/**
 * @brief Every check the mixture's sliced_score_matching makes before it draws or computes
 *        anything, alone.
 * @throw invalid_argument_error as check_diagonal_mixture and as sliced_score_matching (ssm.hpp);
 *        unavailable_error for a CUDA context
 */
template <class T>
void validate_ssm(const context& ctx, const diagonal_mixture& mix, input_span<T> samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  check_diagonal_mixture(mix);
  detail::check_ssm_request(ctx, samples, mix.dim, opt, out);
  if (ctx.kind() == backend::cuda) {
    throw unavailable_error("sliced score matching of a diagonal_mixture runs on the CPU backend",
                            __FILE__, __LINE__);
  }
}

/// validate_ssm of a run-time mixture for host samples in a vector.
template <class T>
void validate_ssm(const context& ctx, const diagonal_mixture& mix, const std::vector<T>& samples,
                  const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  validate_ssm(ctx, mix, host_input(samples.data(), samples.size()), opt, out);
}

/**
 * @brief Sliced score matching of the run-time mixture @p mix on @p samples (row-major N×D, D =
 *        mix.dim), probes of the named law `opt.law` from @p rng; the report and outputs of
 *        ssm.hpp.
 * @throw as validate_ssm; nothing is written then and the stream does not advance
 * @throw out_of_memory_error when the per-sample terms cannot be allocated
 */
template <class T>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const diagonal_mixture& mix,
                                 input_span<T> samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) try {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  validate_ssm(ctx, mix, samples, opt, out);
  detail::ssm_probe_source<T> source;
  source.law = opt.law;
  source.seed = rng.seed();
  source.base = rng.reserve(samples.size / static_cast<std::size_t>(mix.dim));
  ssm_report report = detail::run_mixture_ssm(ctx, mix, samples, opt, out, source);
  report.rng = rng_state{source.seed, source.base};
  return report;
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sliced_score_matching: memory for the call could not be allocated",
                            __FILE__, __LINE__);
}

/// sliced_score_matching of a run-time mixture for host samples in a vector.
template <class T>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const diagonal_mixture& mix,
                                 const std::vector<T>& samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) {
  return sliced_score_matching(ctx, rng, mix, host_input(samples.data(), samples.size()), opt, out);
}

/**
 * @brief Sliced score matching of @p mix with the caller's @p probes (N·M·D values, probe j of
 *        sample s at [(s·M + j)·D + i], M = opt.probes); `opt.law` is not read.
 * @throw as the overload above, and invalid_argument_error naming `probes size`, `probes space`
 *        or `probes[k][i]` (not finite)
 */
template <class T>
ssm_report sliced_score_matching_with_probes(const context& ctx, const diagonal_mixture& mix,
                                             input_span<T> samples, input_span<T> probes,
                                             const ssm_options& opt,
                                             const ssm_outputs<T>& out = {}) try {
  ssm_options checked = opt;
  checked.law = probe_law::gaussian;  // not read: the caller's probes are used
  validate_ssm(ctx, mix, samples, checked, out);
  detail::check_given_probes(probes, samples.size / static_cast<std::size_t>(mix.dim), opt.probes,
                             mix.dim);
  detail::ssm_probe_source<T> source;
  source.given = probes.data;
  return detail::run_mixture_ssm(ctx, mix, samples, checked, out, source);
} catch (const std::bad_alloc&) {
  throw out_of_memory_error(
      "sliced_score_matching_with_probes: memory for the call could not be allocated", __FILE__,
      __LINE__);
}

}  // namespace scorepath
