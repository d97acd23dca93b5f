/**
 * @file ssm.hpp
 * @brief Sliced score matching: projected scores, sliced divergences and the SSM, SSM-VR and exact
 *        ISM losses of a score model on a batch of samples.
 *
 * For samples x_s (s < N) and M probes v_sj per sample (probes.hpp):
 * - projection  p_sj = v_sjᵀ S(x_s)
 * - divergence  q_sj = v_sjᵀ J_S(x_s) v_sj  (= v_sjᵀ ∇ₓ(v_sjᵀ S), by forward-mode dual numbers)
 * - SSM    = mean_s mean_j [p_sj² + 2 q_sj]          (unscaled)
 * - SSM-VR = mean_s [‖S(x_s)‖² + 2 mean_j q_sj]
 * - ISM    = mean_s [‖S(x_s)‖² + 2 tr J_S(x_s)]     (exact, from D basis tangents)
 * All three have expectation L_ISM over the probes. With `half_scaling`, every loss is halved:
 * ½p² + q, as in Song et al. (UAI 2019) and their code. Each loss comes with the standard error of
 * its mean over samples; per-sample terms are reduced in fixed blocks (moments.hpp), so the numbers
 * are bitwise identical for any thread count or chunking.
 */
#pragma once

#include <cmath>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "scorepath/concepts.hpp"
#include "scorepath/context.hpp"
#include "scorepath/detail/builtin_ssm.hpp"
#include "scorepath/detail/chunking.hpp"
#include "scorepath/detail/ssm_cpu.hpp"
#include "scorepath/detail/ssm_plan.hpp"
#include "scorepath/error.hpp"
#include "scorepath/grouped_moments.hpp"
#include "scorepath/memory.hpp"
#include "scorepath/moments.hpp"
#include "scorepath/probes.hpp"
#include "scorepath/rng_stream.hpp"

namespace scorepath {

/// What to compute.
struct ssm_options {
  std::uint32_t probes = 1;                 ///< M probes per sample (≥ 1)
  probe_law law = probe_law::gaussian;      ///< probe law
  bool half_scaling = false;                ///< report ½p² + q (Song et al.) instead of p² + 2q
  bool exact_ism = false;                   ///< also compute the exact ISM loss
  /// Samples per chunk (both backends), rounded up to whole reduction blocks and never more than
  /// the call has (any 64-bit value is safe); 0 chooses.
  std::uint64_t chunk_samples = 0;
};

/// Optional per-sample and per-probe outputs (each may be left empty).
template <class T>
struct ssm_outputs {
  output_span<T> projections;        ///< N·M values, [s·M + j] = v_sjᵀS(x_s)
  output_span<T> divergences;        ///< N·M values, [s·M + j] = v_sjᵀJ v_sj
  output_span<T> probes;             ///< N·M·D values, [(s·M + j)·D + i]
  output_span<T> ssm_per_sample;     ///< N values
  output_span<T> ssm_vr_per_sample;  ///< N values
  output_span<T> ism_per_sample;     ///< N values (needs exact_ism)
};

/// A loss and the standard error of its mean over samples.
struct loss_estimate {
  double value = 0.0;       ///< mean over samples
  double std_error = 0.0;   ///< standard error of that mean
  std::uint64_t count = 0;  ///< samples
};

/// What sliced_score_matching reports.
struct ssm_report {
  backend used = backend::cpu;          ///< backend that ran
  rng_state rng;                        ///< stream state the probes were drawn from (replay)
  loss_estimate ssm;                    ///< sliced score matching
  loss_estimate ssm_vr;                 ///< its variance-reduced form
  std::optional<loss_estimate> ism;     ///< exact implicit score matching, when asked for
  /// What the losses were summarised from, before scaling: rows ssm, ssm_vr, then ism when asked
  /// for, per group of statistics_group samples (mpi/ssm.hpp folds those of several ranks).
  grouped_moments accumulators;
};

namespace detail {

/// Checks a sliced score matching request in dimension @p dim (≥ 1); writes nothing.
template <class T>
void check_ssm_request(const context& ctx, input_span<T> samples, int dim, const ssm_options& opt,
                       const ssm_outputs<T>& out) {
  const bool on_cuda = ctx.kind() == backend::cuda;
  const auto D = static_cast<std::size_t>(dim);
  SCOREPATH_EXPECTS(samples.data != nullptr && samples.size > 0, "samples", "empty",
                    "must hold at least one sample");
  SCOREPATH_EXPECTS(samples.size % D == 0, "samples size", samples.size,
                    "must be a multiple of the model dimension " + std::to_string(D));
  SCOREPATH_EXPECTS(on_cuda || samples.space == memory_space::host, "samples space", "device",
                    "the CPU backend needs host memory");
  SCOREPATH_EXPECTS(opt.probes >= 1, "probes", opt.probes, "must be at least 1");
  SCOREPATH_EXPECTS(is_probe_law(opt.law), "law", static_cast<int>(opt.law),
                    "must be one of gaussian, rademacher, sphere, orthogonal");
  const std::uint64_t n = samples.size / D;
  auto check = [&](const output_span<T>& span, const char* name, std::uint64_t per_sample) {
    check_span_not_dangling(span, name);
    if (!span.wanted()) return;
    const std::size_t need = checked_size_product(per_sample, n, name);
    SCOREPATH_EXPECTS(span.size == need, std::string(name) + " size", span.size,
                      "must equal " + std::to_string(need));
    SCOREPATH_EXPECTS(on_cuda || span.space == memory_space::host, std::string(name) + " space",
                      "device", "the CPU backend needs host memory");
  };
  check(out.projections, "projections", opt.probes);
  check(out.divergences, "divergences", opt.probes);
  check(out.probes, "probes", static_cast<std::uint64_t>(opt.probes) * D);
  check(out.ssm_per_sample, "ssm_per_sample", 1);
  check(out.ssm_vr_per_sample, "ssm_vr_per_sample", 1);
  check(out.ism_per_sample, "ism_per_sample", 1);
  SCOREPATH_EXPECTS(!out.ism_per_sample.wanted() || opt.exact_ism, "ism_per_sample", "given",
                    "needs exact_ism");
  if (samples.space == memory_space::host) {
    require_finite_rows("samples", samples.data, samples.size, D);
  }
}

/// Checks the request and builds the plan; writes nothing.
template <class T, int D>
ssm_plan<T> make_ssm_plan(const context& ctx, input_span<T> samples, const ssm_options& opt,
                          const ssm_outputs<T>& out) {
  check_ssm_request(ctx, samples, D, opt, out);
  const std::uint64_t n = samples.size / D;
  ssm_plan<T> plan;
  plan.samples = samples.data;
  plan.count = n;
  plan.probes = opt.probes;
  plan.law = opt.law;
  plan.ism = opt.exact_ism;
  plan.scale = opt.half_scaling ? 0.5 : 1.0;
  plan.projections = out.projections.data;
  plan.divergences = out.divergences.data;
  plan.probe_values = out.probes.data;
  plan.per_sample[0] = out.ssm_per_sample.data;
  plan.per_sample[1] = out.ssm_vr_per_sample.data;
  plan.per_sample[2] = out.ism_per_sample.data;
  const memory_space spaces[7] = {samples.space,
                                  out.projections.space,
                                  out.divergences.space,
                                  out.probes.space,
                                  out.ssm_per_sample.space,
                                  out.ssm_vr_per_sample.space,
                                  out.ism_per_sample.space};
  for (int k = 0; k < 7; ++k) plan.on_device[k] = spaces[k] == memory_space::device;
  plan.chunk = chunk_size(opt.chunk_samples, std::uint64_t{1} << 20, n);
  return plan;
}

/// Whether @p Model has a `view()` for the device (it checks the device's limits).
template <class Model, class = void>
struct has_device_view : std::false_type {};
template <class Model>
struct has_device_view<Model, std::void_t<decltype(std::declval<const Model&>().view())>>
    : std::true_type {};

inline loss_estimate to_loss(const moment_accumulator& acc, double scale) {
  const moment_summary s = summarize(acc);
  return {s.mean * scale, s.std_error * scale, s.count};
}

}  // namespace detail

namespace detail {

/// The work of both sliced_score_matching overloads: @p Law is void for the named law in
/// `opt.law`, else a probe-law type (then `opt.law` is not read).
template <class Law, class Model, class T>
ssm_report run_sliced_score_matching(const context& ctx, rng_stream& rng, const Model& model,
                                     input_span<T> samples, const ssm_options& opt,
                                     const ssm_outputs<T>& out) {
  constexpr bool given_law = !std::is_void_v<Law>;
  constexpr bool user_law = given_law && !is_named_probe_law<Law>::value;
  ssm_options checked = opt;
  if constexpr (given_law) {
    if constexpr (user_law) {
      checked.law = probe_law::gaussian;  // not used: the law type draws the probes
    } else {
      checked.law = Law::law;
    }
  }
  ssm_plan<T> plan = make_ssm_plan<T, Model::dim>(ctx, samples, checked, out);
  if (ctx.kind() == backend::cuda && (user_law || !ssm_cuda_compiled<Model>::value)) {
    throw unavailable_error(user_law ? "CUDA kernels are compiled for the four named probe laws; "
                                       "a user-supplied law runs on the CPU backend"
                                     : "no CUDA kernel is compiled for this score model; use the "
                                       "CPU backend",
                            __FILE__, __LINE__);
  }
  if constexpr (has_device_view<Model>::value) {
    // A model with a device view (the MLP) refuses what the device cannot hold before the
    // stream advances.
    if (ctx.kind() == backend::cuda) (void)model.view();
  }
  ssm_report report;
  report.used = ctx.kind();
  grouped_moments totals(plan.rows());
  plan.seed = rng.seed();
  plan.base_subsequence = rng.reserve(plan.count);
  // The range this call took, even when another thread reserves from the same stream.
  report.rng = rng_state{plan.seed, plan.base_subsequence};
  if (ctx.kind() == backend::cuda) {
    if constexpr (ssm_cuda_compiled<Model>::value && !user_law) {
      ssm_run_cuda(ctx, plan, model, totals);
    }
  } else if constexpr (user_law) {
    ssm_run_cpu_law<Law>(ctx, plan, model, totals);
  } else {
    ssm_run_cpu(ctx, plan, model, totals);
  }
  report.ssm = to_loss(totals.total(0), plan.scale);
  report.ssm_vr = to_loss(totals.total(1), plan.scale);
  if (plan.ism) report.ism = to_loss(totals.total(2), plan.scale);
  report.accumulators = std::move(totals);
  return report;
}

}  // namespace detail

/**
 * @brief Sliced score matching of @p model on @p samples (row-major N×D, [s·D + i]) with probes
 *        of the named law `opt.law`.
 *
 * Sample s draws its probes from subsequence `rng.reserve(N) + s`, so results do not depend on the
 * backend's thread count or chunking, and `report.rng` replays them.
 *
 * @throw invalid_argument_error naming the parameter (empty or non-finite samples, a size that is
 *        not a multiple of D, M = 0, a `law` that is not a probe_law, wrongly sized outputs,
 *        device memory on the CPU); nothing is written then and the stream does not advance
 * @throw out_of_memory_error when an allocation fails
 * @throw unavailable_error on CUDA for a model without a compiled kernel
 */
template <class Model, class T = scalar_type_or_t<Model>>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const Model& model,
                                 input_span<T> samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) try {
  static_assert(score_model_requirements<Model>::value,
                "sliced_score_matching: the model lacks what scorepath/concepts.hpp lists");
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  return detail::run_sliced_score_matching<void>(ctx, rng, model, samples, opt, out);
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sliced_score_matching: memory for the call could not be allocated",
                            __FILE__, __LINE__);
}

/**
 * @brief Sliced score matching with probes of the law type @p Law: one of gaussian_probes,
 *        rademacher_probes, sphere_probes, orthogonal_probes (the same numbers as the named law
 *        in `opt.law`), or a user-supplied law with E[v vᵀ] = I (concepts.hpp); `opt.law` is not
 *        read. A user-supplied law runs on the CPU backend (the CUDA kernels are compiled for
 *        the named laws).
 * @throw as the overload above; unavailable_error on CUDA for a user-supplied law
 */
template <class Law, class Model, class T = scalar_type_or_t<Model>>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const Model& model,
                                 const Law& law, input_span<T> samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) try {
  static_assert(score_model_requirements<Model>::value,
                "sliced_score_matching: the model lacks what scorepath/concepts.hpp lists");
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "T is float or double");
  static_assert(probe_law_requirements<Law, Model::dim, T, is_vectorizable<Model>::value>::value,
                "sliced_score_matching: the probe law lacks what scorepath/concepts.hpp lists");
  (void)law;
  return detail::run_sliced_score_matching<Law>(ctx, rng, model, samples, opt, out);
} catch (const std::bad_alloc&) {
  throw out_of_memory_error("sliced_score_matching: memory for the call could not be allocated",
                            __FILE__, __LINE__);
}

/// Convenience overload for host samples in a vector.
template <class Model, class T = scalar_type_or_t<Model>>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const Model& model,
                                 const std::vector<T>& samples, const ssm_options& opt,
                                 const ssm_outputs<T>& out = {}) {
  return sliced_score_matching(ctx, rng, model, host_input(samples.data(), samples.size()), opt,
                               out);
}

/// Convenience overload for host samples in a vector, with probes of the law type @p Law.
template <class Law, class Model, class T = scalar_type_or_t<Model>>
ssm_report sliced_score_matching(const context& ctx, rng_stream& rng, const Model& model,
                                 const Law& law, const std::vector<T>& samples,
                                 const ssm_options& opt, const ssm_outputs<T>& out = {}) {
  return sliced_score_matching(ctx, rng, model, law, host_input(samples.data(), samples.size()),
                               opt, out);
}

}  // namespace scorepath
